"""Every state change of a clearance request goes through one function here.

Each action is keyword-only, atomic, validates before it writes, and records its
history event in the same transaction, so a failed action changes nothing.
"""

import datetime as dt
import secrets
from collections.abc import Iterable
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from viewflow.workflow.exceptions import FlowLockFailed
from viewflow.workflow.models import Task
from viewflow.workflow.status import PROCESS, STATUS

from accounts.models import Faculty, Office, User
from clearance.flows import ClearanceFlow
from clearance.models import (
    ClearanceRequest,
    Comment,
    Document,
    Event,
    LetterSequence,
)
from clearance.notifications import notify_student
from clearance.persian import jalali_year

OPEN_TASK_STATUSES = (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED)


class ActionRefused(Exception):
    """An action that cannot be done now; the message is shown to the user as is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _activation(task: Task) -> Any:
    return task.flow_task.activation_class(task)


def office_of(task: Task) -> Office:
    return Office.objects.get(code=task.flow_task.name)


def _attach(
    *,
    clearance_request: ClearanceRequest,
    uploads: Iterable[UploadedFile],
    by: User,
    comment: Comment | None = None,
) -> None:
    for upload in uploads:
        Document.objects.create(
            request=clearance_request,
            comment=comment,
            uploaded_by=by,
            file=upload,
            original_name=(upload.name or "document")[:200],
            content_type=upload.content_type or "",
            size=upload.size or 0,
        )


def _open_task(clearance_request: ClearanceRequest) -> Task | None:
    return (
        Task.objects.filter(
            process_id=clearance_request.process_id,
            status__in=OPEN_TASK_STATUSES,
            flow_task_type="HUMAN",
        )
        .order_by("-created")
        .first()
    )


def _sync_current_office(clearance_request: ClearanceRequest) -> None:
    task = _open_task(clearance_request)
    clearance_request.current_office = office_of(task) if task else None
    clearance_request.save(update_fields=["current_office", "updated"])


@transaction.atomic
def request_submit(
    *,
    student: User,
    data: dict[str, Any],
    documents: Iterable[UploadedFile] = (),
    ip: str | None = None,
) -> ClearanceRequest:
    """File a new request and hand it to the faculty's education office."""
    try:
        with transaction.atomic():
            clearance_request = ClearanceRequest.objects.create(student=student, **data)
    except IntegrityError as exc:
        raise ActionRefused(
            _("You already have an open clearance request; follow it or cancel it first.")
        ) from exc
    _attach(clearance_request=clearance_request, uploads=documents, by=student)
    Event.objects.create(
        request=clearance_request, kind=Event.Kind.SUBMITTED, actor=student, ip_address=ip
    )
    ClearanceFlow.start.run(clearance_request=clearance_request)
    clearance_request.refresh_from_db()
    _sync_current_office(clearance_request)
    return clearance_request


class _TaskLock:
    """Lock the request's process row, then re-read the task so decisions see fresh state."""

    def __init__(self, task: Task) -> None:
        self.task_pk = task.pk
        self.process_pk = task.process_id
        self._scope: Any = None

    def __enter__(self) -> Task:
        self._scope = ClearanceFlow.lock(self.process_pk)
        try:
            self._scope.__enter__()
        except FlowLockFailed as exc:
            raise ActionRefused(
                _("Someone else is working on this request right now; try again in a moment.")
            ) from exc
        return Task.objects.select_related("owner").get(pk=self.task_pk)

    def __exit__(self, *exc_info: Any) -> bool | None:
        return self._scope.__exit__(*exc_info)


def _refuse_unless_workable(task: Task, user: User, *, need_owner: bool) -> ClearanceRequest:
    clearance_request = ClearanceRequest.objects.get(process_id=task.process_id)
    if task.status not in OPEN_TASK_STATUSES:
        who = task.owner.get_full_name() or task.owner.username if task.owner else "-"
        raise ActionRefused(
            _("This step was already completed by %(who)s; nothing was changed.") % {"who": who}
        )
    if clearance_request.status == ClearanceRequest.Status.CANCELLED:
        raise ActionRefused(_("The student cancelled this request."))
    if need_owner and task.owner_id != user.pk:
        if task.owner_id is None:
            raise ActionRefused(_("Claim the task before acting on it."))
        raise ActionRefused(
            _("%(who)s has claimed this task; only they can act on it now.")
            % {"who": task.owner.get_full_name() or task.owner.username}
        )
    if need_owner and clearance_request.status == ClearanceRequest.Status.RETURNED:
        raise ActionRefused(
            _("The request is with the student for corrections; wait for the resubmission.")
        )
    return clearance_request


