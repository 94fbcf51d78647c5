"""Reads that enforce who may see what: a student their own requests, an expert their office's."""

from django.db.models import Count, QuerySet
from django.http import Http404
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from accounts.backends import OfficeRoleBackend
from accounts.models import Office, User
from clearance.flows import office_steps
from clearance.models import ClearanceRequest

_backend = OfficeRoleBackend()

OPEN_TASK_STATUSES = (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED)


def office_of(task: Task) -> Office:
    """The office whose step this task is (the node's office code names its row)."""
    return Office.objects.get(code=task.flow_task.office_code)


def open_task(clearance_request: ClearanceRequest) -> Task | None:
    """The office task the request waits on, if any."""
    return (
        Task.objects.filter(
            process_id=clearance_request.process_id,
            status__in=OPEN_TASK_STATUSES,
            flow_task_type="HUMAN",
        )
        .order_by("-created")
        .first()
    )


def office_permissions(user: User) -> set[str]:
    return _backend.get_office_permissions(user)


def is_officer(user: User) -> bool:
    return user.is_authenticated and bool(office_permissions(user))


def request_for_student(*, pk: int, user: User) -> ClearanceRequest:
    """The student's own request, or 404 — never another student's."""
    try:
        return ClearanceRequest.objects.select_related(
            "request_type", "faculty", "current_office"
        ).get(pk=pk, student=user)
    except ClearanceRequest.DoesNotExist as exc:
        raise Http404 from exc


def requests_visible_to_officer(user: User) -> QuerySet[ClearanceRequest]:
    """Requests that have reached one of the expert's offices (and faculty, where scoped)."""
    reached = Task.objects.filter(
        flow_task_type="HUMAN", owner_permission__in=office_permissions(user)
    ).values("process_id")
    return ClearanceRequest.objects.filter(process_id__in=reached)


def request_for_viewer(*, pk: int, user: User) -> ClearanceRequest:
    """A request its student or a covering expert may see; 404 for everyone else."""
    queryset = ClearanceRequest.objects.filter(pk=pk)
    visible = queryset.filter(student=user) | queryset.filter(
        pk__in=requests_visible_to_officer(user).values("pk")
    )
    request = visible.select_related("request_type", "faculty", "current_office").first()
    if request is None:
        raise Http404
    return request


def tasks_for_officer(user: User) -> QuerySet[Task]:
    """Office tasks (open or done) whose office and faculty the user's roles cover."""
    return Task.objects.filter(
        flow_task_type="HUMAN", owner_permission__in=office_permissions(user)
    )


def task_for_officer(*, pk: int, user: User) -> Task:
    """One task the expert's roles cover, or 404 — never another faculty's."""
    task = tasks_for_officer(user).select_related("owner", "process").filter(pk=pk).first()
    if task is None:
        raise Http404
    return task


def queue_for_officer(user: User) -> QuerySet[Task]:
    """Unclaimed tasks waiting for one of the expert's offices."""
    return tasks_for_officer(user).filter(
        status=STATUS.NEW, process__clearance_request__status=ClearanceRequest.Status.IN_PROGRESS
    )


def next_task_for_officer(user: User, *, after: Task) -> Task | None:
    """The task to open after deciding one: the oldest waiting at the same office, else any."""
    waiting = queue_for_officer(user).exclude(pk=after.pk).order_by("created")
    return waiting.filter(flow_task=after.flow_task).first() or waiting.first()


def officer_offices(user: User) -> QuerySet[Office]:
    codes = {p.split(".")[2] for p in office_permissions(user)}
    return Office.objects.filter(code__in=codes)


def waiting_counts(user: User) -> list[tuple[Office, int]]:
    """How many unclaimed tasks wait at each of the expert's offices (for the menu)."""
    counts = {
        node.name: n
        for node, n in queue_for_officer(user)
        .order_by()
        .values_list("flow_task")
        .annotate(n=Count("pk"))
    }
    return [(office, counts.get(office.code, 0)) for office in officer_offices(user)]


def chain_steps(clearance_request: ClearanceRequest) -> list[tuple[Office, str]]:
    """Every office of the flow for this request: done, now, skipped (a branch not taken) or
    ahead — read from the request's office tasks in one query."""
    states: dict[str, str] = {}
    steps = office_steps()
    for node, status in (
        Task.objects.filter(process_id=clearance_request.process_id, flow_task_type="HUMAN")
        .order_by("created", "pk")
        .values_list("flow_task", "status")
    ):
        if node.name == steps[0].name and states:
            states = {}  # the chain restarted (the request moved to another faculty)
        if status == STATUS.DONE:
            states[node.name] = "done"
        elif status in OPEN_TASK_STATUSES:
            states.setdefault(node.name, "now")
    offices = Office.objects.in_bulk(field_name="code")
    reached = [i for i, node in enumerate(steps) if node.name in states]
    last = max(reached, default=-1)
    chain = []
    for position, node in enumerate(steps):
        state = states.get(node.name) or ("skipped" if position < last else "ahead")
        chain.append((offices[node.office_code], state))
    return chain
