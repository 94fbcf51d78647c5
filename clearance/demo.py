"""Demo and test data: valid form values, students, and one expert per office role."""

import datetime as dt
from typing import Any

from accounts.models import Faculty, Office, Role, User
from clearance.models import (
    City,
    ClearanceRequest,
    EducationStatus,
    FieldOfStudy,
    Gender,
    MaritalStatus,
    RequestType,
)
from persian.validators import national_code_check_digit

DEMO_PASSWORD = "tasvieh-demo"
# Demo people. A student's account carries the name written on their form; experts come from
# another set of names, so nobody in the demo is both.
_STUDENT_FIRST = ["سارا", "رضا", "مریم", "علی", "زهرا", "حسین", "فاطمه", "محمد", "نرگس", "امیر"]
_STUDENT_LAST = ["احمدی", "کریمی", "رضایی", "محمدی", "حسینی", "موسوی", "جعفری", "صادقی", "نوری"]
_EXPERT_FIRST = ["مهدی", "لیلا", "حمید", "شیوا", "بهروز", "نسرین", "کامران", "پروین", "مجید"]
_EXPERT_LAST = ["اکبری", "شریفی", "یزدانی", "فرهادی", "توکلی", "قاسمی", "بهرامی", "افشار"]


def _name(serial: int, first: list[str], last: list[str]) -> tuple[str, str]:
    # The two lists have coprime lengths: every pair comes once before any repeats.
    return first[serial % len(first)], last[serial % len(last)]


def student_name(serial: int) -> tuple[str, str]:
    """The first and last name of demo student number ``serial``."""
    return _name(serial, _STUDENT_FIRST, _STUDENT_LAST)


def make_national_code(serial: int) -> str:
    """Build a valid national code (correct check digit) from a serial number."""
    body = f"{serial:09d}"
    return body + national_code_check_digit(body)


def form_values(
    *, serial: int, faculty: Faculty | None = None, request_type: str = "graduation"
) -> dict[str, Any]:
    """Model values of a valid clearance request for one student."""
    field = FieldOfStudy.objects.filter(is_active=True)
    if faculty is not None:
        field = field.filter(faculty=faculty)
    field_of_study = field.select_related("faculty", "degree").order_by("pk").first()
    assert field_of_study is not None, "no field of study seeded"
    return {
        "request_type": RequestType.objects.get(code=request_type),
        "full_name": " ".join(student_name(serial)),
        "student_number": f"{98100000 + serial}",
        "national_code": make_national_code(1_000_000 + serial),
        "father_name": "علی",
        "card_status": ClearanceRequest.CardStatus.RETURNED,
        "birth_certificate_number": f"{1000 + serial}",
        "birth_date": dt.date(2000, 3, 21),
        "place_of_issue": City.objects.order_by("pk").first(),
        "marital_status": MaritalStatus.objects.get(code="single"),
        "gender": Gender.objects.order_by("pk").first(),
        "education_status": EducationStatus.objects.get(code="graduated"),
        "faculty": field_of_study.faculty,
        "landline": "02188776655",
        "mobile": f"0912{1000000 + serial:07d}",
        "field_of_study": field_of_study,
        "degree": field_of_study.degree,
        "address": "تهران، خیابان ولیعصر، کوچه بهار، پلاک ۱۲",
    }


def post_data(values: dict[str, Any]) -> dict[str, str]:
    """The same values as a browser would post them in the form."""
    from persian.text import format_jalali

    data = {}
    for name, value in values.items():
        if hasattr(value, "pk"):
            data[name] = str(value.pk)
        elif name == "birth_date":
            data[name] = format_jalali(value)
        else:
            data[name] = str(value)
    return data


def make_user(username: str, *, first_name: str = "", last_name: str = "", **extra: Any) -> User:
    user, created = User.objects.get_or_create(
        username=username, defaults={"first_name": first_name, "last_name": last_name, **extra}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    return user


def make_student(serial: int, username: str | None = None) -> User:
    """Demo student number ``serial``, named as on the form ``form_values(serial=…)`` fills."""
    first_name, last_name = student_name(serial)
    return make_user(
        username or f"student{serial}",
        first_name=first_name,
        last_name=last_name,
        student_number=f"{98100000 + serial}",
    )


def expert_username(office: Office, faculty: Faculty | None) -> str:
    return f"{office.code}.{faculty.code}" if faculty else office.code


def make_experts(faculties: list[Faculty] | None = None) -> list[User]:
    """One expert per office role: per faculty for faculty offices, one per university office."""
    faculties = faculties if faculties is not None else list(Faculty.objects.filter(is_active=True))
    experts: list[User] = []
    for office in Office.objects.all():
        for faculty in faculties if office.is_faculty_office else [None]:
            first_name, last_name = _name(len(experts), _EXPERT_FIRST, _EXPERT_LAST)
            user = make_user(
                expert_username(office, faculty), first_name=first_name, last_name=last_name
            )
            Role.objects.get_or_create(user=user, office=office, faculty=faculty)
            experts.append(user)
    return experts
