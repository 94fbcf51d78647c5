"""Notifications: a person reading theirs and choosing channels; failed deliveries resent.

These change nothing about a request, so they write no history event: the notification's
read time, the preference's update time and the delivery's attempts are their own record.
"""

import datetime as dt

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from accounts.models import User
from clearance.models import Delivery, Notification, NotificationPreference
from clearance.notifications.delivery import delivery_send


@transaction.atomic
def notifications_read(
    *,
    user: User,
    request_id: int | None = None,
    task_id: int | None = None,
    pk: int | None = None,
    kinds: tuple[str, ...] = (),
) -> int:
    """Mark read what the user has just opened: one notification, a task, a request, or all
    (of ``kinds`` only, if given).

    A student's notifications about a request have no task; an expert's always name one.
    """
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if kinds:
        unread = unread.filter(kind__in=kinds)
    if pk is not None:
        unread = unread.filter(pk=pk)
    elif task_id is not None:
        unread = unread.filter(task_id=task_id)
    elif request_id is not None:
        unread = unread.filter(request_id=request_id, task_id__isnull=True)
    return unread.update(read_at=timezone.now())


@transaction.atomic
def notification_preference_set(*, user: User, sms: bool, email: bool) -> NotificationPreference:
    """Turn SMS and e-mail on or off for this person (the in-app list is always on)."""
    preference, _ = NotificationPreference.objects.update_or_create(
        user=user, defaults={"sms": sms, "email": email}
    )
    return preference


@transaction.atomic
def deliveries_retry(*, deliveries: QuerySet[Delivery]) -> int:
    """Give failed deliveries a fresh round of attempts (an administrator's action)."""
    queued = 0
    for delivery in deliveries.select_for_update().filter(status=Delivery.Status.FAILED):
        delivery.status = Delivery.Status.QUEUED
        delivery.attempts = 0
        delivery.next_attempt = None
        delivery.save(update_fields=["status", "attempts", "next_attempt"])
        delivery_send.enqueue(delivery_id=delivery.pk)
        queued += 1
    return queued


@transaction.atomic
def deliveries_resume(*, stale_after: dt.timedelta) -> int:
    """Queue again what a worker killed mid-send left behind; return how many.

    A worker that dies (power, SIGKILL) rolls its attempt back: the delivery is still
    pending but its task is stuck "running" and nothing would ever try it again. Sending
    times out long before ``stale_after``, so an older running attempt is dead. Queuing one
    twice is harmless: an attempt locks its delivery and skips one already sent.
    """
    cutoff = timezone.now() - stale_after
    attempts = DBTaskResult.objects.filter(task_path=delivery_send.module_path)
    alive = attempts.filter(
        Q(status=TaskResultStatus.READY)
        | Q(status=TaskResultStatus.RUNNING, started_at__gte=cutoff)
    )
    waiting = {row["kwargs"]["delivery_id"] for row in alive.values_list("args_kwargs", flat=True)}
    stranded = Delivery.objects.filter(status__in=Delivery.PENDING, created__lt=cutoff).exclude(
        pk__in=waiting
    )
    resumed = 0
    for delivery in stranded.select_for_update(skip_locked=True):
        delivery_send.enqueue(delivery_id=delivery.pk)
        resumed += 1
    return resumed
