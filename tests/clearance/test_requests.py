"""The student's side over HTTP: the form, one open request, my requests, documents, access."""

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from clearance import services
from clearance.demo import form_values, make_national_code, post_data
from clearance.models import ClearanceRequest, Document, Event, RequestType
from tests.conftest import PDF, PNG, attach_pdf, login, upload


@pytest.fixture
def valid_post(faculty) -> dict[str, str]:
    return post_data(form_values(serial=7, faculty=faculty))


def test_valid_submission_creates_exactly_one_request(student_client, student, valid_post):
    valid_post["national_code"] = "".join("۰۱۲۳۴۵۶۷۸۹"[int(d)] for d in valid_post["national_code"])
    valid_post["full_name"] = "سارا احمدي"  # Arabic ي is normalised
    valid_post["documents"] = [upload("transcript.pdf", PDF)]
    response = student_client.post(reverse("request_create"), valid_post)
    req = ClearanceRequest.objects.get(student=student)
    assert response.status_code == 302
    assert response["Location"] == reverse("request_detail", args=[req.pk])
    assert req.full_name == "سارا احمدی"
    assert req.national_code.isascii() and len(req.national_code) == 10
    assert req.current_office.code == "education"
    assert req.status == ClearanceRequest.Status.IN_PROGRESS
    assert req.documents.get().original_name == "transcript.pdf"
    assert Event.objects.filter(request=req, kind=Event.Kind.SUBMITTED).count() == 1
    page = student_client.get(response["Location"]).content.decode()
    assert req.full_name in page and "transcript.pdf" in page


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("national_code", "1234567890"),
        ("national_code", "۱۱۱۱۱۱۱۱۱۱"),
        ("mobile", "0812345678"),
        ("landline", "88776655"),
        ("birth_date", "1380/13/40"),
        ("birth_date", "1400/01/01"),
        ("full_name", "Sara Ahmadi"),
        ("student_number", "abc"),
        ("address", "کوتاه"),
        ("place_of_issue", "999999"),
        ("card_status", "maybe"),
    ],
)
def test_each_invalid_field_gives_its_message_and_saves_nothing(
    student_client, valid_post, field, value
):
    valid_post[field] = value
    response = student_client.post(reverse("request_create"), valid_post)
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == [field]
    assert 'id="error-summary"' in response.content.decode()
    assert ClearanceRequest.objects.count() == 0


def test_field_of_study_must_match_faculty_and_degree(student_client, valid_post, other_faculty):
    valid_post["faculty"] = str(other_faculty.pk)
    response = student_client.post(reverse("request_create"), valid_post)
    assert "field_of_study" in response.context["form"].errors
    assert ClearanceRequest.objects.count() == 0


def test_second_open_request_is_refused(student_client, student, valid_post):
    student_client.post(reverse("request_create"), valid_post)
    response = student_client.post(reverse("request_create"), valid_post, follow=True)
    assert ClearanceRequest.objects.filter(student=student).count() == 1
    assert response.redirect_chain[-1][0] == reverse(
        "request_detail", args=[ClearanceRequest.objects.get().pk]
    )


def test_open_request_per_national_code_is_a_database_rule(student, other_student, faculty):
    services.request_submit(student=student, data=form_values(serial=3, faculty=faculty))
    with pytest.raises(services.ActionRefused):
        services.request_submit(student=other_student, data=form_values(serial=3, faculty=faculty))
    assert ClearanceRequest.objects.count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_double_submit_at_once_makes_one_request(student, faculty):
    """Two simultaneous posts of the same form (a double click) create one request."""
    data = post_data(form_values(serial=11, faculty=faculty))
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def submit() -> None:
        client = login(Client(), student)
        barrier.wait()
        statuses.append(client.post(reverse("request_create"), data).status_code)
        connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [302, 302]
    assert ClearanceRequest.objects.filter(student=student).count() == 1


def test_my_requests_filters_by_type_and_status(student_client, student, faculty):
    first = services.request_submit(student=student, data=form_values(serial=1, faculty=faculty))
    services.request_cancel(clearance_request=first, student=student)
    services.request_submit(
        student=student, data=form_values(serial=2, faculty=faculty, request_type="withdrawal")
    )
    url = reverse("request_list")
    assert len(student_client.get(url).context["requests"]) == 2
    by_type = student_client.get(url, {"type": "withdrawal"}).context["requests"]
    assert [r.request_type.code for r in by_type] == ["withdrawal"]
    by_status = student_client.get(url, {"status": "cancelled"}).context["requests"]
    assert [r.pk for r in by_status] == [first.pk]
    assert RequestType.objects.filter(code="transfer").exists()
    assert not student_client.get(url, {"type": "transfer"}).context["requests"]


