"""Helpers shared by the actions: the refusal error, task locking and small reads."""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext as _
from viewflow.workflow.exceptions import FlowLockFailed
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from accounts.models import Office, User
from clearance.flows import ClearanceFlow
from clearance.models import ClearanceRequest, Comment, Document, Event

OPEN_TASK_STATUSES = (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED)


class ActionRefused(Exception):
    """An action that cannot be done now; the message is shown to the user as is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def activation_of(task: Task) -> Any:
    return task.flow_task.activation_class(task)


def office_of(task: Task) -> Office:
    return Office.objects.get(code=task.flow_task.name)


def attach_documents(
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


def open_task(clearance_request: ClearanceRequest) -> Task | None:
    return (
        Task.objects.filter(
            process_id=clearance_request.process_id,
            status__in=OPEN_TASK_STATUSES,
            flow_task_type="HUMAN",
        )
        .order_by("-created")
        .first()
    )


def sync_current_office(clearance_request: ClearanceRequest) -> None:
    task = open_task(clearance_request)
    clearance_request.current_office = office_of(task) if task else None
    clearance_request.save(update_fields=["current_office", "updated"])


@contextmanager
def process_lock(process_id: int | None) -> Iterator[None]:
    """Hold the request's process row for the rest of the transaction."""
    try:
        with ClearanceFlow.lock(process_id):
            yield
    except FlowLockFailed as exc:
        raise ActionRefused(
            _("Someone else is working on this request right now; try again in a moment.")
        ) from exc


@contextmanager
def locked_task(task: Task) -> Iterator[Task]:
    """Lock the request's process row, then re-read the task so decisions see fresh state."""
    with process_lock(task.process_id):
        yield Task.objects.select_related("owner").get(pk=task.pk)


def refuse_unless_workable(task: Task, user: User, *, need_owner: bool) -> ClearanceRequest:
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


def waited_seconds(task: Task) -> int:
    return int((timezone.now() - task.created).total_seconds())


def task_event(
    task: Task,
    clearance_request: ClearanceRequest,
    kind: str,
    *,
    user: User,
    ip: str | None,
    **fields: Any,
) -> Event:
    """Record what an expert did to a task, in the request's history."""
    return Event.objects.create(
        request=clearance_request,
        kind=kind,
        office=office_of(task),
        actor=user,
        task_id=task.pk,
        ip_address=ip,
        **fields,
    )
