"""Notifications: a person reading theirs and choosing channels; failed deliveries resent.

These change nothing about a request, so they write no history event: the notification's
read time, the preference's update time and the delivery's attempts are their own record.
"""

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

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
) -> int:
    """Mark read what the user has just opened: one notification, a task, a request, or all.

    A student's notifications about a request have no task; an expert's always name one.
    """
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
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
