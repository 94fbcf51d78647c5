"""The student's actions: submit, resubmit, cancel, comment; and the closing of a request."""

from collections.abc import Iterable
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from viewflow.workflow.status import STATUS

from accounts.models import Office, User
from clearance import waiting
from clearance.access import office_of, open_task
from clearance.exceptions import ActionRefused
from clearance.flows import ClearanceFlow
from clearance.models import ClearanceRequest, Comment, Event, Notification
from clearance.notifications import notify_expert, notify_student
from clearance.services.common import activation_of, attach_documents, process_lock
from clearance.services.identity import identity_for, refuse_taken_identity


@transaction.atomic
def request_submit(
    *,
    student: User,
    data: dict[str, Any],
    documents: Iterable[UploadedFile] = (),
    ip: str | None = None,
) -> ClearanceRequest:
    """File a new request and hand it to the faculty's education office."""
    data = identity_for(student=student, data=data)
    refuse_taken_identity(student=student, data=data)
    try:
        with transaction.atomic():
            clearance_request = ClearanceRequest.objects.create(student=student, **data)
    except IntegrityError as exc:
        # A request filed at the same moment: say which one is in the way.
        refuse_taken_identity(student=student, data=data)
        raise ActionRefused(_("The request could not be saved; please try again.")) from exc
    attach_documents(clearance_request=clearance_request, uploads=documents, by=student)
    Event.objects.create(
        request=clearance_request, kind=Event.Kind.SUBMITTED, actor=student, ip_address=ip
    )
    ClearanceFlow.start.run(clearance_request=clearance_request)
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
    with process_lock(clearance_request.process_id):
        clearance_request = ClearanceRequest.objects.get(pk=clearance_request.pk)
        if clearance_request.student_id != student.pk:
            raise ActionRefused(_("This is not your request."))
        if clearance_request.status != ClearanceRequest.Status.RETURNED:
            raise ActionRefused(_("Only a returned request can be resubmitted."))
        if "faculty" in data and data["faculty"] != clearance_request.faculty:
            raise ActionRefused(
                _(
                    "The faculty of a submitted request is fixed; if it is wrong, ask your "
                    "faculty's education office to move the request."
                )
            )
        data = {**identity_for(student=student, data=data), "faculty": clearance_request.faculty}
        refuse_taken_identity(student=student, data=data, request_pk=clearance_request.pk)
        changed = [
            name for name, value in data.items() if getattr(clearance_request, name) != value
        ]
        for name, value in data.items():
            setattr(clearance_request, name, value)
        clearance_request.status = ClearanceRequest.Status.IN_PROGRESS
        try:
            with transaction.atomic():
                clearance_request.save(update_fields=[*changed, "status", "updated"])
        except IntegrityError as exc:
            refuse_taken_identity(student=student, data=data, request_pk=clearance_request.pk)
            raise ActionRefused(_("The request could not be saved; please try again.")) from exc
        added = attach_documents(clearance_request=clearance_request, uploads=documents, by=student)
        task = open_task(clearance_request)
        assert task is not None
        # Back in the queue even if no one held it (the task row itself may not change).
        waiting.forget(task.owner_permission)
        activation = activation_of(task)
        office = office_of(task)
        # The expert who returned it still holds it: tell them before it goes to the queue.
        if task.owner_id is not None:
            notify_expert(
                expert_id=task.owner_id,
                clearance_request=clearance_request,
                task_id=task.pk,
                kind=Notification.Kind.RESUBMITTED,
                office=office,
                actor=student,
                excerpt=note,
            )
        if task.status == STATUS.ASSIGNED:
            activation.unassign()
        Event.objects.create(
            request=clearance_request,
            kind=Event.Kind.RESUBMITTED,
            office=office,
            actor=student,
            note=note.strip(),
            details={"changed": changed, "documents": added},
            task_id=task.pk,
            ip_address=ip,
        )
    return clearance_request


@transaction.atomic
def request_cancel(
    *, clearance_request: ClearanceRequest, student: User, ip: str | None = None
) -> ClearanceRequest:
    """Withdraw an open request; its open office task is cancelled."""
    with process_lock(clearance_request.process_id):
        clearance_request = ClearanceRequest.objects.get(pk=clearance_request.pk)
        if clearance_request.student_id != student.pk:
            raise ActionRefused(_("This is not your request."))
        if not clearance_request.is_open:
            raise ActionRefused(_("Only an open request can be cancelled."))
        assert clearance_request.process is not None
        ClearanceFlow.instance.cancel(clearance_request.process)
        clearance_request.status = ClearanceRequest.Status.CANCELLED
        clearance_request.closed = timezone.now()
        clearance_request.current_office = None
        clearance_request.save(update_fields=["status", "closed", "current_office", "updated"])
        Event.objects.create(
            request=clearance_request, kind=Event.Kind.CANCELLED, actor=student, ip_address=ip
        )
    return clearance_request


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
    if not clearance_request.is_open:
        raise ActionRefused(_("This request is closed; it takes no new messages or documents."))
    if clearance_request.student_id == author.pk and (internal or office):
        raise ActionRefused(_("Students cannot write internal notes."))
    comment = Comment.objects.create(
        request=clearance_request, author=author, body=body, internal=internal, office=office
    )
    attach_documents(
        clearance_request=clearance_request, uploads=documents, by=author, comment=comment
    )
    if office is not None and not internal:
        notify_student(
            clearance_request=clearance_request,
            kind=Notification.Kind.MESSAGE,
            office=office,
            actor=author,
            excerpt=body,
        )
    elif clearance_request.student_id == author.pk:
        _tell_the_expert_holding_it(clearance_request, author=author, body=body)
    return comment


def _tell_the_expert_holding_it(
    clearance_request: ClearanceRequest, *, author: User, body: str
) -> None:
    """The student answered: the expert holding the request's task hears of it."""
    task = open_task(clearance_request)
    if task is None or task.owner_id is None:
        return  # waiting in a queue: whoever claims it reads the thread
    notify_expert(
        expert_id=task.owner_id,
        clearance_request=clearance_request,
        task_id=task.pk,
        kind=Notification.Kind.REPLIED,
        office=office_of(task),
        actor=author,
        excerpt=body,
    )
