"""The student's form and list read in a sensible order, in Persian digits, and invite action."""

import io
import re
from collections import Counter

from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from clearance import services
from clearance.demo import form_values
from clearance.models import ClearanceRequest, FieldOfStudy


def field_names(html: str) -> list[str]:
    return re.findall(r'<(?:input|select|textarea)[^>]*\bname="([a-z_]+)"', html)


def test_form_asks_faculty_then_degree_then_field_of_study(student_client):
    names = field_names(student_client.get(reverse("request_create")).content.decode())
    assert names.index("faculty") < names.index("degree") < names.index("field_of_study")


def test_fields_of_study_are_grouped_by_faculty_and_degree_so_no_name_repeats(student_client):
    html = student_client.get(reverse("request_create")).content.decode()
    select = re.search(r'<select name="field_of_study".*?</select>', html, re.S).group(0)  # type: ignore[union-attr]
    groups = re.findall(r'<optgroup label="([^"]+)">(.*?)</optgroup>', select, re.S)
    assert len(groups) > 1
    for label, options in groups:
        names = re.findall(r"<option[^>]*>([^<]+)</option>", options)
        assert names and not [n for n, times in Counter(names).items() if times > 1], label
    offered = {int(pk) for pk in re.findall(r'<option value="(\d+)"', select)}
    assert offered == set(FieldOfStudy.objects.filter(is_active=True).values_list("pk", flat=True))


def test_identity_numbers_are_shown_in_persian_digits_inside_the_inputs(student_client, student):
    html = student_client.get(reverse("request_create")).content.decode()
    number = re.search(r'<input[^>]*name="student_number"[^>]*>', html).group(0)  # type: ignore[union-attr]
    assert 'value="۹۸۱۰۰۰۰۱"' in number and 'data-digits="text"' in number


def test_a_student_without_requests_is_invited_to_create_one(student_client):
    html = student_client.get(reverse("request_list")).content.decode()
    assert 'id="no-requests"' in html
    assert f'href="{reverse("request_create")}"' in html
    assert 'id="no-match"' not in html
    assert 'name="status"' not in html  # nothing to filter yet


def test_a_filter_matching_nothing_says_so_and_leads_back(student_client, student, faculty):
    services.request_submit(student=student, data=form_values(serial=3, faculty=faculty))
    html = student_client.get(reverse("request_list"), {"status": "cleared"}).content.decode()
    assert 'id="no-match"' in html and 'id="no-requests"' not in html
    assert f'href="{reverse("request_list")}"' in html


def test_demo_students_carry_the_names_written_on_their_forms(db):
    call_command("seed_demo", stdout=io.StringIO())
    requests = ClearanceRequest.objects.select_related("student")
    assert requests.count() >= 4
    for request in requests:
        assert request.full_name == request.student.get_full_name()
    # No expert shares a student's name, and no one is named after an office.
    experts = list(User.objects.filter(roles__isnull=False).distinct())
    names = {expert.get_full_name() for expert in experts}
    assert len(names) == len(experts)
    assert not names & {r.full_name for r in requests}
    assert not [n for n in names if "(" in n or "دانشکده" in n]


def test_the_request_page_shows_what_each_office_recorded(
    submitted, student_client, experts, faculty
):
    """The letter's number and date, the dormitory's answer, the welfare registration, and
    the birth date, in Jalali with Persian digits."""
    from django.utils import translation
    from django.utils.translation import gettext

    from clearance.models import Event
    from persian.text import format_jalali, persian_digits
    from tests.conftest import CHAIN, act, expert_for, open_task

    for _ in CHAIN[:-1]:  # up to the faculty's closure
        office = open_task(submitted).flow_task.name
        act(expert_for(experts, office, faculty), submitted, dormitory=True)

    page = student_client.get(reverse("request_detail", args=[submitted.pk])).content.decode()

    numbered = Event.objects.get(request=submitted, office__code="secretariat", kind="approved")
    assert numbered.letter_number and numbered.letter_date
    with translation.override("fa"):
        had = gettext("Had a dormitory")
        registered = gettext("Clearance form registered in the welfare system")
    letter = re.search(r'<div class="small decision letter">(.*?)</div>', page).group(1)
    letter = re.sub("[\u200e\u200f\u2066-\u2069]", "", letter)  # the number reads left to right
    assert persian_digits(numbered.letter_number) in letter
    assert persian_digits(format_jalali(numbered.letter_date)) in letter
    assert re.search(rf'<div class="small decision dormitory">{had}</div>', page)
    assert f'<div class="small decision welfare">{registered}</div>' in page
    assert persian_digits(format_jalali(submitted.birth_date)) in page
