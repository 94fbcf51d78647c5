"""Administrators see where requests wait; nobody else sees the figures."""

import pytest
from django.test import Client
from django.urls import reverse

from clearance import services
from clearance.demo import form_values, make_user
from tests.conftest import act, expert_for, login, open_task, queries


@pytest.fixture
def admin_client(db) -> Client:
    return login(Client(), make_user("head", is_staff=True))


def test_figures_follow_the_requests(admin_client, experts, faculty):
    reqs = [
        services.request_submit(
            student=make_user(f"r{n}"), data=form_values(serial=n, faculty=faculty)
        )
        for n in range(1, 4)
    ]
    act(expert_for(experts, "education", faculty), reqs[0], dormitory=False)
    expert = expert_for(experts, "education", faculty)
    services.task_claim(task=open_task(reqs[1]), user=expert)
    services.request_return(task=open_task(reqs[1]), user=expert, reason="ناقص")
    services.request_cancel(clearance_request=reqs[2], student=reqs[2].student)
    response = admin_client.get(reverse("reports"))
    assert response.status_code == 200
    rows = {row.office.code: row for row in response.context["offices"]}
    assert (rows["education"].waiting, rows["education"].with_student) == (0, 1)
    assert (rows["education"].approved_30d, rows["education"].returned_30d) == (1, 1)
    assert rows["education"].average_wait_seconds is not None
    assert rows["student_affairs"].waiting == 1
    assert rows["council"].approved_30d == 0 and rows["council"].average_wait_seconds is None
    # in progress, returned, cleared, cancelled
    assert [n for _, n in response.context["statuses"]] == [1, 1, 0, 1]


def test_reports_are_for_administrators_only(student_client, experts, faculty):
    assert student_client.get(reverse("reports")).status_code == 404
    expert = login(Client(), expert_for(experts, "education", faculty))
    assert expert.get(reverse("reports")).status_code == 404


def test_reports_cost_fixed_queries(admin_client, faculty):
    few = queries(admin_client, reverse("reports"))
    for n in range(1, 6):
        services.request_submit(
            student=make_user(f"q{n}"), data=form_values(serial=n, faculty=faculty)
        )
    assert queries(admin_client, reverse("reports")) == few
