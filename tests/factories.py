"""Test data the way the product makes it: users with roles, requests through request_submit.

StudentFactory(first_name="سارا")            a student who can sign in (DEMO_PASSWORD)
ExpertFactory(office="nutrition")            an expert holding that office's role
ExpertFactory(office="education", faculty=f) a faculty office's expert
ClearanceRequestFactory(student=s, faculty=f) a submitted request, its flow started
"""

from typing import Any

import factory
from factory.django import DjangoModelFactory, Password

from accounts.models import Faculty, Office, Role, User
from clearance import services
from clearance.demo import DEMO_PASSWORD, form_values
from clearance.models import ClearanceRequest


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "کاربر"
    last_name = factory.Sequence(lambda n: f"شماره {n}")
    password = Password(DEMO_PASSWORD)


class StudentFactory(UserFactory):
    username = factory.Sequence(lambda n: f"student{n + 100}")
    student_number = factory.Sequence(lambda n: f"{98200000 + n}")


class ExpertFactory(UserFactory):
    """An office expert; ``office`` is an office code, ``faculty`` for faculty offices."""

    username = factory.Sequence(lambda n: f"expert{n}")

    @classmethod
    def _create(
        cls,
        model_class: type[User],
        *args: Any,
        office: str = "education",
        faculty: Faculty | None = None,
        **kwargs: Any,
    ) -> User:
        office_row = Office.objects.get(code=office)
        if office_row.is_faculty_office and faculty is None:
            raise ValueError(f"{office} is a faculty office: say which faculty")
        scope = faculty if office_row.is_faculty_office else None
        user = super()._create(model_class, *args, **kwargs)
        Role.objects.get_or_create(user=user, office=office_row, faculty=scope)
        return user


class ClearanceRequestFactory(factory.Factory):
    """A request as the student's form submits it (the flow starts at the education office)."""

    class Meta:
        model = ClearanceRequest

    student = factory.SubFactory(StudentFactory)
    serial = factory.Sequence(lambda n: n + 500)
    faculty = None

    @classmethod
    def _create(
        cls,
        model_class: type[ClearanceRequest],
        *,
        student: User,
        serial: int,
        faculty: Faculty | None,
        request_type: str = "graduation",
        **values: Any,
    ) -> ClearanceRequest:
        base = form_values(serial=serial, faculty=faculty, request_type=request_type)
        data = {**base, **values}
        return services.request_submit(student=student, data=data)
