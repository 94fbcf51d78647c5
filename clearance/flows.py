"""The clearance process: one task per office, in the order the university runs it.

A return to the student is not a branch of this flow: the office's task stays open and
waits while the student corrects the request (``services.request_return`` /
``request_resubmit``), then goes back to that office's queue. So the request resumes at the
office that returned it and earlier approvals stand, as DESIGN §3 asks.
"""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow, lock
from viewflow.workflow.activation import Activation

from accounts.models import office_permission
from clearance.models import ClearanceProcess


def office_step(code: str, title: str | Promise, *, faculty_scoped: bool) -> flow.View:
    """A task for one office; faculty offices only for experts of the request's faculty."""

    def permission(activation: Activation) -> str:
        faculty = activation.process.clearance.faculty.code if faculty_scoped else None
        return office_permission(code, faculty)

    # The office screens are Tasvieh's own (clearance.views.task_detail); viewflow's
    # generic task views are never routed, so the view here is only documentation.
    return flow.View("clearance.views.task_detail").Annotation(title=title).Permission(permission)


class ClearanceFlow(flow.Flow):
    process_class = ClearanceProcess
    # Wait for the process row instead of viewflow's default nowait-and-retry: that retry
    # swallows the lock error inside a savepoint, which breaks our atomic service calls.
    lock_impl = lock.SelectForUpdateLock(nowait=False)
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
    secretariat = office_step("secretariat", _("Secretariat"), faculty_scoped=True).Next(
        this.council
    )
    council = office_step("council", _("Disciplinary council"), faculty_scoped=False).Next(
        this.nutrition
    )
    nutrition = office_step("nutrition", _("Nutrition office"), faculty_scoped=False).Next(
        this.dormitory
    )
    dormitory = office_step("dormitory", _("Dormitory office"), faculty_scoped=False).Next(
        this.lived_in_dormitory
    )
    lived_in_dormitory = (
        flow.If(this.had_dormitory).Then(this.it).Else(this.loan_fund)
    ).Annotation(title=_("Had a dormitory?"))
    it = office_step("it", _("IT office"), faculty_scoped=False).Next(this.loan_fund)
    loan_fund = office_step("loan_fund", _("Loan fund"), faculty_scoped=False).Next(this.welfare)
    welfare = office_step("welfare", _("Welfare office"), faculty_scoped=False).Next(
        this.faculty_closure
    )
    faculty_closure = office_step(
        "faculty_closure", _("Faculty closure"), faculty_scoped=True
    ).Next(this.cleared)
    cleared = flow.Function(this.mark_cleared).Next(this.end)
    end = flow.End()

    def start_request(self, activation: Activation, *, clearance_request) -> ClearanceProcess:  # type: ignore[no-untyped-def]
        activation.process.save()
        clearance_request.process = activation.process
        clearance_request.save(update_fields=["process"])
        return activation.process

    def had_dormitory(self, activation: Activation) -> bool:
        return bool(activation.process.clearance.had_dormitory)

    def mark_cleared(self, activation: Activation) -> None:
        from clearance.services import request_mark_cleared

        request_mark_cleared(clearance_request=activation.process.clearance)
