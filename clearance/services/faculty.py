"""The education office moves a request filed under the wrong faculty."""

from django.db import transaction
from django.utils.translation import gettext as _
from viewflow.workflow.models import Task

from accounts.models import Faculty, User, office_permission
from accounts.offices import office_by_code
from clearance.access import OPEN_TASK_STATUSES
from clearance.exceptions import ActionRefused
from clearance.flows import ClearanceFlow
from clearance.models import ClearanceRequest, Event, FieldOfStudy, Notification
from clearance.notifications import notify_student
from clearance.services.common import activation_of, process_lock, refuse_own_request
from clearance.services.notifications import notifications_read


def may_change_faculty(clearance_request: ClearanceRequest, user: User) -> bool:
    """The education office of the request's faculty may move an open request."""
    return (
        clearance_request.is_open
        and clearance_request.student_id != user.pk
        and user.has_perm(office_permission("education", clearance_request.faculty.code))
    )


@transaction.atomic
def request_faculty_change(
    *,
    clearance_request: ClearanceRequest,
    user: User,
    faculty: Faculty,
    field_of_study: FieldOfStudy,
    reason: str,
    ip: str | None = None,
) -> ClearanceRequest:
    """Move the request to the right faculty; the chain restarts at its education office.

    Through viewflow's own activations: every open task is cancelled, and a new education
    task is created after it, so the process stays one consistent chain of tasks. Earlier
    approvals stay in the history; the new faculty's offices decide afresh.
    """
    reason = reason.strip()
    if not reason:
        raise ActionRefused(_("Say why the request moves to another faculty."))
    with process_lock(clearance_request.process_id):
        clearance_request = ClearanceRequest.objects.select_related("faculty").get(
            pk=clearance_request.pk
        )
        refuse_own_request(clearance_request, user)
        if not may_change_faculty(clearance_request, user):
            raise ActionRefused(
                _("Only the education office of the request's faculty can move an open request.")
            )
        if faculty.pk == clearance_request.faculty_id:
            raise ActionRefused(_("The request is already in this faculty."))
        if field_of_study.faculty_id != faculty.pk or not field_of_study.is_active:
            raise ActionRefused(
                _("“%(field)s” is not offered at this faculty.") % {"field": field_of_study}
            )
        previous = clearance_request.faculty
        clearance_request.faculty = faculty
        clearance_request.field_of_study = field_of_study
        clearance_request.degree_id = field_of_study.degree_id
        clearance_request.status = ClearanceRequest.Status.IN_PROGRESS
        clearance_request.return_reason = ""
        clearance_request.save(
            update_fields=[
                "faculty",
                "field_of_study",
                "degree",
                "status",
                "return_reason",
                "updated",
            ]
        )
        # The tasks share this request object (the process caches it), so the new task's
        # permission is computed from the new faculty.
        process = clearance_request.process
        cancelled = None
        for task in Task.objects.filter(process=process, status__in=OPEN_TASK_STATUSES):
            task.process = process
            cancelled = activation_of(task)
            cancelled.cancel()
        if cancelled is None:
            raise ActionRefused(_("The request waits at no office; nothing was changed."))
        education = ClearanceFlow.instance.education
        # Its permission is computed from the request's new faculty; its onCreate hook
        # puts the request back at the education office.
        restarted = education.activation_class.create(education, cancelled, cancelled.task.token)
        restarted.activate()
        Event.objects.create(
            request=clearance_request,
            kind=Event.Kind.MOVED,
            office=clearance_request.current_office,
            actor=user,
            note=reason,
            details={"from_faculty": previous.code, "to_faculty": faculty.code},
            task_id=restarted.task.pk,
            ip_address=ip,
        )
        notify_student(
            clearance_request=clearance_request,
            kind=Notification.Kind.MOVED,
            office=office_by_code("education"),
            actor=user,
            excerpt=reason,
        )
        # A return no longer stands: the student is not asked for a correction any more.
        notifications_read(
            user=clearance_request.student,
            request_id=clearance_request.pk,
            kinds=(Notification.Kind.RETURNED,),
        )
    return clearance_request
