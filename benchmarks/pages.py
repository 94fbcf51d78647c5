"""The pages and actions `make bench` measures on the seeded database, each as its user.

Reads first (they see the dataset as seeded), then the actions, which use up waiting tasks.
"""

from typing import Any

from django.db import connection
from django.test import Client
from django.urls import reverse
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from accounts.models import Faculty, Office, Role, User
from benchmarks.measure import Figure, interleaved, page, streamed, timed
from clearance import access, services
from clearance.demo import form_values, post_data
from clearance.flows import ClearanceFlow
from clearance.models import ClearanceRequest
from clearance.views.office import _task_rows

DEEP_PAGE = 50
BULK = 25
# Offices whose decision a bulk approval may take (their Decision.bulk), for the bulk runs.
BULK_OFFICES = ["council", "nutrition", "it", "loan_fund"]


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def waiting_tasks(offices: list[str]) -> list[Task]:
    """Unclaimed tasks of these offices whose request waits for them, oldest first."""
    nodes = [ClearanceFlow.instance.node(office) for office in offices]
    return list(
        access.with_requests(
            Task.objects.filter(status=STATUS.NEW, flow_task__in=nodes),
            ClearanceRequest.objects.filter(status=ClearanceRequest.Status.IN_PROGRESS),
        ).order_by("created")
    )


def student_pages(runs: int) -> list[Figure]:
    req = (
        ClearanceRequest.objects.filter(
            status=ClearanceRequest.Status.IN_PROGRESS, student__username__startswith="student"
        )
        .order_by("pk")
        .first()
    )
    assert req is not None, "no seeded request in progress"
    client = signed_in(req.student)
    faculty = Faculty.objects.get(code="medicine")
    first = User.objects.filter(username__startswith="newcomer").count()
    count = runs + 3
    newcomers = [
        signed_in(User.objects.create(username=f"newcomer{first + n}")) for n in range(count)
    ]
    posts = [
        post_data(form_values(serial=7_000_000 + first + n, faculty=faculty)) for n in range(count)
    ]

    def submit(i: int) -> None:
        response = newcomers[i].post(reverse("request_create"), posts[i])
        assert response.status_code == 302, response.content.decode()[:2000]

    return [
        timed("my requests", page(client, reverse("request_list")), runs=runs),
        timed("request page", page(client, reverse("request_detail", args=[req.pk])), runs=runs),
        timed("form submission", submit, runs=runs, note="POST by a new student each run"),
    ]


def office_pages(runs: int) -> tuple[list[Figure], dict[str, Any]]:
    """Each list for a faculty office (education, medicine) and a university office."""
    figures: list[Figure] = []
    for username in ["education.medicine", "nutrition"]:
        expert = User.objects.get(username=username)
        client = signed_in(expert)
        # A task of this office to open: the oldest waiting one, or (few requests) any.
        queue = access.queue_for_officer(expert).order_by("created")
        any_task = access.tasks_for_officer(expert).order_by("-created")
        task = queue.first() or any_task.first()
        assert task is not None, f"no task for {username}"
        req = ClearanceRequest.objects.get(process_id=task.process_id)
        name = req.full_name.split()[0]
        lists = {
            "queue, first page": reverse("office_queue"),
            f"queue, page {DEEP_PAGE}": reverse("office_queue") + f"?page={DEEP_PAGE}",
            "queue, search by national code": reverse("office_queue") + f"?q={req.national_code}",
            "queue, search by name": reverse("office_queue") + f"?q={name}",
            "my tasks": reverse("office_mine"),
            "handled by me": reverse("office_handled"),
            "task page": reverse("task_detail", args=[task.pk]),
        }
        for label, url in lists.items():
            figures.append(timed(f"{label} ({username})", page(client, url), runs=runs))
    sizes = {
        "nutrition queue": access.queue_for_officer(User.objects.get(username="nutrition")).count(),
        "nutrition handled": access.tasks_for_officer(User.objects.get(username="nutrition"))
        .filter(owner__username="nutrition", status=STATUS.DONE)
        .count(),
    }
    return figures, sizes


