"""E-mail and SMS deliveries: queued in the caller's transaction, sent by the worker.

django-tasks 0.12 and django-tasks-db have no automatic retries (nor does Django 6's task
framework); they can defer a task (``run_after``). So each ``Delivery`` row is the record
of one message, and each attempt is one task: a failed attempt records its error on the row
and queues the next attempt with ``run_after`` (back-off), until the last one marks the
delivery failed. Nothing is dropped: the row stays, visible in the admin, with its error.
"""

import datetime as dt
from collections.abc import Callable

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from accounts.models import User
from clearance.models import Delivery, Notification
from clearance.notifications.sms import sms_backend

MAX_RETRY_DELAY = dt.timedelta(hours=6)
# What an attempt writes on its delivery.
RECORDED = ("status", "attempts", "last_error", "next_attempt", "sent_at", "reference")


def delivery_queue(
    *,
    channel: str,
    recipient: User,
    to: str,
    kind: str,
    body: str,
    subject: str = "",
    notification: Notification | None = None,
) -> Delivery:
    """Record one message and queue its first attempt, in the current transaction."""
    delivery = Delivery.objects.create(
        channel=channel,
        recipient=recipient,
        to=to,
        kind=kind,
        subject=subject[:200],
        body=body,
        notification=notification,
    )
    delivery_send.enqueue(delivery_id=delivery.pk)
    return delivery


def retry_delay(attempts: int) -> dt.timedelta:
    """How long to wait after the n-th failed attempt: base × 3^(n-1), at most 6 hours."""
    base = dt.timedelta(seconds=settings.TASVIEH_DELIVERY_RETRY_SECONDS)
    return min(base * 3 ** max(attempts - 1, 0), MAX_RETRY_DELAY)


def _send_email(delivery: Delivery) -> str:
    EmailMessage(subject=delivery.subject, body=delivery.body, to=[delivery.to]).send()
    return ""


def _send_sms(delivery: Delivery) -> str:
    return sms_backend().send(to=delivery.to, text=delivery.body)


SENDERS: dict[str, Callable[[Delivery], str]] = {
    Delivery.Channel.EMAIL: _send_email,
    Delivery.Channel.SMS: _send_sms,
}


@task()
def delivery_send(*, delivery_id: int) -> str:
    """Make one attempt at a delivery (run by ``manage.py db_worker``); return its status.

    A failed attempt is recorded and the next one queued before the error is raised again,
    so the worker's own record of this attempt (Tasks → DB task results) keeps the traceback.
    """
    failure: BaseException | None = None
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().filter(pk=delivery_id).first()
        if delivery is None or delivery.status not in Delivery.PENDING:
            return "nothing to send"  # already sent by another attempt, or never was
        delivery.attempts += 1
        # Also a worker stopped mid-send (SystemExit) must leave the message queued.
        try:
            delivery.reference = SENDERS[delivery.channel](delivery)[:100]
        except BaseException as exc:
            failure = exc
            _record_failure(delivery, exc)
        else:
            delivery.status = Delivery.Status.SENT
            delivery.sent_at = timezone.now()
            delivery.next_attempt = None
        delivery.save(update_fields=[*RECORDED])
    if failure is not None:
        raise failure
    return str(delivery.status)


def _record_failure(delivery: Delivery, exc: BaseException) -> None:
    delivery.last_error = f"{type(exc).__name__}: {exc}"[:2000]
    if delivery.attempts >= settings.TASVIEH_DELIVERY_ATTEMPTS:
        delivery.status = Delivery.Status.FAILED
        delivery.next_attempt = None
        return
    delivery.status = Delivery.Status.RETRYING
    delivery.next_attempt = timezone.now() + retry_delay(delivery.attempts)
    delivery_send.using(run_after=delivery.next_attempt).enqueue(delivery_id=delivery.pk)
