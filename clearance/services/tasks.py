"""The office expert's actions on a task: claim, release, approve, return, bulk approve."""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from viewflow.workflow.models import Task

from accounts.models import User
from clearance.models import ClearanceRequest, Event
from clearance.notifications import notify_student
from clearance.services.common import (
    ActionRefused,
    activation_of,
    locked_task,
    office_of,
    refuse_unless_workable,
    sync_current_office,
    task_event,
    waited_seconds,
)
from clearance.services.letters import letter_number_allocate


@transaction.atomic
def task_claim(*, task: Task, user: User, ip: str | None = None) -> Task:
    """Take an office task so that only this expert works on it."""
    with locked_task(task) as task:
        clearance_request = refuse_unless_workable(task, user, need_owner=False)
        if task.owner_id == user.pk:
            return task
        if task.owner_id is not None:
            raise ActionRefused(
                _("%(who)s claimed this task first.")
                % {"who": task.owner.get_full_name() or task.owner.username}
            )
        if not task.flow_task.can_assign(user, task):
            raise ActionRefused(_("Your roles do not cover this task."))
        activation_of(task).assign(user)
        task.assigned = timezone.now()
        task.save(update_fields=["assigned"])
        task_event(task, clearance_request, Event.Kind.CLAIMED, user=user, ip=ip)
    return task


@transaction.atomic
def task_release(*, task: Task, user: User, ip: str | None = None) -> Task:
    """Give a claimed task back to the office queue.

    Its owner may, and so may a supervisor (a staff member holding the office's role), so
    that a task claimed by someone who is away does not stall.
    """
    with locked_task(task) as task:
        supervising = (
            task.owner_id not in (None, user.pk)
            and user.is_staff
            and user.has_perm(task.owner_permission)
        )
        clearance_request = refuse_unless_workable(task, user, need_owner=not supervising)
        activation_of(task).unassign()
        task_event(task, clearance_request, Event.Kind.RELEASED, user=user, ip=ip)
    return task


@transaction.atomic
def decision_record(
    *,
    task: Task,
    user: User,
    note: str = "",
    debt_rials: int | None = None,
    settlement: str = "",
    had_dormitory: bool | None = None,
    letter_number: str = "",
    letter_number_proposed: str = "",
    letter_date: dt.date | None = None,
    form_registered: bool | None = None,
    ip: str | None = None,
) -> ClearanceRequest:
    """Approve one office's step and move the request on to the next office."""
    with locked_task(task) as task:
        clearance_request = refuse_unless_workable(task, user, need_owner=True)
        office = office_of(task)
        details: dict[str, Any] = {}
        if office.records_debt:
            if debt_rials is None:
                raise ActionRefused(_("Record the student's debt (0 if none)."))
            if debt_rials and not settlement.strip():
                raise ActionRefused(_("Say how a non-zero debt was settled."))
        if office.code == "dormitory":
            if had_dormitory is None:
                raise ActionRefused(_("Record whether the student had a dormitory."))
            clearance_request.had_dormitory = had_dormitory
            details["had_dormitory"] = had_dormitory
        if office.code == "welfare":
            if not form_registered:
                raise ActionRefused(_("Register the clearance form before approving."))
            details["form_registered"] = True
        if office.code == "secretariat":
            letter_date = letter_date or timezone.localdate()
            if not letter_number or letter_number == letter_number_proposed:
                letter_number = letter_number_allocate(
                    faculty=clearance_request.faculty, on=letter_date
                )
            elif ClearanceRequest.objects.filter(letter_number=letter_number).exists():
                raise ActionRefused(
                    _("Letter number %(number)s is already used.") % {"number": letter_number}
                )
            clearance_request.letter_number = letter_number
            clearance_request.letter_date = letter_date
            details.update(letter_number=letter_number, letter_date=letter_date.isoformat())
        clearance_request.save(
            update_fields=["had_dormitory", "letter_number", "letter_date", "updated"]
        )
        task_event(
            task,
            clearance_request,
            Event.Kind.APPROVED,
            user=user,
            ip=ip,
            note=note.strip(),
            debt_rials=debt_rials if office.records_debt else None,
            settlement=settlement.strip(),
            details=details,
            waited_seconds=waited_seconds(task),
        )
        activation = activation_of(task)
        activation.start(None)
        activation.execute()
        clearance_request.refresh_from_db()
        if clearance_request.status != ClearanceRequest.Status.CLEARED:
            sync_current_office(clearance_request)
    return clearance_request


@transaction.atomic
def request_return(
    *, task: Task, user: User, reason: str, ip: str | None = None
) -> ClearanceRequest:
    """Send the request back to the student; the task waits at this office."""
    reason = reason.strip()
    if not reason:
        raise ActionRefused(_("Say why the request is returned."))
    with locked_task(task) as task:
        clearance_request = refuse_unless_workable(task, user, need_owner=True)
        clearance_request.status = ClearanceRequest.Status.RETURNED
        clearance_request.return_reason = reason
        clearance_request.save(update_fields=["status", "return_reason", "updated"])
        notify_student(clearance_request=clearance_request, event="returned")
        task_event(
            task,
            clearance_request,
            Event.Kind.RETURNED,
            user=user,
            ip=ip,
            note=reason,
            waited_seconds=waited_seconds(task),
        )
    return clearance_request


BULK_EXCLUDED_OFFICES = {"dormitory", "welfare"}


def tasks_bulk_approve(
    *, tasks: Iterable[Task], user: User, note: str = "", ip: str | None = None
) -> tuple[int, list[str]]:
    """Claim and approve several tasks, each as its own recorded decision (debt 0).

    Each task is its own transaction: one refusal leaves the others approved.
    Offices that must record a fact per student (dormitory, welfare) are never bulk-approved.
    """
    approved, refused = 0, []
    for task in tasks:
        office = office_of(task)
        label = (
            ClearanceRequest.objects.filter(process_id=task.process_id)
            .values_list("full_name", flat=True)
            .first()
        )
        if office.code in BULK_EXCLUDED_OFFICES:
            refused.append(
                _("%(name)s: %(office)s decides one request at a time.")
                % {"name": label, "office": office}
            )
            continue
        try:
            if task.owner_id != user.pk:
                task_claim(task=task, user=user, ip=ip)
            decision_record(
                task=task,
                user=user,
                note=note,
                debt_rials=0 if office.records_debt else None,
                ip=ip,
            )
        except ActionRefused as refused_action:
            refused.append(f"{label}: {refused_action.message}")
        else:
            approved += 1
    return approved, refused
