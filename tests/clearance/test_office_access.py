"""Every office sees and acts only on the tasks its roles cover."""

import pytest
from django.test import Client
from django.urls import reverse
from viewflow.workflow.models import Task

from accounts.models import Office
from clearance import services
from clearance.demo import form_values
from clearance.models import ClearanceRequest
from tests.conftest import CHAIN, act, expert_for, login, open_task

TASK_ACTIONS = ["task_claim", "task_approve", "task_return", "task_release", "task_comment"]


def outsiders(experts, office_code, faculty, other_faculty):
    """Experts who must not touch the task: every other office, and this office elsewhere."""
    office = Office.objects.get(code=office_code)
    insider = expert_for(experts, office_code, faculty)
    others = [
        expert_for(experts, other.code, faculty) for other in Office.objects.exclude(pk=office.pk)
    ]
    if office.is_faculty_office:
        others.append(expert_for(experts, office_code, other_faculty))
    return insider, others


@pytest.mark.parametrize("office_code", CHAIN)
def test_each_office_is_scoped(submitted, experts, faculty, other_faculty, student, office_code):
    while open_task(submitted).flow_task.name != office_code:
        act(
            expert_for(experts, open_task(submitted).flow_task.name, faculty),
            submitted,
            dormitory=True,
        )
    task = open_task(submitted)
    insider, others = outsiders(experts, office_code, faculty, other_faculty)
    # The insider sees the task in their queue and can open it.
    insider_client = login(Client(), insider)
    assert task in insider_client.get(reverse("office_queue")).context["page"].object_list
    assert insider_client.get(reverse("task_detail", args=[task.pk])).status_code == 200
    # Nobody else sees it, by queue or by URL, nor can act on it.
    for outsider in [*others, student]:
        client = login(Client(), outsider)
        queue = client.get(reverse("office_queue"))
        if queue.status_code == 200:
            assert task not in queue.context["page"].object_list
        assert client.get(reverse("task_detail", args=[task.pk])).status_code == 404
        for action in TASK_ACTIONS:
            assert client.post(reverse(action, args=[task.pk]), {"reason": "x"}).status_code == 404
    task.refresh_from_db()
    assert task.owner_id is None and task.status == "NEW"


def test_faculty_office_of_another_faculty_sees_nothing(experts, faculty, other_faculty, student):
    services.request_submit(student=student, data=form_values(serial=1, faculty=faculty))
    other_education = expert_for(experts, "education", other_faculty)
    client = login(Client(), other_education)
    assert client.get(reverse("office_queue")).context["page"].paginator.count == 0
    own = expert_for(experts, "education", faculty)
    assert login(Client(), own).get(reverse("office_queue")).context["page"].paginator.count == 1


def test_no_model_wide_permissions_widen_viewflows_queue(experts, faculty, other_faculty, student):
    """viewflow matches owner_permission against get_all_permissions(): keep it per faculty."""
    req = services.request_submit(student=student, data=form_values(serial=1, faculty=faculty))
    task = open_task(req)
    other = expert_for(experts, "education", other_faculty)
    assert task.owner_permission not in other.get_all_permissions()
    assert not Task.objects.filter(owner_permission__in=other.get_all_permissions()).exists()
    assert task.flow_task.can_assign(expert_for(experts, "education", faculty), task)
    assert not task.flow_task.can_assign(other, task)


def test_student_has_no_office_pages(student_client, submitted):
    assert student_client.get(reverse("office_queue")).status_code == 404
    assert (
        student_client.get(reverse("task_detail", args=[open_task(submitted).pk])).status_code
        == 404
    )
    assert ClearanceRequest.objects.count() == 1


def test_menu_counts_waiting_tasks_per_office(experts, faculty, student, other_student):
    from accounts.models import Role

    services.request_submit(student=student, data=form_values(serial=1, faculty=faculty))
    services.request_submit(student=other_student, data=form_values(serial=2, faculty=faculty))
    expert = expert_for(experts, "education", faculty)
    Role.objects.create(user=expert, office=Office.objects.get(code="council"))
    client = login(Client(), expert)
    response = client.get(reverse("office_queue"))
    counts = {office.code: n for office, n in response.context["office_waiting"]}
    assert counts == {"education": 2, "council": 0}
    only_council = client.get(reverse("office_queue"), {"office": "council"})
    assert only_council.context["page"].paginator.count == 0
    only_education = client.get(reverse("office_queue"), {"office": "education"})
    assert only_education.context["page"].paginator.count == 2


def test_csv_export_is_scoped_and_jalali(experts, faculty, other_faculty, student, other_student):
    import csv
    import io

    from persian.text import format_jalali

    mine = services.request_submit(student=student, data=form_values(serial=1, faculty=faculty))
    services.request_submit(
        student=other_student, data=form_values(serial=2, faculty=other_faculty)
    )
    client = login(Client(), expert_for(experts, "education", faculty))
    response = client.get(reverse("office_queue"), {"format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode("utf-8-sig")  # streamed row by row
    rows = list(csv.reader(io.StringIO(body)))
    assert len(rows) == 2  # header + the one request of this faculty
    assert rows[1][0] == str(mine.pk) and rows[1][2] == mine.student_number
    assert rows[1][7] == format_jalali(open_task(mine).created, with_time=True)


@pytest.mark.parametrize(
    "params",
    [
        {"office": "__class__"},
        {"office": "nonsense", "page": "abc"},
        {"age": "-1", "faculty": "x' OR 1=1", "type": "\u0000"},
        {"q": "۹۸۱۰۰۰۰۱", "page": "999"},
        {"format": "xml"},
    ],
)
def test_odd_queue_parameters_never_break_the_page(experts, faculty, params):
    client = login(Client(), expert_for(experts, "education", faculty))
    assert client.get(reverse("office_queue"), params).status_code == 200


def test_documents_are_seen_only_by_offices_the_request_reached(
    submitted, experts, faculty, other_faculty, student
):
    from tests.conftest import attach_pdf

    document = attach_pdf(submitted, by=student)
    url = reverse("document_download", args=[document.pk])
    education = login(Client(), expert_for(experts, "education", faculty))
    assert education.get(url).status_code == 200
    for outsider in ("council", "it"):
        # A university office sees a request's papers once it reaches them, not before.
        assert login(Client(), expert_for(experts, outsider, faculty)).get(url).status_code == 404
    elsewhere = login(Client(), expert_for(experts, "education", other_faculty))
    assert elsewhere.get(url).status_code == 404
    while open_task(submitted).flow_task.name != "council":
        act(
            expert_for(experts, open_task(submitted).flow_task.name, faculty),
            submitted,
            dormitory=False,
        )
    assert login(Client(), expert_for(experts, "council", faculty)).get(url).status_code == 200
    assert login(Client(), expert_for(experts, "it", faculty)).get(url).status_code == 404