@transaction.atomic
def task_claim(*, task: Task, user: User, ip: str | None = None) -> Task:
    """Take an office task so that only this expert works on it."""
    with _TaskLock(task) as task:
        clearance_request = _refuse_unless_workable(task, user, need_owner=False)
        if task.owner_id == user.pk:
            return task
        if task.owner_id is not None:
            raise ActionRefused(
                _("%(who)s claimed this task first.")
                % {"who": task.owner.get_full_name() or task.owner.username}
            )
        if not task.flow_task.can_assign(user, task):
            raise ActionRefused(_("Your roles do not cover this task."))
        _activation(task).assign(user)
        task.assigned = timezone.now()
        task.save(update_fields=["assigned"])
        Event.objects.create(
            request=clearance_request,
            kind=Event.Kind.CLAIMED,
            office=office_of(task),
            actor=user,
            task_id=task.pk,
            ip_address=ip,
        )
    return task


@transaction.atomic
def task_release(*, task: Task, user: User, ip: str | None = None) -> Task:
    """Give a claimed task back to the office queue."""
    with _TaskLock(task) as task:
        clearance_request = _refuse_unless_workable(task, user, need_owner=True)
        _activation(task).unassign()
        Event.objects.create(
            request=clearance_request,
            kind=Event.Kind.RELEASED,
            office=office_of(task),
            actor=user,
            task_id=task.pk,
            ip_address=ip,
        )
    return task


def letter_number_format(faculty: Faculty, year: int, number: int) -> str:
    return faculty.letter_format.format(
        year=year, prefix=faculty.letter_prefix or faculty.code, number=number
    )


def letter_number_propose(*, faculty: Faculty, on: dt.date | None = None) -> str:
    """Show the number the secretariat's next letter would get (nothing is reserved)."""
    year = jalali_year(on or timezone.localdate())
    last = (
        LetterSequence.objects.filter(faculty=faculty, year=year)
        .values_list("last_number", flat=True)
        .first()
    ) or 0
    return letter_number_format(faculty, year, last + 1)


def _letter_number_allocate(*, faculty: Faculty, on: dt.date) -> str:
    year = jalali_year(on)
    LetterSequence.objects.get_or_create(faculty=faculty, year=year)
    sequence = LetterSequence.objects.select_for_update().get(faculty=faculty, year=year)
    number = sequence.last_number + 1
    # Skip numbers an expert already typed by hand.
    while ClearanceRequest.objects.filter(
        letter_number=letter_number_format(faculty, year, number)
    ).exists():
        number += 1
    sequence.last_number = number
    sequence.save(update_fields=["last_number"])
    return letter_number_format(faculty, year, number)


