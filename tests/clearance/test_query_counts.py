"""Every page costs a fixed number of queries, however many rows it shows or history it has.

At most 12 queries per page (the session, the user and their roles included); an approval
at most 15; a form submission at most 20. Counted as in a running server, whose copies of
the small tables (offices, faculties, the form's lists: accounts.tables) are read. benchmarks/
measures the same pages on a 100,000-request database; these pins keep the counts down.
"""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Office, Role
from clearance import services
from clearance.demo import form_values, make_user
from tests.conftest import (
    act,
    approve_payload,
    expert_for,
    login,
    open_task,
    queries,
    warm_tables,
)
from tests.factories import ClearanceRequestFactory, ExpertFactory

PAGE_LIMIT = 12


def submit_many(faculty, start: int, count: int) -> list:
    return [ClearanceRequestFactory(serial=n, faculty=faculty) for n in range(start, start + count)]


def posted(client: Client, url: str, data: dict[str, str]) -> int:
    """The queries one form post costs (it must redirect: the action succeeded)."""
    warm_tables()
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:1000]
    return len(ctx.captured_queries)


@pytest.mark.parametrize("page", ["office_queue", "office_mine", "office_handled"])
@pytest.mark.parametrize(
    "params", [{}, {"office": "education"}, {"q": "نمونه"}, {"faculty": "medicine", "age": "0"}]
)
def test_office_lists_do_not_grow_with_rows(experts, faculty, page, params):
    expert = expert_for(experts, "education", faculty)
    client = login(Client(), expert)
    submit_many(faculty, 1, 2)
    for req in submit_many(faculty, 3, 2):
        services.task_claim(task=open_task(req), user=expert)
        if page == "office_handled":
            services.decision_record(task=open_task(req), user=expert)
    url = reverse(page) + "?" + "&".join(f"{k}={v}" for k, v in params.items())
    few = queries(client, url)
    submit_many(faculty, 10, 6)
    for req in submit_many(faculty, 20, 4):
        task = open_task(req)
        services.task_claim(task=task, user=expert)
        if page == "office_handled":
            services.decision_record(task=task, user=expert)
    assert queries(client, url) == few
    assert few <= PAGE_LIMIT


@pytest.mark.parametrize("page", ["office_queue", "office_mine"])
def test_resubmitted_requests_in_a_list_cost_no_query_per_row(experts, faculty, page):
    """Each row's «resubmitted» mark and what changed come in one query for the page."""
    expert = expert_for(experts, "education", faculty)
    client = login(Client(), expert)

    def resubmitted(start: int, count: int) -> None:
        for serial, req in enumerate(submit_many(faculty, start, count), start):
            services.request_return(task=open_task(req), user=expert, reason="ناقص")
            data = {**form_values(serial=serial, faculty=faculty), "father_name": "حسن"}
            services.request_resubmit(clearance_request=req, student=req.student, data=data)
            if page == "office_mine":
                services.task_claim(task=open_task(req), user=expert)

    resubmitted(1, 2)
    few = queries(client, reverse(page))
    resubmitted(10, 6)
    assert queries(client, reverse(page)) == few
    assert few <= PAGE_LIMIT
    assert "حسن" not in client.get(reverse(page)).content.decode()  # the label, not the value
    assert client.get(reverse(page)).content.decode().count("ارسال مجدد") == 8


def test_office_lists_as_csv_do_not_grow_with_rows(experts, faculty):
    expert = expert_for(experts, "education", faculty)
    client = login(Client(), expert)
    submit_many(faculty, 1, 2)
    url = reverse("office_queue") + "?format=csv"
    few = queries(client, url)
    submit_many(faculty, 10, 8)
    assert queries(client, url) == few
    assert few <= PAGE_LIMIT


def test_student_pages_do_not_grow_with_rows(student, faculty, student_client):
    first = services.request_submit(student=student, data=form_values(serial=1, faculty=faculty))
    few = queries(student_client, reverse("request_list"))
    for serial in range(2, 6):
        services.request_cancel(clearance_request=first, student=student)
        first = services.request_submit(
            student=student, data=form_values(serial=serial, faculty=faculty)
        )
    assert queries(student_client, reverse("request_list")) == few
    assert few <= PAGE_LIMIT


def test_task_and_request_pages_do_not_grow_with_history(submitted, experts, faculty, student):
    expert = expert_for(experts, "education", faculty)
    client = login(Client(), expert)
    task = open_task(submitted)
    services.comment_post(clearance_request=submitted, author=student, body="سلام")
    task_url = reverse("task_detail", args=[task.pk])
    request_url = reverse("request_detail", args=[submitted.pk])
    student_client = login(Client(), student)
    few_task, few_request = queries(client, task_url), queries(student_client, request_url)
    for n in range(5):
        services.comment_post(clearance_request=submitted, author=student, body=f"پیام {n}")
        services.comment_post(
            clearance_request=submitted, author=expert, body=f"پاسخ {n}", internal=n % 2 == 0
        )
    for _ in range(3):
        services.task_claim(task=task, user=expert)
        services.task_release(task=task, user=expert)
    assert queries(client, task_url) == few_task
    assert queries(student_client, request_url) == few_request
    assert few_task <= PAGE_LIMIT and few_request <= PAGE_LIMIT


