"""The office expert's actions on a task: claim, release, approve, return, bulk approve."""

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from viewflow.workflow.models import Task

from accounts.models import User
from clearance.access import office_of
from clearance.decisions import bulk_approvable, decision_parts
from clearance.exceptions import ActionRefused
from clearance.models import ClearanceRequest, Event, Notification
from clearance.notifications import notify_expert, notify_student
from clearance.services.common import (
    activation_of,
    locked_task,
    refuse_own_request,
    refuse_unless_workable,
    task_event,
    waited_seconds,
)


@transaction.atomic
def task_claim(*, task: Task, user: User, ip: str | None = None) -> Task:
    """Take an office task so that only this expert works on it."""
    with locked_task(task) as task:
        clearance_request = refuse_unless_workable(task, user, need_owner=False)
        refuse_own_request(clearance_request, user)
        if task.owner_id == user.pk:
            return task
        if task.owner_id is not None:
            raise ActionRefused(
                _("%(who)s claimed this task first.")
                % {"who": task.owner.get_full_name() or task.owner.username}
            )
        _claim(task, clearance_request, user=user, ip=ip)
    return task


def _claim(task: Task, clearance_request: ClearanceRequest, *, user: User, ip: str | None) -> None:
    """Assign a free task to the expert (the caller holds the process lock)."""
    if not task.flow_task.can_assign(user, task):
        raise ActionRefused(_("Your roles do not cover this task."))
    task.assigned = timezone.now()  # saved by the assignment, in one UPDATE
    activation_of(task).assign(user)
    task_event(task, clearance_request, Event.Kind.CLAIMED, user=user, ip=ip)


def _workable_by(task: Task, user: User, *, ip: str | None) -> ClearanceRequest:
    """The task's request, once the task is this expert's: a free task is claimed first.

    A task someone else holds is refused; the caller holds the process lock, so of two
    experts acting on one free task at once, the second finds it taken or done.
    """
    clearance_request = refuse_unless_workable(task, user, need_owner=False)
    refuse_own_request(clearance_request, user)
    if task.owner_id is None:
        _claim(task, clearance_request, user=user, ip=ip)
    return refuse_unless_workable(task, user, need_owner=True)


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
        if supervising:
            notify_expert(
                expert_id=task.owner_id,
                clearance_request=clearance_request,
                task_id=task.pk,
                kind=Notification.Kind.RELEASED,
                office=office_of(task),
                actor=user,
            )
        activation_of(task).unassign()
        task_event(task, clearance_request, Event.Kind.RELEASED, user=user, ip=ip)
    return task


@transaction.atomic
def decision_record(
    *,
    task: Task,
    user: User,
    decision: Mapping[str, Any] | None = None,
    ip: str | None = None,
) -> ClearanceRequest:
    """Approve one office's step and move the request on to the next office.

    ``decision`` is the approve form's cleaned data: the expert's note and what the node's
    decision records (clearance.decisions); the decision writes it to the request. A free
    task is claimed by the approving expert in the same transaction.
    """
    data = dict(decision or {})
    with locked_task(task) as task:
        clearance_request = _workable_by(task, user, ip=ip)
        office = office_of(task)
        changed: list[str] = []
        details: dict[str, Any] = {}
        for part in decision_parts(task.flow_task.decision, office):
            fields, recorded = part.apply(clearance_request=clearance_request, data=data)
            changed += fields
            details.update(recorded)
        if changed:
            clearance_request.save(update_fields=[*changed, "updated"])
        task_event(
            task,
            clearance_request,
            Event.Kind.APPROVED,
            user=user,
            ip=ip,
            office=office,
            note=(data.get("note") or "").strip(),
            debt_rials=data.get("debt_rials") if office.records_debt else None,
            settlement=(data.get("settlement") or "").strip(),
            details=details,
            waited_seconds=waited_seconds(task),
        )
        activation = activation_of(task)
        activation.start(None)
        # The next node's onCreate hook moves the request to its office (or the flow's
        # last node clears it), on this same request object.
        activation.execute()
    return clearance_request


@transaction.atomic
def request_return(
    *, task: Task, user: User, reason: str, ip: str | None = None
) -> ClearanceRequest:
    """Send the request back to the student; the task waits at this office (a free task is
    claimed by the returning expert first)."""
    reason = reason.strip()
    if not reason:
        raise ActionRefused(_("Say why the request is returned."))
    with locked_task(task) as task:
        clearance_request = _workable_by(task, user, ip=ip)
        clearance_request.status = ClearanceRequest.Status.RETURNED
        clearance_request.return_reason = reason
        clearance_request.save(update_fields=["status", "return_reason", "updated"])
        notify_student(
            clearance_request=clearance_request,
            kind=Notification.Kind.RETURNED,
            office=office_of(task),
            actor=user,
            excerpt=reason,
        )
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


def tasks_bulk_approve(
    *, tasks: Iterable[Task], user: User, note: str = "", ip: str | None = None
) -> tuple[int, list[str]]:
    """Claim and approve several tasks, each as its own recorded decision (debt 0).

    Each task is its own transaction: one refusal leaves the others approved.
    Offices whose decision records a fact per student (dormitory, welfare) are never
    bulk-approved (``Decision.bulk``).
    """
    approved, refused = 0, []
    for task in tasks:
        office = office_of(task)
        label = (
            ClearanceRequest.objects.filter(process_id=task.process_id)
            .values_list("full_name", flat=True)
            .first()
        )
        if not bulk_approvable(task.flow_task.decision, office):
            refused.append(
                _("%(name)s: %(office)s decides one request at a time.")
                % {"name": label, "office": office}
            )
            continue
        decision: dict[str, Any] = {"note": note}
        for part in decision_parts(task.flow_task.decision, office):
            decision.update(part.bulk_data())
        try:
            decision_record(task=task, user=user, decision=decision, ip=ip)
        except ActionRefused as refused_action:
            refused.append(f"{label}: {refused_action.message}")
        else:
            approved += 1
    return approved, refused
