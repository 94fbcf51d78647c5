"""An expert's day on the task page: decide a free task at once, land on the next, be told
plainly what happened."""

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from viewflow.workflow.status import STATUS

from accounts.models import Office, Role
from clearance import services
from clearance.models import ClearanceRequest, Event
from tests.conftest import act, approve_payload, expert_for, login, open_task
from tests.factories import ClearanceRequestFactory, ExpertFactory

pytestmark = pytest.mark.django_db


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_approving_a_free_task_claims_it(submitted, experts, faculty):
    expert = expert_for(experts, "education", faculty)
    client = login(Client(), expert)
    task = open_task(submitted)
    page = client.get(reverse("task_detail", args=[task.pk])).content.decode()
    assert f'action="/office/tasks/{task.pk}/approve/"' in page  # no claim needed first

    response = client.post(reverse("task_approve", args=[task.pk]), {"note": "کامل است"})

    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == STATUS.DONE and task.owner == expert
    kinds = list(
        Event.objects.filter(request=submitted, task_id=task.pk).values_list("kind", "actor")
    )
    assert kinds == [(Event.Kind.CLAIMED, expert.pk), (Event.Kind.APPROVED, expert.pk)]


def test_returning_a_free_task_claims_it(submitted, experts, faculty):
    expert = expert_for(experts, "education", faculty)
    client = login(Client(), expert)
    task = open_task(submitted)
    response = client.post(reverse("task_return", args=[task.pk]), {"reason": "کارت ناخوانا"})
    assert response.status_code == 302
    submitted.refresh_from_db()
    task.refresh_from_db()
    assert submitted.status == ClearanceRequest.Status.RETURNED and task.owner == expert


def test_a_task_claimed_by_a_colleague_is_not_decided(submitted, experts, faculty):
    colleague = ExpertFactory(office="education", faculty=faculty)
    task = open_task(submitted)
    services.task_claim(task=task, user=colleague)
    client = login(Client(), expert_for(experts, "education", faculty))

    page = client.get(reverse("task_detail", args=[task.pk])).content.decode()
    approve = client.post(reverse("task_approve", args=[task.pk]), {"note": "x"}, follow=True)
    give_back = client.post(reverse("task_return", args=[task.pk]), {"reason": "x"}, follow=True)

    assert "/approve/" not in page and "/return/" not in page
    assert colleague.get_full_name() in messages_of(approve)[0]
    assert colleague.get_full_name() in messages_of(give_back)[0]
    task.refresh_from_db()
    assert task.owner == colleague and task.status == STATUS.ASSIGNED
    assert not Event.objects.filter(
        request=submitted, kind__in=[Event.Kind.APPROVED, Event.Kind.RETURNED]
    ).exists()


def test_after_a_decision_the_expert_lands_on_the_next_task(experts, faculty, other_faculty):
    expert = expert_for(experts, "education", faculty)
    first, second, third = (ClearanceRequestFactory(faculty=faculty, serial=n) for n in (1, 2, 3))
    ClearanceRequestFactory(faculty=other_faculty, serial=4)  # not this expert's
    client = login(Client(), expert)

    approved = client.post(reverse("task_approve", args=[open_task(first).pk]), {"note": ""})
    assert approved["Location"] == reverse("task_detail", args=[open_task(second).pk])
    affairs = Office.objects.get(code="student_affairs")
    assert messages_of(approved) == [f"تایید شد؛ درخواست به {affairs} رفت."]

    returned = client.post(
        reverse("task_return", args=[open_task(second).pk]), {"reason": "مدرک ناقص"}
    )
    assert returned["Location"] == reverse("task_detail", args=[open_task(third).pk])

    last = client.post(reverse("task_approve", args=[open_task(third).pk]), {"note": ""})
    assert last["Location"] == reverse("office_queue")  # nothing left: the queue


def test_the_next_task_prefers_the_same_office(experts, faculty):
    # An expert of two offices goes on with the office they were working in.
    closing = ClearanceRequestFactory(faculty=faculty, serial=1)
    while open_task(closing).flow_task.name != "student_affairs":
        act(
            expert_for(experts, open_task(closing).flow_task.name, faculty),
            closing,
            dormitory=False,
        )
    affairs = expert_for(experts, "student_affairs", faculty)
    services.task_claim(task=open_task(closing), user=affairs)
    waiting = [ClearanceRequestFactory(faculty=faculty, serial=n) for n in (2, 3)]
    other = ClearanceRequestFactory(faculty=faculty, serial=5)
    while open_task(other).flow_task.name != "student_affairs":
        act(expert_for(experts, open_task(other).flow_task.name, faculty), other, dormitory=False)
    Role.objects.create(user=affairs, office=Office.objects.get(code="education"), faculty=faculty)
    client = login(Client(), affairs)
    response = client.post(reverse("task_approve", args=[open_task(closing).pk]), {"note": ""})
    assert response["Location"] == reverse("task_detail", args=[open_task(other).pk])
    # The education tasks waiting are older, but the same office comes first.
    assert all(open_task(req).created < open_task(other).created for req in waiting)


def test_the_faculty_closure_says_the_request_is_cleared(submitted, experts, faculty):
    while open_task(submitted).flow_task.name != "faculty_closure":
        office = open_task(submitted).flow_task.name
        act(expert_for(experts, office, faculty), submitted, dormitory=False)
    client = login(Client(), expert_for(experts, "faculty_closure", faculty))
    task = open_task(submitted)
    response = client.post(
        reverse("task_approve", args=[task.pk]), approve_payload("faculty_closure", dormitory=False)
    )
    submitted.refresh_from_db()
    assert submitted.status == ClearanceRequest.Status.CLEARED
    (message,) = messages_of(response)
    assert "تسویه" in message and "گواهی" in message and "واحد" not in message


def test_an_invalid_approval_shows_one_error_summary(submitted, experts, faculty):
    while open_task(submitted).flow_task.name != "nutrition":
        act(
            expert_for(experts, open_task(submitted).flow_task.name, faculty),
            submitted,
            dormitory=False,
        )
    client = login(Client(), expert_for(experts, "nutrition", faculty))
    task = open_task(submitted)
    response = client.post(reverse("task_approve", args=[task.pk]), {"debt_rials": "-5"})
    assert response.status_code == 400
    html = response.content.decode()
    assert html.count('class="alert alert-danger"') == 1 and 'id="error-summary"' in html
    returned = client.post(reverse("task_return", args=[task.pk]), {"reason": ""})
    assert returned.content.decode().count('class="alert alert-danger"') == 1


def test_the_message_box_speaks_to_the_expert(submitted, experts, faculty, student_client):
    client = login(Client(), expert_for(experts, "education", faculty))
    expert_page = client.get(reverse("task_detail", args=[open_task(submitted).pk]))
    student_page = student_client.get(reverse("request_detail", args=[submitted.pk]))
    to_expert = expert_page.context["comment_form"]["body"].help_text
    to_student = student_page.context["comment_form"]["body"].help_text
    assert to_expert != to_student
    assert str(to_expert) in expert_page.content.decode()
    assert str(to_student) not in expert_page.content.decode()
