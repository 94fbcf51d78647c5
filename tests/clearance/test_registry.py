"""Identity comes from the university (issue 10 §1): the student registry, its import in the
admin and by command, and requests filed under the registry's identity only.
"""

import datetime as dt
import io
from pathlib import Path

import openpyxl
import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from accounts.models import User
from clearance import services
from clearance.demo import form_values, make_national_code, post_data
from clearance.models import ClearanceRequest, FieldOfStudy, StudentRecord
from persian.text import ascii_digits
from tests.conftest import expert_for, login, open_task
from tests.factories import ClearanceRequestFactory, StudentFactory

PERSIAN_HEADERS = ["شماره دانشجویی", "کد ملی", "نام", "نام خانوادگی", "نام پدر", "تاریخ تولد",
                   "جنسیت", "دانشکده", "رشته تحصیلی", "مقطع"]  # fmt: skip
ENGLISH_HEADERS = ["student_number", "national_code", "first_name", "last_name", "father_name",
                   "birth_date", "gender", "faculty", "field_of_study", "degree"]  # fmt: skip
CODE_1 = make_national_code(9001)  # 000009001x: a spreadsheet number cell drops the zeros
CODE_2 = make_national_code(9002)


@pytest.fixture
def field(faculty) -> FieldOfStudy:
    return FieldOfStudy.objects.filter(faculty=faculty, degree__code="master").first()


def rows(field: FieldOfStudy, *, name: str = "مریم") -> list[list[object]]:
    faculty, degree = field.faculty, field.degree
    return [
        ["۹۸۱۰۰۱۰۱", int(CODE_1), name, "رضایي", "حسن", "۱۳۷۸/۰۲/۱۵", "زن", faculty.name,
         field.name, degree.name],
        ["98100102", CODE_2, "علی", "كاظمی", "", "1377/11/30", "male", faculty.code,
         field.name_en or field.name, degree.code],
    ]  # fmt: skip