def _waited_seconds(task: Task) -> int:
    return int((timezone.now() - task.created).total_seconds())


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
    with _TaskLock(task) as task:
        clearance_request = _refuse_unless_workable(task, user, need_owner=True)
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
                letter_number = _letter_number_allocate(
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
        Event.objects.create(
            request=clearance_request,
            kind=Event.Kind.APPROVED,
            office=office,
            actor=user,
            note=note.strip(),
            debt_rials=debt_rials if office.records_debt else None,
            settlement=settlement.strip(),
            details=details,
            task_id=task.pk,
            ip_address=ip,
            waited_seconds=_waited_seconds(task),
        )
        activation = _activation(task)
        activation.start(None)
        activation.execute()
        clearance_request.refresh_from_db()
        if clearance_request.status != ClearanceRequest.Status.CLEARED:
            _sync_current_office(clearance_request)
    return clearance_request


@transaction.atomic
def request_return(
    *, task: Task, user: User, reason: str, ip: str | None = None
) -> ClearanceRequest:
    """Send the request back to the student; the task waits at this office."""
    reason = reason.strip()
    if not reason:
        raise ActionRefused(_("Say why the request is returned."))
    with _TaskLock(task) as task:
        clearance_request = _refuse_unless_workable(task, user, need_owner=True)
        clearance_request.status = ClearanceRequest.Status.RETURNED
        clearance_request.return_reason = reason
        clearance_request.save(update_fields=["status", "return_reason", "updated"])
        notify_student(clearance_request=clearance_request, event="returned")
        Event.objects.create(
            request=clearance_request,
            kind=Event.Kind.RETURNED,
            office=office_of(task),
            actor=user,
            note=reason,
            task_id=task.pk,
            ip_address=ip,
            waited_seconds=_waited_seconds(task),
        )
    return clearance_request


@transaction.atomic
def request_resubmit(
    *,
    clearance_request: ClearanceRequest,
    student: User,
    data: dict[str, Any],
    note: str = "",
    documents: Iterable[UploadedFile] = (),
    ip: str | None = None,
) -> ClearanceRequest:
    """Apply the student's corrections and give the task back to the office that returned it."""
    with ClearanceFlow.lock(clearance_request.process_id):
        clearance_request = ClearanceRequest.objects.get(pk=clearance_request.pk)
        if clearance_request.student_id != student.pk:
            raise ActionRefused(_("This is not your request."))
        if clearance_request.status != ClearanceRequest.Status.RETURNED:
            raise ActionRefused(_("Only a returned request can be resubmitted."))
        changed = [
            name for name, value in data.items() if getattr(clearance_request, name) != value
        ]
        for name, value in data.items():
            setattr(clearance_request, name, value)
        clearance_request.status = ClearanceRequest.Status.IN_PROGRESS
        try:
            with transaction.atomic():
                clearance_request.save()
        except IntegrityError as exc:
            raise ActionRefused(_("Another open request already uses this national code.")) from exc
        _attach(clearance_request=clearance_request, uploads=documents, by=student)
        task = _open_task(clearance_request)
        assert task is not None
        activation = _activation(task)
        # The faculty may have been corrected: re-derive who may act on the task.
        task.owner_permission = task.flow_task.calc_owner_permission(activation)
        task.save(update_fields=["owner_permission"])
        if task.status == STATUS.ASSIGNED:
            activation.unassign()
        Event.objects.create(
            request=clearance_request,
            kind=Event.Kind.RESUBMITTED,
            office=office_of(task),
            actor=student,
            note=note.strip(),
            details={"changed": changed},
            task_id=task.pk,
            ip_address=ip,
        )
    return clearance_request


@transaction.atomic
def request_cancel(
    *, clearance_request: ClearanceRequest, student: User, ip: str | None = None
) -> ClearanceRequest:
    """Withdraw an open request; its open office task is cancelled."""
    with ClearanceFlow.lock(clearance_request.process_id):
        clearance_request = ClearanceRequest.objects.get(pk=clearance_request.pk)
        if clearance_request.student_id != student.pk:
            raise ActionRefused(_("This is not your request."))
        if not clearance_request.is_open:
            raise ActionRefused(_("Only an open request can be cancelled."))
        for task in Task.objects.filter(
            process_id=clearance_request.process_id, status__in=OPEN_TASK_STATUSES
        ):
            _activation(task).cancel()
        process = clearance_request.process
        assert process is not None
        process.status = PROCESS.CANCELED
        process.finished = timezone.now()
        process.save(update_fields=["status", "finished"])
        clearance_request.status = ClearanceRequest.Status.CANCELLED
        clearance_request.closed = timezone.now()
        clearance_request.current_office = None
        clearance_request.save(update_fields=["status", "closed", "current_office", "updated"])
        Event.objects.create(
            request=clearance_request, kind=Event.Kind.CANCELLED, actor=student, ip_address=ip
        )
    return clearance_request


def request_mark_cleared(*, clearance_request: ClearanceRequest) -> None:
    """Close the request as cleared (called by the flow's last node)."""
    clearance_request.status = ClearanceRequest.Status.CLEARED
    clearance_request.closed = timezone.now()
    clearance_request.current_office = None
    clearance_request.return_reason = ""
    clearance_request.certificate_code = secrets.token_hex(8).upper()
    clearance_request.save(
        update_fields=[
            "status",
            "closed",
            "current_office",
            "return_reason",
            "certificate_code",
            "updated",
        ]
    )
    Event.objects.create(request=clearance_request, kind=Event.Kind.CLEARED)
    notify_student(clearance_request=clearance_request, event="cleared")


@transaction.atomic
def comment_post(
    *,
    clearance_request: ClearanceRequest,
    author: User,
    body: str,
    internal: bool = False,
    office: Office | None = None,
    documents: Iterable[UploadedFile] = (),
) -> Comment:
    """Add a message (or a staff-only note) to the request's thread."""
    body = body.strip()
    if not body:
        raise ActionRefused(_("Write a message first."))
    if clearance_request.student_id == author.pk and (internal or office):
        raise ActionRefused(_("Students cannot write internal notes."))
    comment = Comment.objects.create(
        request=clearance_request, author=author, body=body, internal=internal, office=office
    )
    _attach(clearance_request=clearance_request, uploads=documents, by=author, comment=comment)
    if office is not None and not internal:
        notify_student(clearance_request=clearance_request, event="message")
    return comment


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
