"""The rules of the chain: a fixed faculty, no one deciding their own request, truthful
refusals, closed requests closed, and a history nobody rewrites (issue 10, points 2-3, 6, 8-10).
"""

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from accounts.models import User
from clearance import services
from clearance.access import chain_steps, queue_for_officer
from clearance.demo import form_values, post_data
from clearance.models import ClearanceRequest, Comment, Document, Event, FieldOfStudy
from tests.conftest import (
    PDF,
    act,
    approve_payload,
    attach_pdf,
    expert_for,
    login,
    open_task,
    upload,
)
from tests.factories import ClearanceRequestFactory, ExpertFactory


def said(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def returned(req: ClearanceRequest, expert: User) -> ClearanceRequest:
    task = open_task(req)
    services.task_claim(task=task, user=expert)
    return services.request_return(task=task, user=expert, reason="مدارک ناقص است")


# --- 2. the faculty is fixed once submitted ------------------------------------------------


def test_a_resubmission_cannot_move_the_request_to_another_faculty(
    submitted, experts, faculty, other_faculty, student
):
    returned(submitted, expert_for(experts, "education", faculty))
    with pytest.raises(services.ActionRefused, match="ثابت"):
        services.request_resubmit(
            clearance_request=submitted,
            student=student,
            data={**form_values(serial=1, faculty=faculty), "faculty": other_faculty},
        )
    data = post_data(form_values(serial=1, faculty=faculty))
    data["faculty"] = str(other_faculty.pk)  # posted anyway, the field is read-only

    client = login(Client(), student)
    page = client.get(reverse("request_edit", args=[submitted.pk])).content.decode()
    response = client.post(reverse("request_edit", args=[submitted.pk]), data)

    assert 'name="faculty"' in page and "disabled" in page.split('name="faculty"')[1][:200]
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.faculty == faculty
    assert open_task(submitted).owner_permission == "clearance.office.education.medicine"


@pytest.fixture
def master_request(student, faculty, other_faculty) -> ClearanceRequest:
    """A master's student of medicine; nursing also teaches master's programs."""
    field = FieldOfStudy.objects.filter(faculty=faculty, degree__code="master").first()
    return ClearanceRequestFactory(
        student=student, faculty=faculty, serial=4, field_of_study=field, degree=field.degree
    )


def test_the_education_office_moves_a_request_and_the_chain_restarts_there(
    master_request, experts, faculty, other_faculty
):
    req = master_request
    for _ in range(2):  # education and student affairs of the wrong faculty approve
        act(expert_for(experts, open_task(req).flow_task.name, faculty), req, dormitory=False)
    waiting = open_task(req)
    assert waiting.flow_task.name == "cultural_deputy"
    education = expert_for(experts, "education", faculty)
    first_task = Task.objects.get(process_id=req.process_id, flow_task__endswith="education")
    right_field = FieldOfStudy.objects.filter(
        faculty=other_faculty, degree=req.degree, is_active=True
    ).first()
    client = login(Client(), education)

    page = client.get(reverse("task_detail", args=[first_task.pk])).content.decode()
    response = client.post(
        reverse("task_faculty_change", args=[first_task.pk]),
        {"faculty": other_faculty.pk, "field_of_study": right_field.pk, "reason": "دانشکده اشتباه"},
    )

    assert 'id="faculty-change"' in page
    assert response.status_code == 302
    req.refresh_from_db()
    assert (req.faculty, req.field_of_study) == (other_faculty, right_field)
    assert req.current_office.code == "education"
    waiting.refresh_from_db()
    assert waiting.status == STATUS.CANCELED
    restarted = open_task(req)
    assert restarted.flow_task.name == "education" and restarted.status == STATUS.NEW
    assert restarted.owner_permission == "clearance.office.education.nursing_midwifery"
    assert restarted in queue_for_officer(expert_for(experts, "education", other_faculty))
    assert not queue_for_officer(education).exists()
    moved = Event.objects.get(request=req, kind=Event.Kind.MOVED)
    assert moved.actor == education and moved.note == "دانشکده اشتباه"
    assert moved.details == {"from_faculty": "medicine", "to_faculty": "nursing_midwifery"}
    states = {office.code: state for office, state in chain_steps(req)}
    assert states["education"] == "now" and states["student_affairs"] == "ahead"
    # The process goes on, in the right faculty's offices this time.
    act(expert_for(experts, "education", other_faculty), req, dormitory=False)
    assert open_task(req).owner_permission == "clearance.office.student_affairs.nursing_midwifery"


def test_only_the_education_office_of_the_request_may_move_it(
    master_request, experts, faculty, other_faculty, student
):
    right_field = FieldOfStudy.objects.filter(faculty=other_faculty, degree__code="master").first()
    for user in (
        expert_for(experts, "nutrition", faculty),
        expert_for(experts, "education", other_faculty),
        student,
    ):
        with pytest.raises(services.ActionRefused):
            services.request_faculty_change(
                clearance_request=master_request,
                user=user,
                faculty=other_faculty,
                field_of_study=right_field,
                reason="x",
            )
    master_request.refresh_from_db()
    assert master_request.faculty == faculty
    assert not Event.objects.filter(kind=Event.Kind.MOVED).exists()


# --- 3. no one decides their own request ---------------------------------------------------


def test_an_expert_cannot_claim_approve_return_or_bulk_approve_their_own_request(experts, faculty):
    expert = expert_for(experts, "education", faculty)
    own = ClearanceRequestFactory(student=expert, faculty=faculty, serial=21)
    task = open_task(own)
    client = login(Client(), expert)

    page = client.get(reverse("task_detail", args=[task.pk])).content.decode()
    claim = client.post(reverse("task_claim", args=[task.pk]))
    approve = client.post(
        reverse("task_approve", args=[task.pk]), approve_payload("education", dormitory=False)
    )
    give_back = client.post(reverse("task_return", args=[task.pk]), {"reason": "خودم"})
    bulk = client.post(reverse("tasks_bulk_approve"), {"task": [str(task.pk)]})

    assert 'id="own-request"' in page and reverse("task_claim", args=[task.pk]) not in page
    for response in (claim, approve, give_back, bulk):
        assert response.status_code == 302
        assert any("your own request" in m or "درخواست خودتان" in m for m in said(response))
    task.refresh_from_db()
    assert task.status == STATUS.NEW and task.owner is None
    own.refresh_from_db()
    assert own.status == ClearanceRequest.Status.IN_PROGRESS
    assert not Event.objects.filter(request=own).exclude(kind=Event.Kind.SUBMITTED).exists()
    # It stays in the queue for a colleague, who can decide it.
    colleague = ExpertFactory(office="education", faculty=faculty)
    assert task in queue_for_officer(colleague)
    assert act(colleague, own, dormitory=False) == "education"


# --- 6. refusals that tell the truth --------------------------------------------------------


def test_another_students_national_code_is_not_your_own_open_request(
    submitted, other_student, faculty
):
    data = post_data(form_values(serial=9, faculty=faculty))
    data["national_code"] = submitted.national_code
    client = login(Client(), other_student)

    response = client.post(reverse("request_create"), data)

    assert ClearanceRequest.objects.filter(student=other_student).count() == 0
    message = " ".join(said(response))
    assert "کد ملی" in message and "دانشجوی دیگری" in message
    assert "شما یک درخواست باز دارید" not in message


def test_an_expert_is_told_the_student_cancelled_not_that_someone_finished(
    submitted, experts, faculty, student
):
    expert = expert_for(experts, "education", faculty)
    client = login(Client(), expert)
    task = open_task(submitted)
    client.post(reverse("task_claim", args=[task.pk]))
    services.request_cancel(clearance_request=submitted, student=student)

    response = client.post(
        reverse("task_approve", args=[task.pk]), approve_payload("education", dormitory=False)
    )

    message = " ".join(said(response))
    assert "لغو" in message and "انجام" not in message


# --- 8. history cannot be rewritten --------------------------------------------------------


def test_the_workflow_engines_admin_pages_are_gone(admin_client, submitted):
    index = admin_client.get(reverse("admin:index")).content.decode()

    assert "/admin/viewflow/" not in index
    for url in ("/admin/viewflow/process/", "/admin/viewflow/task/"):
        assert admin_client.get(url).status_code == 404
    task = open_task(submitted)
    assert (
        admin_client.post(f"/admin/viewflow/task/{task.pk}/delete/", {"post": "yes"}).status_code
        == 404
    )
    assert Task.objects.filter(pk=task.pk, status=STATUS.NEW).exists()


def test_requests_events_comments_and_documents_are_never_deleted(admin_client, submitted, student):
    comment = services.comment_post(clearance_request=submitted, author=student, body="سلام")
    document = attach_pdf(submitted, by=student)
    event = submitted.events.get()
    for record in (submitted, event, comment, document):
        with pytest.raises(ValueError, match="never deleted"):
            record.delete()
        with pytest.raises(ValueError, match="never deleted"):
            type(record).objects.filter(pk=record.pk).delete()
        meta = record._meta
        url = reverse(f"admin:{meta.app_label}_{meta.model_name}_delete", args=[record.pk])
        assert admin_client.post(url, {"post": "yes"}).status_code in (403, 404)
    for model in (Event, Comment, Document):
        with pytest.raises(ValueError, match="immutable"):
            model.objects.update(created=timezone.now())
    assert ClearanceRequest.objects.count() == Event.objects.count() == 1
    assert Comment.objects.count() == Document.objects.count() == 1


# --- 9. a closed request takes no new messages or documents ---------------------------------


def test_a_closed_request_takes_no_message_or_document(submitted, experts, faculty, student):
    task = open_task(submitted)
    services.request_cancel(clearance_request=submitted, student=student)
    student_client = login(Client(), student)
    expert_client = login(Client(), expert_for(experts, "education", faculty))

    page = student_client.get(reverse("request_detail", args=[submitted.pk])).content.decode()
    mine = student_client.post(
        reverse("request_comment", args=[submitted.pk]),
        {"body": "هنوز هستم", "documents": [upload("a.pdf", PDF)]},
    )
    staff = expert_client.post(reverse("task_comment", args=[task.pk]), {"body": "پیام"})

    assert (
        'id="comments-closed"' in page
        and reverse("request_comment", args=[submitted.pk]) not in page
    )
    assert "بسته" in " ".join(said(mine)) and "بسته" in " ".join(said(staff))
    assert not Comment.objects.exists() and not Document.objects.exists()


# --- 10. invariants in the database -------------------------------------------------------


def test_the_database_refuses_broken_invariants(submitted):
    broken = [
        {"status": ClearanceRequest.Status.CLEARED, "closed": timezone.now()},  # no certificate
        {"status": ClearanceRequest.Status.CLEARED, "certificate_code": "AB12"},  # not closed
        {"certificate_code": "AB12"},  # a certificate for an open request
        {"status": ClearanceRequest.Status.CANCELLED},  # closed without a time
        {"closed": timezone.now()},  # open yet closed
        {"letter_date": dt.date(2026, 11, 1)},  # a date without a letter number
    ]
    for values in broken:
        with pytest.raises(IntegrityError), transaction.atomic():
            ClearanceRequest.objects.filter(pk=submitted.pk).update(**values)
    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.create(request=submitted, kind=Event.Kind.APPROVED, debt_rials=-1)
    ClearanceRequest.objects.filter(pk=submitted.pk).update(
        letter_number="1405/پ/1", letter_date=dt.date(2026, 11, 1)
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("national_code", "1234567890"),
        ("national_code", "００８４５７５９４８"),
        ("mobile", "9121234567"),
        ("landline", "88776655"),
    ],
)
def test_the_model_fields_carry_their_validators(submitted, field, value):
    setattr(submitted, field, value)

    with pytest.raises(ValidationError) as error:
        submitted.full_clean()

    assert list(error.value.message_dict) == [field]


def test_a_certificate_code_typed_in_persian_digits_is_found(client, submitted):
    ClearanceRequest.objects.filter(pk=submitted.pk).update(
        status=ClearanceRequest.Status.CLEARED, certificate_code="AB12CD34", closed=timezone.now()
    )

    typed = client.get(reverse("certificate_verify_form"), {"code": "ab۱۲cd٣٤"})

    assert typed.status_code == 200 and submitted.full_name in typed.content.decode()
