"""Reads that enforce who may see what: a student their own requests, an expert their office's."""

from collections import Counter
from collections.abc import Iterable

from django.db.models import Count, Exists, OuterRef, QuerySet
from django.http import Http404
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from accounts import tables
from accounts.backends import OfficeRoleBackend
from accounts.models import Faculty, Office, User
from accounts.offices import office_by_code, offices
from clearance import waiting
from clearance.flows import office_steps
from clearance.models import ClearanceRequest, Event

_backend = OfficeRoleBackend()

OPEN_TASK_STATUSES = (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED)

# What a list shows of each request, from the tables' copies (accounts.tables).
REQUEST_ROW_RELATED = ("request_type", "faculty", "current_office")

# What the request page shows beside the request itself: rows of small tables, given from
# this process's copies (accounts.tables) rather than joined into the query.
REQUEST_PAGE_RELATED = (
    "request_type",
    "place_of_issue",
    "marital_status",
    "gender",
    "education_status",
    "faculty",
    "field_of_study",
    "degree",
    "current_office",
)


def office_of(task: Task) -> Office:
    """The office whose step this task is (the node's office code names its row)."""
    return office_by_code(task.flow_task.office_code)


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
        request = ClearanceRequest.objects.get(pk=pk, student=user)
    except ClearanceRequest.DoesNotExist as exc:
        raise Http404 from exc
    tables.attach(request, *REQUEST_PAGE_RELATED)
    return request


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
    request = visible.first()
    if request is None:
        raise Http404
    tables.attach(request, *REQUEST_PAGE_RELATED)
    return request


def tasks_for_officer(user: User) -> QuerySet[Task]:
    """Office tasks (open or done) whose office and faculty the user's roles cover."""
    return _office_tasks(office_permissions(user))


def _office_tasks(permissions: Iterable[str]) -> QuerySet[Task]:
    return Task.objects.filter(flow_task_type="HUMAN", owner_permission__in=permissions)


def _office_code(permission: str) -> str:
    """The office a role's permission names: clearance.office.<office>[.<faculty>]."""
    return permission.split(".")[2]


def task_for_officer(*, pk: int, user: User) -> Task:
    """One task the expert's roles cover, or 404 — never another faculty's.

    The task comes with its request in one query, and what the request's page shows from
    the tables' copies. Not with its owner: joining the users table there lets PostgreSQL
    walk all users in key order up to a recently created expert (15 ms at 100k students);
    the owner is most often nobody or this expert, and only a colleague's name costs a
    lookup of its own.
    """
    task = (
        tasks_for_officer(user).select_related("process__clearance_request").filter(pk=pk).first()
    )
    if task is None:
        raise Http404
    tables.attach(task.process.clearance_request, *REQUEST_PAGE_RELATED)
    if task.owner_id == user.pk:
        task.owner = user
    return task


def with_requests(tasks: QuerySet[Task], requests: QuerySet[ClearanceRequest]) -> QuerySet[Task]:
    """Only the tasks whose request is among ``requests``.

    A semi-join on the request's ``process_id`` (unique), so PostgreSQL walks the tasks'
    own index and probes each request once, instead of joining the process table too.
    """
    return tasks.filter(process_id__in=requests.values("process_id"))


def queue_for_officer(user: User) -> QuerySet[Task]:
    """Unclaimed tasks waiting for one of the expert's offices.

    Only a returned request's task can be unclaimed without its request being in progress
    (a supervisor took it back while the student corrects it): cancelling a request cancels
    its tasks and a cleared one has none open. So the queue leaves out the few returned
    requests (an anti-join on a small partial index) rather than checking every task's
    request against all those in progress.
    """
    return _unclaimed(office_permissions(user))


def _unclaimed(permissions: Iterable[str]) -> QuerySet[Task]:
    returned = ClearanceRequest.objects.filter(
        process_id=OuterRef("process_id"), status=ClearanceRequest.Status.RETURNED
    )
    return _office_tasks(permissions).filter(status=STATUS.NEW).filter(~Exists(returned))


def next_task_for_officer(user: User, *, after: Task) -> Task | None:
    """The task to open after deciding one: the oldest waiting at the same office, else any.

    The same office's oldest is one walk of the queue's partial index (owner permission,
    created), whatever the length of the queue; only when that office has nothing left does
    a second query look at the expert's other offices, if they have any.
    """
    waiting = queue_for_officer(user).exclude(pk=after.pk).order_by("created")
    same_office = waiting.filter(owner_permission=after.owner_permission).first()
    if same_office is not None or office_permissions(user) == {after.owner_permission}:
        return same_office
    return waiting.first()


def officer_offices(user: User) -> list[Office]:
    codes = {_office_code(p) for p in office_permissions(user)}
    return [office for code, office in offices().items() if code in codes]


def officer_faculties(user: User) -> list[Faculty]:
    """The active faculties whose requests the expert's roles reach (for the lists' filter):
    every faculty for the holder of a university office's role."""
    faculties = tables.active(Faculty)
    # A role's permission is clearance.office.<office>[.<faculty>] (accounts.office_permission).
    scopes = [p.split(".")[3:] for p in office_permissions(user)]
    if any(not scope for scope in scopes):
        return faculties
    return [faculty for faculty in faculties if [faculty.code] in scopes]


_WAITING = "_tasvieh_waiting_counts"


def waiting_counts(user: User) -> list[tuple[Office, int]]:
    """How many unclaimed tasks wait at each of the expert's offices (for the menu).

    Kept on the user object, so the menu and the queue page share it, and per permission
    for a few seconds (clearance.waiting), so the experts of an office share it too.
    """
    if not hasattr(user, _WAITING):
        per_permission = waiting.counts(office_permissions(user), _count_unclaimed)
        per_office: Counter[str] = Counter()
        for permission, n in per_permission.items():
            per_office[_office_code(permission)] += n
        setattr(
            user,
            _WAITING,
            [(office, per_office[office.code]) for office in officer_offices(user)],
        )
    return getattr(user, _WAITING)


def _count_unclaimed(permissions: list[str]) -> dict[str, int]:
    """One grouped count of the unclaimed tasks under each of ``permissions``."""
    return dict(
        _unclaimed(permissions)
        .order_by()
        .values_list("owner_permission")
        .annotate(n=Count("*"))
        .values_list("owner_permission", "n")
    )


def chain_steps(
    clearance_request: ClearanceRequest, history: Iterable[Event] | None = None
) -> list[tuple[Office, str]]:
    """Every office of the flow for this request: done, now, skipped (a branch not taken) or
    ahead.

    Read from the request's history (each approval is an event; a move to another faculty
    starts the chain again) and the office it waits at now, so the request page, which
    shows the history anyway, spends no query on it.
    """
    if history is None:
        history = clearance_request.events.select_related("office")
    states: dict[str, str] = {}
    for event in history:
        if event.kind == Event.Kind.MOVED:
            states = {}
        elif event.kind == Event.Kind.APPROVED and event.office is not None:
            states[event.office.code] = "done"
    if clearance_request.is_open and clearance_request.current_office is not None:
        states.setdefault(clearance_request.current_office.code, "now")
    by_code = offices()
    steps = office_steps()
    reached = [i for i, node in enumerate(steps) if node.office_code in states]
    last = max(reached, default=-1)
    chain = []
    for position, node in enumerate(steps):
        state = states.get(node.office_code) or ("skipped" if position < last else "ahead")
        chain.append((by_code[node.office_code], state))
    return chain
