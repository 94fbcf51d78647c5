"""The office chain over HTTP with real logins: approve, return, resubmit, skip IT."""

import pytest
from django.test import Client
from django.urls import reverse
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from clearance.demo import form_values, post_data
from clearance.models import ClearanceRequest, Event
from tests.conftest import CHAIN, act, approve_payload, expert_for, login, open_task
from tests.factories import ClearanceRequestFactory, ExpertFactory


@pytest.mark.django_db
@pytest.mark.parametrize("dormitory", [True, False])
def test_full_journey_through_every_office(submitted, experts, faculty, dormitory):
    visited = []
    while True:
        submitted.refresh_from_db()
        if submitted.status == ClearanceRequest.Status.CLEARED:
            break
        office = open_task(submitted).flow_task.name
        assert submitted.current_office.code == office
        visited.append(act(expert_for(experts, office, faculty), submitted, dormitory=dormitory))
    expected = CHAIN if dormitory else [o for o in CHAIN if o != "it"]
    assert visited == expected
    assert submitted.had_dormitory is dormitory
    assert submitted.letter_number
    approvals = Event.objects.filter(request=submitted, kind=Event.Kind.APPROVED)
    assert [e.office.code for e in approvals] == expected
    assert Event.objects.filter(request=submitted, kind=Event.Kind.CLEARED).count() == 1


def claim(client: Client, task: Task) -> None:
    assert client.post(reverse("task_claim", args=[task.pk])).status_code == 302


@pytest.mark.parametrize("returning_office", ["education", "secretariat", "loan_fund"])
def test_return_resumes_at_the_returning_office(
    submitted, experts, faculty, student, returning_office
):
    while open_task(submitted).flow_task.name != returning_office:
        act(
            expert_for(experts, open_task(submitted).flow_task.name, faculty),
            submitted,
            dormitory=False,
        )
    approvals_before = Event.objects.filter(request=submitted, kind=Event.Kind.APPROVED).count()
    expert = expert_for(experts, returning_office, faculty)
    client = login(Client(), expert)
    task = open_task(submitted)
    claim(client, task)
    # A reason is required.
    assert client.post(reverse("task_return", args=[task.pk]), {"reason": " "}).status_code == 400
    response = client.post(reverse("task_return", args=[task.pk]), {"reason": "کارت ملی ناخوانا"})
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == ClearanceRequest.Status.RETURNED
    assert submitted.return_reason == "کارت ملی ناخوانا"
    # The office cannot approve while the request is with the student.
    client.post(
        reverse("task_approve", args=[task.pk]), approve_payload(returning_office, dormitory=False)
    )
    assert open_task(submitted).pk == task.pk

    student_client = login(Client(), student)
    page = student_client.get(reverse("request_detail", args=[submitted.pk])).content.decode()
    assert "کارت ملی ناخوانا" in page and reverse("request_edit", args=[submitted.pk]) in page
    data = post_data(form_values(serial=1, faculty=faculty))
    data["address"] = "تهران، خیابان انقلاب، پلاک ۲۰، واحد ۳"
    data["note"] = "تصویر جدید پیوست شد"
    response = student_client.post(reverse("request_edit", args=[submitted.pk]), data)
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == ClearanceRequest.Status.IN_PROGRESS
    assert submitted.address == data["address"]
    resumed = open_task(submitted)
    assert resumed.pk == task.pk and resumed.flow_task.name == returning_office
    assert resumed.status == STATUS.NEW  # back in the office queue
    assert submitted.current_office.code == returning_office
    resubmission = Event.objects.get(request=submitted, kind=Event.Kind.RESUBMITTED)
    assert resubmission.details["changed"] == ["address"]
    # Earlier approvals stand and the chain goes on from here.
    assert (
        Event.objects.filter(request=submitted, kind=Event.Kind.APPROVED).count()
        == approvals_before
    )
    assert act(expert, submitted, dormitory=False) == returning_office
    assert open_task(submitted).flow_task.name == CHAIN[CHAIN.index(returning_office) + 1]


