"""The small tables' copies (accounts.tables): read once, dropped by a save in this
process, re-read by every other process within TASVIEH_TABLE_CACHE_SECONDS."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import tables
from accounts.models import Office, User
from accounts.offices import office_by_code, offices
from clearance.demo import form_values, make_user, post_data
from clearance.fields import ReferenceChoiceField
from clearance.forms import ClearanceRequestForm
from clearance.models import City, ClearanceRequest, Gender
from tests.conftest import expert_for, login, warm_tables


def test_a_copy_is_read_once_and_a_save_here_drops_it(django_assert_num_queries, db):
    offices()
    with django_assert_num_queries(0):
        assert office_by_code("nutrition").name == offices()["nutrition"].name
    office = Office.objects.get(code="nutrition")
    office.name = "تغذیه و سلف"
    office.save()  # as the admin saves it
    with django_assert_num_queries(1):
        assert office_by_code("nutrition").name == "تغذیه و سلف"


def test_another_process_s_edit_shows_once_the_copy_expires(monkeypatch, settings, db):
    settings.TASVIEH_TABLE_CACHE_SECONDS = 60
    now = [1000.0]
    monkeypatch.setattr(tables.time, "monotonic", lambda: now[0])
    assert office_by_code("welfare").records_debt is True
    # Another worker's admin saved it: no signal reaches this process.
    Office.objects.filter(code="welfare").update(records_debt=False)
    now[0] += 59
    assert office_by_code("welfare").records_debt is True
    now[0] += 2
    assert office_by_code("welfare").records_debt is False


def test_zero_seconds_reads_the_table_every_time(django_assert_num_queries, settings, db):
    settings.TASVIEH_TABLE_CACHE_SECONDS = 0
    offices()
    with django_assert_num_queries(2):
        offices()
        offices()


def test_a_user_s_roles_are_read_without_joining_offices_or_faculties(experts, faculty):
    """Every page names the roles: one plain lookup of the user's roles (no join, no sort —
    Role's ordering by office and faculty would add both), the codes from the copies."""
    expert = User.objects.get(pk=expert_for(experts, "education", faculty).pk)
    warm_tables()
    with CaptureQueriesContext(connection) as ctx:
        permissions = expert.get_all_permissions()
    (roles,) = [q["sql"] for q in ctx.captured_queries if "accounts_role" in q["sql"]]
    assert "JOIN" not in roles and "ORDER BY" not in roles
    assert f"clearance.office.education.{faculty.code}" in permissions


def test_a_city_s_copy_follows_its_province(db):
    city = City.objects.select_related("province").first()
    assert str(tables.rows(City)[city.pk]) == str(city)
    province = city.province
    province.name = "استان آزمایشی"
    province.save()
    assert tables.rows(City)[city.pk].province.name == "استان آزمایشی"


def test_a_retired_choice_stays_on_old_requests_but_is_no_longer_offered(db, faculty):
    client = login(Client(), make_user("student1"))
    values = form_values(serial=1, faculty=faculty)
    assert client.post(reverse("request_create"), post_data(values)).status_code == 302
    request = ClearanceRequest.objects.get()
    gender = request.gender
    gender.is_active = False
    gender.save()
    page = client.get(reverse("request_detail", args=[request.pk]))
    assert gender.name in page.content.decode()
    assert gender not in tables.active(Gender) and gender.pk in tables.rows(Gender)
    form = ClearanceRequestForm(post_data(form_values(serial=2, faculty=faculty)))
    assert not form.is_valid() and "gender" in form.errors
    assert f'value="{gender.pk}"' not in str(form["gender"])


@pytest.mark.parametrize("zero", ["0", "۰", "٠", "𝟎"])  # ASCII, Persian, Arabic, math bold
def test_a_choice_reads_any_digits_of_one_rule(db, zero):
    first = tables.active(Gender)[0]
    typed = "".join(chr(ord(zero) + int(d)) for d in str(first.pk))
    assert ReferenceChoiceField(Gender.objects.all()).clean(f" {typed}") == first


@pytest.mark.parametrize("typed", ["0", "-1", "1e3", "99999999999999999999", "x", "1\x00"])
def test_a_choice_that_is_no_row_is_refused_clearly(db, typed):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        ReferenceChoiceField(Gender.objects.all()).clean(typed)
    assert refused.value.code == "invalid_choice"
