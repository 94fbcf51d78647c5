"""The clearance process: one task per office, in the order the university runs it.

A return to the student is not a branch of this flow: the office's task stays open and
waits while the student corrects the request (``services.request_return`` /
``request_resubmit``), then goes back to that office's queue. So the request resumes at the
office that returned it and earlier approvals stand, as DESIGN §3 asks.
"""

import secrets
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow, lock
from viewflow.workflow.activation import Activation
from viewflow.workflow.exceptions import FlowLockFailed

from accounts.models import office_permission
from accounts.offices import office_by_code
from clearance.decisions import (
    Decision,
    DormitoryDecision,
    LetterDecision,
    WelfareDecision,
)
from clearance.models import ClearanceProcess, ClearanceRequest, Event, Notification
from clearance.notifications import notify_student


class OfficeStep(flow.View):
    """A task for one office; faculty offices only for experts of the request's faculty.

    ``decision`` is what the office records when it approves (clearance.decisions).
    """

    def __init__(self, code: str, *, faculty_scoped: bool, decision: Decision) -> None:
        # The office screens are Tasvieh's own (clearance.views.office); viewflow's
        # generic task views are never routed, so the view here is only documentation.
        super().__init__("clearance.views.office.task_detail")
        self.office_code = code
        self.faculty_scoped = faculty_scoped
        self.decision = decision
        self.Permission(self.permission_for).onCreate(self.enter_office)

    def permission_for(self, activation: Activation) -> str:
        process = activation.process
        faculty = process.clearance.faculty.code if self.faculty_scoped else None
        return office_permission(self.office_code, faculty)

    def enter_office(self, activation: Activation) -> None:
        """The request now waits at this office (what "my requests" and the queues show)."""
        clearance_request = activation.process.clearance
        clearance_request.current_office = office_by_code(self.office_code)
        clearance_request.save(update_fields=["current_office", "updated"])


def office_step(
    code: str,
    title: str | Promise,
    *,
    faculty_scoped: bool,
    decision: type[Decision] = Decision,
) -> flow.View:
    """One office's step, with the title shown in queues and on the timeline."""
    return OfficeStep(code, faculty_scoped=faculty_scoped, decision=decision()).Annotation(
        title=title
    )


class ProcessRowLock(lock.SelectForUpdateLock):
    """Wait for the process row inside the caller's transaction.

    viewflow's own lock tries ``nowait`` and retries, each attempt in a savepoint: the retry
    swallows the lock error inside our atomic actions, and the savepoint costs two round
    trips on every action. Here the action simply waits its turn; a lock error (a deadlock
    PostgreSQL broke) fails the whole action, which ``process_lock`` turns into a refusal.
    """

    def __init__(self) -> None:
        super().__init__(nowait=False, attempts=1)

    @contextmanager
    def __call__(self, flow_class: type[flow.Flow], process_pk: int) -> Iterator[None]:
        with transaction.atomic(savepoint=False):
            try:
                rows = flow_class.process_class._default_manager.filter(pk=process_pk)
                rows.select_for_update().exists()
            except DatabaseError as exc:
                raise FlowLockFailed(f"Lock failed for {flow_class}") from exc
            yield


class ClearanceFlow(flow.Flow):
    process_class = ClearanceProcess
    lock_impl = ProcessRowLock()
    process_title = _("Student clearance")

    start = flow.StartHandle(this.start_request).Next(this.education)

    education = office_step("education", _("Education office"), faculty_scoped=True).Next(
        this.student_affairs
    )
    student_affairs = office_step(
        "student_affairs", _("Student affairs"), faculty_scoped=True
    ).Next(this.cultural_deputy)
    cultural_deputy = office_step(
        "cultural_deputy", _("Cultural deputy"), faculty_scoped=True
    ).Next(this.secretariat)
    secretariat = office_step(
        "secretariat", _("Secretariat"), faculty_scoped=True, decision=LetterDecision
    ).Next(this.council)
    council = office_step("council", _("Disciplinary council"), faculty_scoped=False).Next(
        this.nutrition
    )
    nutrition = office_step("nutrition", _("Nutrition office"), faculty_scoped=False).Next(
        this.dormitory
    )
    dormitory = office_step(
        "dormitory", _("Dormitory office"), faculty_scoped=False, decision=DormitoryDecision
    ).Next(this.lived_in_dormitory)
    lived_in_dormitory = (
        flow.If(this.had_dormitory).Then(this.it).Else(this.loan_fund)
    ).Annotation(title=_("Had a dormitory?"))
    it = office_step("it", _("IT office"), faculty_scoped=False).Next(this.loan_fund)
    loan_fund = office_step("loan_fund", _("Loan fund"), faculty_scoped=False).Next(this.welfare)
    welfare = office_step(
        "welfare", _("Welfare office"), faculty_scoped=False, decision=WelfareDecision
    ).Next(this.faculty_closure)
    faculty_closure = office_step(
        "faculty_closure", _("Faculty closure"), faculty_scoped=True
    ).Next(this.cleared)
    cleared = flow.Function(this.mark_cleared).Next(this.end)
    end = flow.End()

    def start_request(self, activation: Activation, *, clearance_request) -> ClearanceProcess:  # type: ignore[no-untyped-def]
        activation.process.save()
        # Also caches the request on the process, for the nodes that follow.
        clearance_request.process = activation.process
        clearance_request.save(update_fields=["process"])
        return activation.process

    def had_dormitory(self, activation: Activation) -> bool:
        return bool(activation.process.clearance.had_dormitory)

    def mark_cleared(self, activation: Activation) -> None:
        """The faculty closed the request: it is cleared and its certificate issued."""
        clearance_request = activation.process.clearance
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
        notify_student(clearance_request=clearance_request, kind=Notification.Kind.CLEARED)


def office_steps() -> list[OfficeStep]:
    """The office nodes in the order a request meets them (every branch of a gate)."""
    order: list[OfficeStep] = []
    seen: set[object] = set()

    def visit(node: object) -> None:
        if node in seen:
            return
        seen.add(node)
        if isinstance(node, OfficeStep):
            order.append(node)
        for edge in node._outgoing():  # type: ignore[attr-defined]
            visit(edge.dst)

    visit(ClearanceFlow.instance.start)
    return order
