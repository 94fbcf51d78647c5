"""EXPLAIN (ANALYZE, BUFFERS) of the busiest queries: as they were, and as they are.

"Before" runs the query shapes of the code before issue 11 (the queue joined through
viewflow's process table) inside a transaction that drops the indexes and statistics issue
11 added, then rolls back; "after" is the code as it is, with its indexes.
"""

from django.db import connection, transaction
from django.db.models import Count, Q, QuerySet
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from accounts.models import User
from clearance import access
from clearance.models import ClearanceRequest

ADDED_INDEXES = [
    "tasvieh_task_queue",
    "tasvieh_task_mine",
    "tasvieh_task_handled",
    "tasvieh_task_open",
    "request_national_code",
    "request_student_number",
    "request_full_name_trigram",
]
ADDED_STATISTICS = ["tasvieh_task_owner_permission"]


class _Rollback(Exception):
    pass


def explain(queryset: QuerySet, *, count: bool = False) -> str:
    sql, params = queryset.query.sql_with_params()
    if count:  # as the paginator counts (PostgreSQL flattens the subquery)
        sql = f"SELECT count(*) FROM ({sql}) AS rows"
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def a_name(user: User) -> str:
    """The first name of the student at the head of the user's queue (a common one)."""
    head = access.queue_for_officer(user).order_by("created").first()
    assert head is not None
    return str(ClearanceRequest.objects.get(process_id=head.process_id).full_name.split()[0])


def before(user: User, education: User) -> dict[str, QuerySet]:
    """The shapes as they were: every request field reached through the process table."""
    tasks = Task.objects.filter(
        flow_task_type="HUMAN", owner_permission__in=access.office_permissions(user)
    )
    queue = tasks.filter(
        status=STATUS.NEW, process__clearance_request__status=ClearanceRequest.Status.IN_PROGRESS
    )
    handled = tasks.filter(owner=user, status=STATUS.DONE)
    some = ClearanceRequest.objects.order_by("pk").values_list("national_code", flat=True)[:1]
    education_handled = Task.objects.filter(
        flow_task_type="HUMAN",
        owner_permission__in=access.office_permissions(education),
        owner=education,
        status=STATUS.DONE,
    )
    return {
        "queue, search by name": queue.filter(
            process__clearance_request__full_name__icontains=a_name(user)
        ).order_by("created")[:25],
        "handled by me, first page (an education expert)": education_handled.order_by("-finished")[
            :25
        ],
        "queue count": queue.order_by().values("pk"),
        "queue, first page": queue.order_by("created")[:25],
        "menu counts": queue.order_by().values("flow_task").annotate(n=Count("pk")),
        "handled by me, first page": handled.order_by("-finished")[:25],
        "handled by me, search by national code": handled.filter(
            process__clearance_request__national_code=some[0]
        ).order_by("-finished")[:25],
    }


def after(user: User, education: User) -> dict[str, QuerySet]:
    tasks = access.tasks_for_officer(user)
    queue = access.queue_for_officer(user)
    handled = tasks.filter(owner=user, status=STATUS.DONE)
    some = ClearanceRequest.objects.order_by("pk").values_list("national_code", flat=True)[:1]
    name = a_name(user)
    matching = ClearanceRequest.objects.filter(
        Q(student_number=name) | Q(national_code=name) | Q(full_name__icontains=name)
    )
    return {
        "queue, search by name": access.with_requests(queue, matching).order_by("created")[:25],
        "handled by me, first page (an education expert)": access.tasks_for_officer(education)
        .filter(owner=education, status=STATUS.DONE)
        .order_by("-finished")[:25],
        "queue count": queue.order_by().values("pk"),
        "queue, first page": queue.order_by("created")[:25],
        "menu counts": queue.order_by().values("flow_task").annotate(n=Count("*")),
        "handled by me, first page": handled.order_by("-finished")[:25],
        "handled by me, search by national code": access.with_requests(
            handled, ClearanceRequest.objects.filter(national_code=some[0])
        ).order_by("-finished")[:25],
    }


def explain_all(username: str = "nutrition") -> dict[str, str]:
    user = User.objects.get(username=username)
    education = User.objects.get(username="education.medicine")
    plans = {}
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                for index in ADDED_INDEXES:
                    cursor.execute(f"DROP INDEX IF EXISTS {index}")
                for statistics in ADDED_STATISTICS:
                    cursor.execute(f"DROP STATISTICS IF EXISTS {statistics}")
            for name, queryset in before(user, education).items():
                plans[f"{name} — before"] = explain(queryset, count="count" in name)
            raise _Rollback
    except _Rollback:
        pass
    for name, queryset in after(user, education).items():
        plans[f"{name} — after"] = explain(queryset, count="count" in name)
    return dict(sorted(plans.items()))