def xlsx(headers: list[str], body: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in body:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv(headers: list[str], body: list[list[object]], *, encoding: str) -> bytes:
    if encoding == "cp1256":  # no Persian yeh or digits in Windows-1256: Arabic ي, ASCII
        body = [[ascii_digits(str(cell)).replace("ی", "ي") for cell in row] for row in body]
        headers = [header.replace("ی", "ي") for header in headers]
    lines = [",".join(headers)] + [",".join(str(cell) for cell in row) for row in body]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def admin_import(client: Client, name: str, content: bytes, fmt: int):  # type: ignore[no-untyped-def]
    """Upload in the admin (the preview); confirm if the preview allows it."""
    url = reverse("admin:clearance_studentrecord_import")
    upload = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    preview = client.post(url, {"resource": "0", "format": str(fmt), "import_file": upload})
    assert preview.status_code == 200
    return preview


def confirm(client: Client, preview):  # type: ignore[no-untyped-def]
    form = preview.context["confirm_form"]
    data = {name: form[name].value() for name in form.fields}
    return client.post(reverse("admin:clearance_studentrecord_process_import"), data)


@pytest.mark.django_db
def test_the_admin_imports_an_xlsx_with_a_preview_and_updates_rows_on_a_second_import(
    admin_client, field
):
    preview = admin_import(admin_client, "students.xlsx", xlsx(PERSIAN_HEADERS, rows(field)), 1)

    assert not preview.context["result"].has_errors()
    assert not preview.context["result"].has_validation_errors()
    assert StudentRecord.objects.count() == 0  # a preview saves nothing
    assert confirm(admin_client, preview).status_code == 302
    first = StudentRecord.objects.get(student_number="98100101")
    assert first.national_code == CODE_1  # its leading zeros put back
    assert (first.first_name, first.last_name) == ("مریم", "رضایی")
    assert first.birth_date == dt.date(1999, 5, 5)
    assert (first.faculty, first.field_of_study, first.gender.code) == (
        field.faculty,
        field,
        "female",
    )
    second = StudentRecord.objects.get(student_number="98100102")
    assert second.last_name == "کاظمی" and second.gender.code == "male"

    again = admin_import(
        admin_client, "students.xlsx", xlsx(PERSIAN_HEADERS, rows(field, name="مهسا")), 1
    )
    confirm(admin_client, again)
    assert StudentRecord.objects.count() == 2
    assert StudentRecord.objects.get(student_number="98100101").first_name == "مهسا"


@pytest.mark.django_db
def test_a_bad_row_is_reported_by_row_and_field_and_nothing_is_saved(admin_client, field):
    body = rows(field)
    body[1][1] = "1234567890"  # a wrong check digit
    body[1][7] = "دانشکده ناموجود"
    content = csv(PERSIAN_HEADERS, body, encoding="utf-8-sig")

    preview = admin_import(admin_client, "students.csv", content, 0)

    result = preview.context["result"]
    assert result.has_validation_errors() and "confirm_form" not in preview.context
    [invalid] = result.invalid_rows
    assert invalid.number == 2
    assert set(invalid.error_dict) == {"national_code", "faculty"}  # its field is not blamed
    html = preview.content.decode()
    assert "دانشکده ناموجود" in html
    assert StudentRecord.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("encoding", ["cp1256", "utf-8", "utf-8-sig"])
def test_a_windows_1256_or_utf8_csv_imports_in_the_admin(admin_client, field, encoding):
    body = [[str(cell) for cell in row] for row in rows(field)]
    body[0][1] = CODE_1

    preview = admin_import(admin_client, "s.csv", csv(PERSIAN_HEADERS, body, encoding=encoding), 0)
    confirm(admin_client, preview)

    record = StudentRecord.objects.get(student_number="98100101")
    assert record.last_name == "رضایی" and record.first_name == "مریم"


@pytest.mark.django_db
def test_the_command_imports_the_same_files_and_refuses_a_bad_one_whole(tmp_path: Path, field):
    good = tmp_path / "students.csv"
    good_body = [[str(c) for c in row] for row in rows(field)]
    good_body[0][1] = CODE_1
    good.write_bytes(csv(ENGLISH_HEADERS, good_body, encoding="cp1256"))
    out, err = io.StringIO(), io.StringIO()

    call_command("import_students", str(good), "--dry-run", stdout=out)
    assert "new 2" in out.getvalue() and StudentRecord.objects.count() == 0
    call_command("import_students", str(good), stdout=out)
    assert StudentRecord.objects.count() == 2

    bad = tmp_path / "students.xlsx"
    bad_body = rows(field, name="نسرین")
    bad_body[1][5] = "1377/13/40"
    bad.write_bytes(xlsx(ENGLISH_HEADERS, bad_body))
    with pytest.raises(CommandError, match="nothing imported"):
        call_command("import_students", str(bad), stdout=out, stderr=err)
    assert "row 2: birth_date" in err.getvalue() or "row 2: تاریخ تولد" in err.getvalue()
    assert StudentRecord.objects.get(student_number="98100101").first_name == "مریم"


# --- filing under the registry's identity -----------------------------------------------------


@pytest.fixture
def record(field) -> StudentRecord:
    return StudentRecord.objects.create(
        student_number="98100101", national_code=CODE_1, first_name="مریم",
        last_name="رضایی", father_name="حسن", birth_date=dt.date(1999, 5, 5),
        faculty=field.faculty, degree=field.degree, field_of_study=field,
    )  # fmt: skip


@pytest.fixture
def registered(db, record) -> User:
    """A local account whose student number an administrator set in admin."""
    return StudentFactory(username="maryam", student_number="۹۸۱۰۰۱۰۱")


def test_the_form_is_filled_from_the_registry_and_the_identity_cannot_be_changed(
    registered, record, other_faculty
):
    client = login(Client(), registered)
    page = client.get(reverse("request_create"))
    form = page.context["form"]
    for name in ("full_name", "student_number", "national_code", "father_name", "birth_date",
                 "faculty"):  # fmt: skip
        assert form.fields[name].disabled, name
    html = page.content.decode()
    assert "مریم رضایی" in html and ("1378/02/15" in html or "۱۳۷۸/۰۲/۱۵" in html)

    data = post_data(form_values(serial=5, faculty=record.faculty))
    data.update(
        field_of_study=str(record.field_of_study.pk),
        degree=str(record.degree.pk),
        full_name="کسی دیگر",
        national_code=make_national_code(777),
        student_number="99999999",
        father_name="دیگری",
        birth_date="1370/01/01",
        faculty=str(other_faculty.pk),
    )
    response = client.post(reverse("request_create"), data)

    assert response.status_code == 302
    req = ClearanceRequest.objects.get(student=registered)
    assert (req.full_name, req.student_number, req.national_code, req.father_name) == (
        "مریم رضایی", "98100101", CODE_1, "حسن",
    )  # fmt: skip
    assert (req.birth_date, req.faculty) == (dt.date(1999, 5, 5), record.faculty)
    # Even an action called with another identity files under the registry's.
    req.status, req.closed = ClearanceRequest.Status.CANCELLED, req.created
    req.save(update_fields=["status", "closed"])
    again = services.request_submit(
        student=registered, data={**form_values(serial=6, faculty=other_faculty)}
    )
    assert (again.national_code, again.faculty) == (CODE_1, record.faculty)


def test_without_a_registry_row_another_accounts_identity_is_refused(
    db, record, student, other_student, faculty
):
    earlier = ClearanceRequestFactory(student=other_student, faculty=faculty, serial=8)
    services.request_cancel(clearance_request=earlier, student=other_student)
    client = login(Client(), student)  # no registry row for student1's number
    for typed in (
        {"national_code": earlier.national_code},  # another account's (closed) request
        {"student_number": earlier.student_number},
        {"national_code": CODE_1},  # someone's registry row
        {"student_number": "۹۸۱۰۰۱۰۱"},
    ):
        data = {**post_data(form_values(serial=9, faculty=faculty)), **typed}
        response = client.post(reverse("request_create"), data)
        message = " ".join(str(m) for m in get_messages(response.wsgi_request))
        assert "اداره آموزش" in message and "پرونده دانشجوی دیگری" in message
    assert not ClearanceRequest.objects.filter(student=student).exists()


def test_the_education_office_sees_whether_the_request_is_in_the_registry(
    registered, record, student, experts, faculty
):
    impostor = ClearanceRequestFactory(student=student, faculty=faculty, serial=12)
    genuine = services.request_submit(
        student=registered, data=form_values(serial=13, faculty=faculty)
    )
    client = login(Client(), expert_for(experts, "education", faculty))

    def state(req: ClearanceRequest) -> str:
        html = client.get(reverse("task_detail", args=[open_task(req).pk])).content.decode()
        return html.split('id="registry-state" data-state="')[1].split('"')[0]

    assert state(impostor) == "absent" and state(genuine) == "match"
    page = client.get(reverse("task_detail", args=[open_task(impostor).pk])).content.decode()
    assert "در پرونده آموزشی دانشجویان نیست" in page


def test_an_impostor_cannot_lock_the_real_student_out_unseen(db, student, faculty, field):
    """Filed before the registry had the student: the real one is told what happened."""
    stolen = ClearanceRequestFactory(
        student=student, faculty=faculty, serial=14, national_code=CODE_1
    )
    StudentRecord.objects.create(
        student_number="98100101", national_code=CODE_1, first_name="مریم", last_name="رضایی",
        faculty=faculty, degree=field.degree, field_of_study=field,
    )  # fmt: skip
    real = StudentFactory(student_number="98100101")

    with pytest.raises(services.ActionRefused) as refused:
        services.request_submit(student=real, data=form_values(serial=15, faculty=faculty))

    assert "دانشجوی دیگری با این کد ملی درخواست باز دارد" in refused.value.message
    assert stolen.is_open


def test_admin_search_and_the_users_student_number_follow_the_one_digit_rule(
    admin_client, submitted, record
):
    found = admin_client.get(
        reverse("admin:clearance_clearancerequest_changelist"), {"q": "٩٨١٠٠٠٠١"}
    )
    assert [r.pk for r in found.context["cl"].result_list] == [submitted.pk]
    found = admin_client.get(reverse("admin:clearance_studentrecord_changelist"), {"q": "۹۸۱۰۰۱۰۱"})
    assert list(found.context["cl"].result_list) == [record]

    user = submitted.student
    user.student_number = "۹۸۱۰۰۱۰۱"
    user.full_clean()
    assert user.student_number == "98100101"
    user.student_number = "98²"
    with pytest.raises(ValidationError):
        user.full_clean()


def test_only_an_administrator_allowed_to_add_and_change_records_may_import(client, field):
    helper = User.objects.create_user("helpdesk", password="x", is_staff=True)
    client.force_login(helper)
    upload = SimpleUploadedFile("s.xlsx", xlsx(PERSIAN_HEADERS, rows(field)))

    assert client.get(reverse("admin:clearance_studentrecord_import")).status_code == 403
    response = client.post(
        reverse("admin:clearance_studentrecord_import"),
        {"resource": "0", "format": "1", "import_file": upload},
    )
    assert response.status_code == 403
    assert StudentRecord.objects.count() == 0
