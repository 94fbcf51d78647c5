"""E-mail the student when their request needs them or is done (sent after commit)."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, gettext_noop

from clearance.models import ClearanceRequest

SUBJECTS = {
    "returned": gettext_noop("Your clearance request was returned"),
    "cleared": gettext_noop("Your clearance is complete"),
    "message": gettext_noop("A new message about your clearance request"),
}


def notify_student(*, clearance_request: ClearanceRequest, event: str) -> None:
    """Queue an e-mail to the student about ``event`` once the transaction commits."""
    email = clearance_request.student.email
    if not email:
        return
    url = settings.TASVIEH_SITE_URL.rstrip("/") + reverse(
        "request_detail", args=[clearance_request.pk]
    )

    def send() -> None:
        with translation.override("fa"):
            subject = gettext(SUBJECTS[event])
            body = render_to_string(
                f"clearance/email/{event}.txt", {"req": clearance_request, "url": url}
            )
        send_mail(subject, body, None, [email], fail_silently=True)

    transaction.on_commit(send)