def test_comments_and_internal_notes(submitted, experts, faculty, student):
    expert = expert_for(experts, "education", faculty)
    client = login(Client(), expert)
    task = open_task(submitted)
    client.post(reverse("task_comment", args=[task.pk]), {"body": "لطفا کارنامه را بفرستید"})
    client.post(
        reverse("task_comment", args=[task.pk]), {"body": "یادداشت داخلی", "internal": "on"}
    )
    student_page = login(Client(), student).get(reverse("request_detail", args=[submitted.pk]))
    html = student_page.content.decode()
    assert "لطفا کارنامه را بفرستید" in html and "یادداشت داخلی" not in html
    assert "یادداشت داخلی" in client.get(reverse("task_detail", args=[task.pk])).content.decode()


def test_bulk_approve_records_each_decision(experts, faculty, other_faculty):
    reqs = [ClearanceRequestFactory(serial=n, faculty=faculty) for n in range(1, 4)]
    foreign = ClearanceRequestFactory(serial=9, faculty=other_faculty)
    expert = expert_for(experts, "education", faculty)
    client = login(Client(), expert)
    ids = [str(open_task(r).pk) for r in reqs[:2]] + [str(open_task(foreign).pk)]
    response = client.post(reverse("tasks_bulk_approve"), {"task": ids, "note": "بررسی شد"})
    assert response.status_code == 302
    for req in reqs[:2]:
        req.refresh_from_db()
        assert req.current_office.code == "student_affairs"
        event = Event.objects.get(request=req, kind=Event.Kind.APPROVED)
        assert event.actor == expert and event.note == "بررسی شد"
    reqs[2].refresh_from_db()
    foreign.refresh_from_db()
    assert reqs[2].current_office.code == "education"
    assert foreign.current_office.code == "education"  # another faculty's task is out of reach
    assert not Event.objects.filter(request=foreign, kind=Event.Kind.APPROVED).exists()