def test_cancel_open_request(student_client, student, submitted):
    response = student_client.post(reverse("request_cancel", args=[submitted.pk]))
    submitted.refresh_from_db()
    assert response.status_code == 302
    assert submitted.status == ClearanceRequest.Status.CANCELLED
    assert submitted.process.status == "CANCELED"
    assert not submitted.process.task_set.filter(status__in=["NEW", "ASSIGNED"]).exists()
    again = student_client.post(reverse("request_cancel", args=[submitted.pk]), follow=True)
    assert [m.level_tag for m in again.context["messages"]][-1] == "error"
    assert Event.objects.filter(request=submitted, kind=Event.Kind.CANCELLED).count() == 1


def test_renamed_executable_is_refused(student_client, valid_post):
    valid_post["documents"] = [upload("scan.pdf", b"MZ\x90\x00" + b"\0" * 200)]
    response = student_client.post(reverse("request_create"), valid_post)
    assert "documents" in response.context["form"].errors
    assert ClearanceRequest.objects.count() == 0 and Document.objects.count() == 0


def test_oversize_document_is_refused(student_client, valid_post, settings):
    settings.TASVIEH_MAX_UPLOAD_MB = 1
    valid_post["documents"] = [upload("big.pdf", PDF + b"0" * (1024 * 1024 + 1))]
    response = student_client.post(reverse("request_create"), valid_post)
    errors = response.context["form"].errors["documents"]
    assert "big.pdf" in errors[0]
    assert ClearanceRequest.objects.count() == 0


def test_comment_with_attachment(student_client, submitted):
    response = student_client.post(
        reverse("request_comment", args=[submitted.pk]),
        {"body": "پیوست را ببینید", "documents": [upload("receipt.png", PNG)]},
    )
    assert response.status_code == 302
    comment = submitted.comments.get()
    assert comment.body == "پیوست را ببینید" and not comment.internal
    document = comment.documents.get()
    assert document.content_type == "image/png"
    assert document.file.name.startswith(f"documents/{submitted.pk}/")
    assert "receipt" not in document.file.name


def test_student_cannot_see_another_students_request_or_files(
    client, other_student, submitted, student
):
    document = attach_pdf(submitted, by=student)
    owner = login(Client(), student)
    assert owner.get(reverse("document_download", args=[document.pk])).status_code == 200
    intruder = login(client, other_student)
    for name in ("request_detail", "request_edit"):
        assert intruder.get(reverse(name, args=[submitted.pk])).status_code == 404
    for name in ("request_cancel", "request_comment"):
        assert intruder.post(reverse(name, args=[submitted.pk]), {"body": "x"}).status_code == 404
    assert intruder.get(reverse("document_download", args=[document.pk])).status_code == 404
    submitted.refresh_from_db()
    assert submitted.status == ClearanceRequest.Status.IN_PROGRESS
    assert not submitted.comments.exists()


def test_pages_need_a_login(client, submitted):
    for url in (
        reverse("request_list"),
        reverse("request_create"),
        reverse("request_detail", args=[submitted.pk]),
        reverse("office_queue"),
    ):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_valid_national_code_helper_is_valid():
    from persian.validators import national_code_is_valid

    assert all(national_code_is_valid(make_national_code(n)) for n in range(1, 200))


def test_persian_is_the_default_whatever_the_browser_says(student_client):
    page = student_client.get(reverse("request_list"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    html = page.content.decode()
    assert 'lang="fa"' in html and 'dir="rtl"' in html
    assert "درخواست‌های من" in html
    student_client.post(reverse("set_language"), {"language": "en", "next": "/requests/"})
    english = student_client.get(reverse("request_list")).content.decode()
    assert 'lang="en"' in english and 'dir="ltr"' in english and "My requests" in english


def test_form_controls_are_labelled_and_described(student_client, valid_post):
    valid_post["mobile"] = "123"
    html = student_client.post(reverse("request_create"), valid_post).content.decode()
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_mobile_help id_mobile_error"' in html
    assert 'class="form-select"' in html and 'for="id_national_code"' in html


def test_odd_parameters_on_student_pages(student_client):
    assert (
        student_client.get(reverse("request_list"), {"type": "\u0000", "status": "x"}).status_code
        == 200
    )
    assert student_client.get(reverse("request_create"), {"type": "\u0000"}).status_code == 200
    assert Client().get(reverse("certificate_verify_form"), {"code": "\u0000"}).status_code == 200
    assert Client().get("/verify/%00abc/").status_code == 404


def test_form_accepts_numbers_as_people_type_them(student_client, student, valid_post):
    valid_post.update(
        mobile="+98 912 123 4567",
        national_code="۰۴۹۹-۳۷۰-۸۹۹",
        landline="(۰۲۱) ۸۸۷۷-۶۶۵۵",
        birth_date="١٣٨٠/٠٥/١٢",
    )
    response = student_client.post(reverse("request_create"), valid_post)
    assert response.status_code == 302, response.context["form"].errors
    req = ClearanceRequest.objects.get(student=student)
    assert (req.mobile, req.national_code, req.landline) == (
        "09121234567",
        "0499370899",
        "02188776655",
    )
    assert req.birth_date.isoformat() == "2001-08-03"
