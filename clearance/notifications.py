"""E-mail the student when their request needs them or is done, through the worker.

The message is rendered and queued inside the transaction of the event that causes it, so
a rolled-back action sends nothing; ``manage.py db_worker`` delivers it after the commit,
and a slow or failing SMTP server never touches a page. Each delivery is a task row: its
status, attempts and error are in the admin (Tasks → DB task results).
"""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, gettext_noop
from django_tasks import task

from clearance.models import ClearanceRequest

SUBJECTS = {
    "returned": gettext_noop("Your clearance request was returned"),
    "cleared": gettext_noop("Your clearance is complete"),
    "message": gettext_noop("A new message about your clearance request"),
}


@task()
def email_deliver(*, to: str, subject: str, body: str) -> None:
    """Send one e-mail; an SMTP failure fails the task and keeps its error."""
    send_mail(subject, body, None, [to], fail_silently=False)


def notify_student(*, clearance_request: ClearanceRequest, event: str) -> None:
    """Queue an e-mail to the student about ``event`` in the current transaction."""
    email = clearance_request.student.email
    if not email:
        return
    url = settings.TASVIEH_SITE_URL.rstrip("/") + reverse(
        "request_detail", args=[clearance_request.pk]
    )
    with translation.override("fa"):
        subject = gettext(SUBJECTS[event])
        body = render_to_string(
            f"clearance/email/{event}.txt", {"req": clearance_request, "url": url}
        )
    email_deliver.enqueue(to=email, subject=subject, body=body)
