"""Whose identity a request carries: the checks every submit and resubmit runs first."""

from typing import Any

from django.utils.translation import gettext as _

from accounts.models import User
from clearance.exceptions import ActionRefused
from clearance.models import ClearanceRequest


def refuse_taken_identity(
    *, student: User, data: dict[str, Any], request_pk: int | None = None
) -> None:
    """Refuse a national code another open request holds, saying whose request is in the way.

    The database's constraints stay the last word under a race; this gives the message.
    """
    open_requests = ClearanceRequest.objects.filter(status__in=ClearanceRequest.OPEN_STATUSES)
    if request_pk is not None:
        open_requests = open_requests.exclude(pk=request_pk)
    elif open_requests.filter(student=student).exists():
        raise ActionRefused(
            _("You already have an open clearance request; follow it or cancel it first.")
        )
    national_code = data.get("national_code")
    if national_code and open_requests.filter(national_code=national_code).exists():
        raise ActionRefused(
            _(
                "Another student has an open request with this national code. If the code "
                "is yours, contact your faculty's education office."
            )
        )
