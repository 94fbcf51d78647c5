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
from clearance.access import OPEN_TASK_STATUSES, office_of
from clearance.exceptions import ActionRefused
from clearance.flows import ClearanceFlow
from clearance.models import ClearanceRequest, Comment, Document, Event


def activation_of(task: Task) -> Any:
    return task.flow_task.activation_class(task)


def attach_documents(
    *,
    clearance_request: ClearanceRequest,
    uploads: Iterable[UploadedFile],
    by: User,
    comment: Comment | None = None,
) -> int:
    """Store the uploads on the request (and the comment, if any); return how many."""
    added = 0
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
        added += 1
    return added


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
    """Lock the request's process row, then re-read the task so decisions see fresh state.

    Two statements, not one ``SELECT … FOR UPDATE OF process``: under READ COMMITTED a
    statement that waited for the lock still sees the other rows it joins (the task, the
    request) as they were before the winner committed. The re-read after the lock sees them
    as the winner left them.

    The task comes with its process, the process's request and its faculty (which the next
    faculty office's permission names), so the flow's hooks and the action share one request
    object and nothing is read twice. Not with its owner (see ``access.task_for_officer``):
    only a refusal names them.
    """
    with process_lock(task.process_id):
        yield Task.objects.select_related("process__clearance_request__faculty").get(pk=task.pk)


def refuse_unless_workable(task: Task, user: User, *, need_owner: bool) -> ClearanceRequest:
    """The task's request, if this user may act on the task now; else say why not."""
    clearance_request: ClearanceRequest = task.process.clearance_request
    # The most telling reason first: a cancelled request explains a cancelled task.
    if clearance_request.status == ClearanceRequest.Status.CANCELLED:
        raise ActionRefused(_("The student cancelled this request; nothing was changed."))
    if task.status == STATUS.CANCELED:
        raise ActionRefused(
            _("This step was cancelled (the request was moved on); nothing was changed.")
        )
    if task.status not in OPEN_TASK_STATUSES:
        who = task.owner.get_full_name() or task.owner.username if task.owner else "-"
        raise ActionRefused(
            _("This step was already completed by %(who)s; nothing was changed.") % {"who": who}
        )
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


def refuse_own_request(clearance_request: ClearanceRequest, user: User) -> None:
    """No one decides their own request: it stays in the queue for a colleague."""
    if clearance_request.student_id == user.pk:
        raise ActionRefused(
            _(
                "This is your own request: you cannot claim or decide it. It stays in the "
                "office queue for a colleague."
            )
        )


def waited_seconds(task: Task) -> int:
    return int((timezone.now() - task.created).total_seconds())


def task_event(
    task: Task,
    clearance_request: ClearanceRequest,
    kind: str,
    *,
    user: User,
    ip: str | None,
    office: Office | None = None,
    **fields: Any,
) -> Event:
    """Record what an expert did to a task, in the request's history."""
    return Event.objects.create(
        request=clearance_request,
        kind=kind,
        office=office or office_of(task),
        actor=user,
        task_id=task.pk,
        ip_address=ip,
        **fields,
    )
