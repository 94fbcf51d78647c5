"""Two people acting at once: exactly one wins, the other is told why, nothing is doubled."""

import threading
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from clearance import services
from clearance.demo import form_values, make_user
from clearance.models import ClearanceRequest, Event
from tests.conftest import act, approve_payload, expert_for, login, open_task
from tests.factories import ExpertFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def at_once(*calls: Callable[[], object]) -> list[object]:
    """Run the calls in threads released together; each on its own DB connection."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(i: int, call: Callable[[], object]) -> None:
        barrier.wait()
        try:
            results[i] = call()
        except Exception as exc:  # the losing side's error is part of the result
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def alert_levels(responses: list) -> list[str]:
    """The kinds of message each final page shows (template contexts are not thread-safe)."""
    levels = []
    for response in responses:
        html = response.content.decode()
        levels += ["error"] * html.count('class="alert alert-danger"')
        levels += ["success"] * html.count('class="alert alert-success"')
    return sorted(levels)


def test_two_experts_claim_the_same_task(submitted, experts, faculty):
    first = expert_for(experts, "education", faculty)
    second = ExpertFactory(office="education", faculty=faculty)
    task = open_task(submitted)
    clients = [login(Client(), first), login(Client(), second)]
    responses = at_once(
        *[lambda c=c: c.post(reverse("task_claim", args=[task.pk]), follow=True) for c in clients]
    )
    levels = alert_levels(responses)
    assert levels == ["error", "success"]
    task.refresh_from_db()
    assert task.owner in (first, second)
    assert Event.objects.filter(request=submitted, kind=Event.Kind.CLAIMED).count() == 1


def test_two_approvals_of_one_task_move_the_request_once(submitted, experts, faculty):
    expert = expert_for(experts, "education", faculty)
    task = open_task(submitted)
    services.task_claim(task=task, user=expert)
    clients = [login(Client(), expert), login(Client(), expert)]
    payload = approve_payload("education", dormitory=False)
    responses = at_once(
        *[
            lambda c=c: c.post(reverse("task_approve", args=[task.pk]), payload, follow=True)
            for c in clients
        ]
    )
    levels = alert_levels(responses)
    assert levels == ["error", "success"]
    assert Event.objects.filter(request=submitted, kind=Event.Kind.APPROVED).count() == 1
    submitted.refresh_from_db()
    assert submitted.current_office.code == "student_affairs"
    assert submitted.process.task_set.filter(flow_task_type="HUMAN").count() == 2


def test_two_experts_approve_the_same_free_task(submitted, experts, faculty):
    # Neither claimed it first: approving claims it, and only one of them may.
    first = expert_for(experts, "education", faculty)
    second = ExpertFactory(office="education", faculty=faculty)
    task = open_task(submitted)
    clients = [login(Client(), first), login(Client(), second)]
    payload = approve_payload("education", dormitory=False)
    responses = at_once(
        *[
            lambda c=c: c.post(reverse("task_approve", args=[task.pk]), payload, follow=True)
            for c in clients
        ]
    )
    assert alert_levels(responses) == ["error", "success"]
    task.refresh_from_db()
    approved = Event.objects.get(request=submitted, kind=Event.Kind.APPROVED)
    claimed = Event.objects.get(request=submitted, kind=Event.Kind.CLAIMED)
    assert task.owner_id == approved.actor_id == claimed.actor_id
    assert task.owner in (first, second)
    submitted.refresh_from_db()
    assert submitted.current_office.code == "student_affairs"


def test_return_and_approve_at_once_leave_one_decision(submitted, experts, faculty):
    expert = expert_for(experts, "education", faculty)
    task = open_task(submitted)
    services.task_claim(task=task, user=expert)
    results = at_once(
        lambda: services.decision_record(task=task, user=expert),
        lambda: services.request_return(task=task, user=expert, reason="ناقص"),
    )
    assert sum(isinstance(r, services.ActionRefused) for r in results) == 1
    decisions = Event.objects.filter(
        request=submitted, kind__in=[Event.Kind.APPROVED, Event.Kind.RETURNED]
    )
    assert decisions.count() == 1
    submitted.refresh_from_db()
    if decisions.get().kind == Event.Kind.APPROVED:
        assert submitted.status == ClearanceRequest.Status.IN_PROGRESS
    else:
        assert submitted.status == ClearanceRequest.Status.RETURNED


def test_secretariat_numbers_are_unique_under_concurrency(experts, faculty):
    requests = []
    for serial in range(1, 5):
        student = make_user(f"numbered{serial}")
        req = services.request_submit(
            student=student, data=form_values(serial=serial, faculty=faculty)
        )
        while open_task(req).flow_task.name != "secretariat":
            act(expert_for(experts, open_task(req).flow_task.name, faculty), req, dormitory=False)
        requests.append(req)
    secretary = expert_for(experts, "secretariat", faculty)
    tasks = [open_task(req) for req in requests]
    for task in tasks:
        services.task_claim(task=task, user=secretary)
    proposal = services.letter_number_propose(faculty=faculty)
    results = at_once(
        *[
            lambda t=t: services.decision_record(
                task=t,
                user=secretary,
                decision={"letter_number": proposal, "letter_number_proposed": proposal},
            )
            for t in tasks
        ]
    )
    assert all(isinstance(r, ClearanceRequest) for r in results), results
    numbers = sorted(ClearanceRequest.objects.values_list("letter_number", flat=True))
    assert len(set(numbers)) == 4
    assert numbers[0] == proposal
    assert services.letter_number_propose(faculty=faculty) not in numbers


@pytest.mark.parametrize("action", ["task_approve", "task_return"])
def test_a_decision_from_a_stale_page_is_told_who_has_the_task(submitted, experts, faculty, action):
    """The page was opened before a colleague claimed the task: whatever the form lacks, the
    expert learns the task is taken (not a form error), and nothing changes."""
    late = expert_for(experts, "education", faculty)
    colleague = ExpertFactory(office="education", faculty=faculty, first_name="مریم")
    task = open_task(submitted)
    services.task_claim(task=task, user=colleague)
    incomplete = {"note": "x" * 3000, "reason": ""}
    response = login(Client(), late).post(reverse(action, args=[task.pk]), incomplete, follow=True)
    assert response.redirect_chain[0] == (reverse("task_detail", args=[task.pk]), 302)
    assert alert_levels([response]) == ["error"]
    assert "مریم" in response.content.decode()
    task.refresh_from_db()
    assert task.owner == colleague and task.status == "ASSIGNED"
    # The holder's own incomplete form is answered with its errors, as before.
    own = login(Client(), colleague).post(reverse(action, args=[task.pk]), incomplete)
    assert own.status_code == 400