def test_cleared_request_gets_a_verifiable_certificate(submitted, experts, faculty, student):
    import subprocess

    while submitted.status != ClearanceRequest.Status.CLEARED:
        act(
            expert_for(experts, open_task(submitted).flow_task.name, faculty),
            submitted,
            dormitory=False,
        )
        submitted.refresh_from_db()
    student_client = login(Client(), student)
    response = student_client.get(reverse("request_certificate", args=[submitted.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=response.content, capture_output=True, check=True
    ).stdout.decode()
    assert submitted.certificate_code in text
    assert "اداره رفاه" in text or "هافر هرادا" in text  # RTL extraction may reverse words
    public = Client().get(reverse("certificate_verify", args=[submitted.certificate_code]))
    assert public.status_code == 200 and submitted.full_name in public.content.decode()
    assert Client().get(reverse("certificate_verify", args=["NOPE"])).status_code == 404


def test_no_certificate_before_clearance(submitted, student, other_student):
    url = reverse("request_certificate", args=[submitted.pk])
    assert login(Client(), student).get(url).status_code == 404
    assert login(Client(), other_student).get(url).status_code == 404


def test_notes_with_nul_characters_are_cleaned(experts, faculty, submitted):
    expert = expert_for(experts, "education", faculty)
    client = login(Client(), expert)
    task = open_task(submitted)
    response = client.post(reverse("tasks_bulk_approve"), {"task": [task.pk], "note": "ok\x00ok"})
    assert response.status_code == 302
    assert Event.objects.get(request=submitted, kind=Event.Kind.APPROVED).note == "okok"


def test_money_office_records_a_debt_typed_in_persian_digits(submitted, experts, faculty):
    while open_task(submitted).flow_task.name != "nutrition":
        act(
            expert_for(experts, open_task(submitted).flow_task.name, faculty),
            submitted,
            dormitory=False,
        )
    client = login(Client(), expert_for(experts, "nutrition", faculty))
    task = open_task(submitted)
    claim(client, task)
    no_settlement = client.post(
        reverse("task_approve", args=[task.pk]), {"debt_rials": "۲٬۵۰۰٬۰۰۰"}
    )
    assert no_settlement.status_code == 400  # a debt needs its settlement
    response = client.post(
        reverse("task_approve", args=[task.pk]),
        {"debt_rials": "۲٬۵۰۰٬۰۰۰", "settlement": "فیش ۱۲۳"},
    )
    assert response.status_code == 302
    event = Event.objects.get(request=submitted, office__code="nutrition", kind=Event.Kind.APPROVED)
    assert (event.debt_rials, event.settlement) == (2_500_000, "فیش ۱۲۳")


def test_a_supervisor_takes_back_a_colleagues_claim(submitted, experts, faculty):
    from clearance import services

    away = expert_for(experts, "education", faculty)
    task = open_task(submitted)
    services.task_claim(task=task, user=away)
    colleague = ExpertFactory(office="education", faculty=faculty)
    head = ExpertFactory(office="education", faculty=faculty, is_staff=True)
    refused = login(Client(), colleague).post(reverse("task_release", args=[task.pk]))
    assert refused.status_code == 302
    task.refresh_from_db()
    assert task.owner == away  # a plain colleague cannot take it
    head_client = login(Client(), head)
    assert head_client.get(reverse("task_detail", args=[task.pk])).context["can_take_back"]
    head_client.post(reverse("task_release", args=[task.pk]))
    task.refresh_from_db()
    assert task.owner is None and task.status == STATUS.NEW
    released = Event.objects.get(request=submitted, kind=Event.Kind.RELEASED)
    assert released.actor == head


def test_student_sees_which_offices_are_done_and_ahead(submitted, experts, faculty, student):
    while open_task(submitted).flow_task.name != "loan_fund":
        act(
            expert_for(experts, open_task(submitted).flow_task.name, faculty),
            submitted,
            dormitory=False,
        )
    page = login(Client(), student).get(reverse("request_detail", args=[submitted.pk]))
    states = {office.code: state for office, state in page.context["detail"]["steps"]}
    assert states["education"] == "done" and states["dormitory"] == "done"
    assert states["it"] == "skipped"
    assert states["loan_fund"] == "now"
    assert states["welfare"] == states["faculty_closure"] == "ahead"
    assert 'aria-current="step"' in page.content.decode()


def test_expert_attachments_reach_the_student_and_records_are_immutable(
    submitted, experts, faculty, student
):
    from clearance.models import Comment
    from tests.conftest import PDF, upload

    client = login(Client(), expert_for(experts, "education", faculty))
    task = open_task(submitted)
    client.post(
        reverse("task_comment", args=[task.pk]),
        {"body": "نمونه فرم پیوست است", "documents": [upload("form.pdf", PDF)]},
    )
    comment = Comment.objects.get(request=submitted)
    document = comment.documents.get()
    assert (
        comment.office.code == "education" and document.uploaded_by.username == "education.medicine"
    )
    student_client = login(Client(), student)
    assert student_client.get(reverse("document_download", args=[document.pk])).status_code == 200
    for record in (comment, document, Event.objects.filter(request=submitted).first()):
        with pytest.raises(ValueError, match="immutable"):
            record.save()


def test_factories_make_what_the_product_makes(faculty):
    req = ClearanceRequestFactory(faculty=faculty)
    expert = ExpertFactory(office="nutrition")

    assert req.status == ClearanceRequest.Status.IN_PROGRESS
    assert req.current_office.code == "education" and open_task(req).flow_task.name == "education"
    assert Event.objects.filter(request=req, kind=Event.Kind.SUBMITTED).count() == 1
    assert expert.has_perm("clearance.office.nutrition") and not expert.has_perm(
        "clearance.office.education." + faculty.code
    )
    with pytest.raises(ValueError, match="faculty office"):
        ExpertFactory(office="education")