# Counted outside the test's own transaction, so each action's atomic block is a real
# transaction (as in production) and not a savepoint inside the test's.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_claim_and_approve_cost_fixed_queries_along_the_chain(faculty):
    from clearance.demo import make_experts

    experts = {user.username: user for user in make_experts([faculty])}
    req = ClearanceRequestFactory(serial=1, faculty=faculty)
    counts = {}
    for office in ["education", "student_affairs", "cultural_deputy", "secretariat", "council"]:
        client = login(Client(), expert_for(experts, office, faculty))
        task = open_task(req)
        claim = posted(client, reverse("task_claim", args=[task.pk]), {})
        payload = approve_payload(office, dormitory=False)
        counts[office] = (claim, posted(client, reverse("task_approve", args=[task.pk]), payload))
    claims = {claim for claim, _ in counts.values()}
    # The secretariat also takes the faculty's next letter number (its sequence row).
    plain = {approve for office, (_, approve) in counts.items() if office != "secretariat"}
    assert len(claims) == 1 and len(plain) == 1, counts
    assert max(claims) <= PAGE_LIMIT
    assert max(plain) <= 15, counts
    # Its letter number: one statement advances the sequence, one checks no expert typed
    # that number by hand, one writes it on the request.
    assert counts["secretariat"][1] <= max(plain) + 3, counts


def test_a_whole_chain_keeps_the_task_page_flat(submitted, experts, faculty):
    """The task page late in the chain costs what it did early on.

    (The education office's page also offers to move the request to another faculty,
    which lists the faculties and their fields: it is compared with itself above.)
    """
    assert act(expert_for(experts, "education", faculty), submitted, dormitory=False)

    def task_page(office: str) -> int:
        client = login(Client(), expert_for(experts, office, faculty))
        return queries(client, reverse("task_detail", args=[open_task(submitted).pk]))

    early = task_page("student_affairs")
    for office in ["student_affairs", "cultural_deputy", "secretariat", "council", "nutrition"]:
        assert act(expert_for(experts, office, faculty), submitted, dormitory=False) == office
    assert task_page("dormitory") == early


@pytest.mark.parametrize(
    "page", ["admin:accounts_user_changelist", "admin:accounts_role_changelist"]
)
def test_admin_users_and_roles_lists_do_not_grow_with_rows(db, faculty, page):
    client = login(Client(), make_user("root", is_staff=True, is_superuser=True))
    for n in range(3):
        ExpertFactory(office="education", faculty=faculty, username=f"few{n}")
    few = queries(client, reverse(page))
    for n in range(12):
        expert = ExpertFactory(office="nutrition", username=f"many{n}")
        Role.objects.create(
            user=expert, office=Office.objects.get(code="education"), faculty=faculty
        )
    assert queries(client, reverse(page)) == few
    assert few <= 12


def notification_queries(client: Client, url: str) -> list[str]:
    warm_tables()
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in ctx.captured_queries if '"clearance_notification"' in q["sql"]]


def test_the_bell_and_the_your_turn_marks_cost_one_query_per_page(
    submitted, experts, faculty, student
):
    expert = expert_for(experts, "education", faculty)
    task = open_task(submitted)
    services.task_claim(task=task, user=expert)
    pages = {
        login(Client(), student): [
            reverse("request_list"),
            reverse("request_detail", args=[submitted.pk]),
            reverse("notification_settings"),
        ],
        login(Client(), expert): [
            reverse("office_queue"),
            reverse("office_mine"),
            reverse("office_handled"),
            reverse("task_detail", args=[task.pk]),
        ],
    }
    for client, urls in pages.items():
        for url in urls:
            assert len(notification_queries(client, url)) == 1, url


def test_pages_with_unread_notifications_cost_the_same_however_many(faculty, experts):
    expert = expert_for(experts, "education", faculty)
    client = login(Client(), expert)
    office = expert.roles.get().office

    def held_with_replies(start: int, count: int) -> None:
        for req in submit_many(faculty, start, count):
            services.task_claim(task=open_task(req), user=expert)
            services.comment_post(clearance_request=req, author=req.student, body="پاسخ")
            services.comment_post(clearance_request=req, author=expert, office=office, body="؟")

    held_with_replies(1, 2)
    few = queries(client, reverse("office_mine")), queries(client, reverse("notification_list"))
    held_with_replies(10, 8)
    assert (
        queries(client, reverse("office_mine")),
        queries(client, reverse("notification_list")),
    ) == few
    assert few[1] <= 8


def test_opening_a_page_with_unread_notifications_adds_one_update(
    submitted, experts, faculty, student
):
    expert = expert_for(experts, "education", faculty)
    services.task_claim(task=open_task(submitted), user=expert)
    student_client = login(Client(), student)
    url = reverse("request_detail", args=[submitted.pk])
    services.comment_post(
        clearance_request=submitted, author=expert, office=expert.roles.get().office, body="؟"
    )

    assert [sql.split()[0] for sql in notification_queries(student_client, url)] == [
        "SELECT",
        "UPDATE",
    ]
    assert [sql.split()[0] for sql in notification_queries(student_client, url)] == ["SELECT"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_form_submission_costs_fixed_queries(faculty):
    """Was 40, then 28. The form's eight reference lists come from the tables' copies (the
    form page the student opened first read them), the open requests in the way are one
    query; 9 of the rest are viewflow starting the process."""
    from clearance.demo import make_user, post_data

    client = login(Client(), make_user("student1"))
    assert client.get(reverse("request_create")).status_code == 200
    warm_tables()  # the offices too, as any other page of a running server has read them
    data = post_data(form_values(serial=1, faculty=faculty))
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(reverse("request_create"), data)
    assert response.status_code == 302, response.content.decode()[:1000]
    assert len(ctx.captured_queries) <= 20, "\n".join(q["sql"][:90] for q in ctx.captured_queries)
    assert not [q for q in ctx.captured_queries if "clearance_city" in q["sql"]]
