"""What each event tells whom: an in-app notification always; e-mail and SMS for students.

Everything is written in the caller's transaction — the notification, each delivery and the
worker's task — so a rolled-back action tells no one, and nothing is sent inside a page.
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, gettext_noop

from accounts.models import Office, User
from clearance.models import ClearanceRequest, Delivery, Notification, NotificationPreference
from clearance.notifications.delivery import delivery_queue

SUBJECTS: dict[str, str] = {
    Notification.Kind.RETURNED: gettext_noop("Your clearance request was returned"),
    Notification.Kind.CLEARED: gettext_noop("Your clearance is complete"),
    Notification.Kind.MESSAGE: gettext_noop("A new message about your clearance request"),
    Notification.Kind.MOVED: gettext_noop("Your clearance request moved to another faculty"),
}


def preference_of(user: User) -> NotificationPreference:
    """The person's channel choices; both on until they say otherwise."""
    return NotificationPreference.objects.filter(user=user).first() or NotificationPreference(
        user=user
    )


def site_url(path: str) -> str:
    return settings.TASVIEH_SITE_URL.rstrip("/") + path


def notify_student(
    *,
    clearance_request: ClearanceRequest,
    kind: str,
    office: Office | None = None,
    actor: User | None = None,
    excerpt: str = "",
) -> Notification:
    """Tell the student (in-app, and by e-mail and SMS if they allow) in this transaction.

    The texts are Persian and short; they name the office and link to the request, and never
    carry the national code, birth date or address.
    """
    student = clearance_request.student
    notification = _in_app(
        recipient_id=student.pk,
        kind=kind,
        clearance_request=clearance_request,
        office=office,
        actor=actor,
        excerpt=excerpt,
    )
    wants = preference_of(student)
    context = {
        "req": clearance_request,
        "office": office,
        "excerpt": excerpt.strip(),
        "url": site_url(reverse("request_detail", args=[clearance_request.pk])),
    }
    # (channel, address, wanted): the e-mail of the account, the mobile number of the request.
    channels = [
        (Delivery.Channel.EMAIL, student.email, wants.email),
        (Delivery.Channel.SMS, clearance_request.mobile, wants.sms),
    ]
    with translation.override("fa"):
        for channel, to, wanted in channels:
            if not (to and wanted):
                continue
            delivery_queue(
                channel=channel,
                recipient=student,
                to=to,
                kind=kind,
                subject=gettext(SUBJECTS[kind]) if channel == Delivery.Channel.EMAIL else "",
                body=render_to_string(f"clearance/{channel}/{kind}.txt", context).strip(),
                notification=notification,
            )
    return notification


def notify_expert(
    *,
    expert_id: int,
    clearance_request: ClearanceRequest,
    task_id: int,
    kind: str,
    office: Office,
    actor: User | None = None,
    excerpt: str = "",
) -> Notification:
    """Tell an expert, in-app, about a task of theirs (the link opens the task)."""
    return _in_app(
        recipient_id=expert_id,
        kind=kind,
        clearance_request=clearance_request,
        task_id=task_id,
        office=office,
        actor=actor,
        excerpt=excerpt,
    )


def _in_app(
    *,
    recipient_id: int,
    kind: str,
    clearance_request: ClearanceRequest,
    office: Office | None,
    actor: User | None,
    excerpt: str,
    task_id: int | None = None,
) -> Notification:
    return Notification.objects.create(
        recipient_id=recipient_id,
        kind=kind,
        request=clearance_request,
        task_id=task_id,
        office=office,
        actor=actor,
        excerpt=excerpt.strip()[:300],
    )