def exports(runs: int) -> list[dict[str, Any]]:
    """The CSV exports: time, size and the peak Python memory of one download."""
    client = signed_in(User.objects.get(username="nutrition"))
    rows = []
    for label, url in [
        ("queue CSV (nutrition)", reverse("office_queue") + "?format=csv"),
        ("handled-by-me CSV (nutrition)", reverse("office_handled") + "?format=csv"),
    ]:
        streamed(client, url)  # warm-up
        samples = [streamed(client, url) for _ in range(runs)]
        seconds = sorted(s for s, _, _ in samples)
        rows.append(
            {
                "name": label,
                "median_ms": round(seconds[len(seconds) // 2] * 1000, 1),
                "bytes": samples[0][1],
                "peak_mb": round(max(p for _, _, p in samples) / 2**20, 1),
                "runs": runs,
            }
        )
    return rows


def reports(runs: int) -> list[Figure]:
    admin, _ = User.objects.get_or_create(username="bench-admin", defaults={"is_staff": True})
    client = signed_in(admin)
    url = reverse("reports")
    return [
        timed("reports", page(client, url), runs=runs),
        timed(
            "reports, one faculty, one Jalali year",
            page(client, url + "?faculty=medicine&start=1404/01/01&end=1404/12/29"),
            runs=runs,
        ),
    ]


def queue_comparison(runs: int) -> tuple[dict[str, Figure], int]:
    """Our queue against viewflow's stock queue and one hand-written SQL, same rows."""
    expert = User.objects.get(username="nutrition")
    size = 25

    def ours() -> list[int]:
        tasks = access.queue_for_officer(expert).order_by("created")
        tasks.count()
        return [t.pk for t in _task_rows(tasks)[:size]]

    def stock() -> list[int]:
        # viewflow's queue (TaskQuerySet.queue) less its per-flow view permission, which
        # our experts do not hold: the tasks the user's permissions match, unclaimed.
        tasks = (
            Task.objects.filter(process__flow_class=ClearanceFlow)
            .user_queue(expert)
            .filter(status=STATUS.NEW)
            .order_by("created")
        )
        tasks.count()
        return [t.pk for t in tasks.select_related("process__clearance_request")[:size]]

    sql = """
        SELECT t.id, r.full_name, r.student_number, r.faculty_id, r.request_type_id
        FROM viewflow_task t JOIN clearance_clearancerequest r ON r.process_id = t.process_id
        WHERE t.status = 'NEW' AND t.flow_task_type = 'HUMAN' AND t.owner_permission = ANY(%s)
          AND r.status = 'in_progress'
        ORDER BY t.created LIMIT %s"""
    count = """
        SELECT count(*) FROM viewflow_task t
        WHERE t.status = 'NEW' AND t.flow_task_type = 'HUMAN' AND t.owner_permission = ANY(%s)
          AND EXISTS (SELECT 1 FROM clearance_clearancerequest r
                      WHERE r.process_id = t.process_id AND r.status = 'in_progress')"""
    permissions = sorted(access.office_permissions(expert))

    def by_hand() -> list[int]:
        with connection.cursor() as cursor:
            cursor.execute(count, [permissions])
            cursor.execute(sql, [permissions, size])
            return [row[0] for row in cursor.fetchall()]

    assert ours() == by_hand(), "our queue and the hand-written SQL disagree"
    same = ours() == stock()
    figures = interleaved(
        {"our queue": ours, "viewflow's queue": stock, "hand-written SQL": by_hand}, runs=runs
    )
    return figures, int(same)


def actions(runs: int) -> list[Figure]:
    """Claim, approve and bulk approve waiting tasks of the university offices a bulk
    approval may decide (each run uses up fresh tasks; a small dataset has fewer runs)."""
    expert, _ = User.objects.get_or_create(username="bench-expert")
    for office in BULK_OFFICES:
        Role.objects.get_or_create(user=expert, office=Office.objects.get(code=office))
    client = signed_in(expert)
    pool = waiting_tasks(BULK_OFFICES)
    single = min(runs, len(pool) // 4 - 3)
    assert single >= 3, f"too few tasks waiting ({len(pool)})"
    count = single + 3
    to_claim, to_approve, rest = pool[:count], pool[count : 2 * count], pool[2 * count :]
    for task in to_approve:
        services.task_claim(task=task, user=expert)
    # A money office records the debt; the others ignore the field.
    payload = {"note": "", "debt_rials": "0", "settlement": ""}
    note = "" if single == runs else f"{single} runs: the waiting tasks ran out"

    def claim(i: int) -> None:
        response = client.post(reverse("task_claim", args=[to_claim[i].pk]))
        assert response.status_code == 302

    def approve(i: int) -> None:
        response = client.post(reverse("task_approve", args=[to_approve[i].pk]), payload)
        assert response.status_code == 302

    figures = [
        timed("claim", claim, runs=single, note=note),
        timed("approve", approve, runs=single, note=note),
    ]
    bulk_runs = min(runs, len(rest) // BULK - 1)
    batches = [rest[i * BULK : (i + 1) * BULK] for i in range(bulk_runs + 1)]

    def bulk(i: int) -> None:
        ids = [str(task.pk) for task in batches[i]]
        response = client.post(reverse("tasks_bulk_approve"), {"task": ids, "note": ""})
        assert response.status_code == 302

    if bulk_runs >= 3:
        figures.append(
            timed(
                f"bulk approve of {BULK}",
                bulk,
                runs=bulk_runs,
                warmup=1,
                note="" if bulk_runs == runs else f"{bulk_runs} runs: the waiting tasks ran out",
            )
        )
    return figures
