"""Whose identity a request carries: the checks every submit and resubmit runs first."""

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from accounts.models import User
from clearance.exceptions import ActionRefused
from clearance.models import ClearanceRequest, StudentRecord
from clearance.registry import record_for, registry_values


def identity_for(*, student: User, data: dict[str, Any]) -> dict[str, Any]:
    """The request's values with the identity this student may file under.

    With a registry row (matched by the account's student number) the registry's identity
    wins over anything posted. Without one, the typed national code and student number
    must not be another account's (its request or its registry row).
    """
    record = record_for(student)
    if record is not None:
        return {**data, **registry_values(record)}
    claimed = Q(national_code=data.get("national_code")) | Q(
        student_number=data.get("student_number")
    )
    if (
        ClearanceRequest.objects.filter(claimed).exclude(student=student).exists()
        or StudentRecord.objects.filter(claimed).exists()
    ):
        raise ActionRefused(
            _(
                "This national code or student number belongs to another student's record. "
                "If it is yours, contact your faculty's education office: they will link "
                "your account to your record."
            )
        )
    return data


def refuse_taken_identity(
    *, student: User, data: dict[str, Any], request_pk: int | None = None
) -> None:
    """Refuse a national code another open request holds, saying whose request is in the way.

    The database's constraints stay the last word under a race; this gives the message.
    """
    open_requests = ClearanceRequest.objects.filter(status__in=ClearanceRequest.OPEN_STATUSES)
    national_code = data.get("national_code")
    in_the_way = Q(national_code=national_code) if national_code else Q(pk__in=[])
    if request_pk is not None:
        open_requests = open_requests.exclude(pk=request_pk)
    else:
        in_the_way |= Q(student=student)
    # One query for both questions: whose open requests are in the way (at most two).
    holders = set(open_requests.filter(in_the_way).values_list("student_id", flat=True)[:2])
    if request_pk is None and student.pk in holders:
        raise ActionRefused(
            _("You already have an open clearance request; follow it or cancel it first.")
        )
    if holders:
        raise ActionRefused(
            _(
                "Another student has an open request with this national code. If the code "
                "is yours, contact your faculty's education office."
            )
        )
