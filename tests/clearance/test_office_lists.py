"""The expert's lists: the queue tells each request's number, how long it waits and what a
resubmission changed; "handled by me" tells when I decided and what; the filters and the
bulk button fit the expert's own offices."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Faculty, Office, Role
from clearance import services, tasklists
from clearance.demo import form_values
from clearance.models import ClearanceRequest, Event
from persian.text import group_thousands, persian_digits
from tests.conftest import act, expert_for, login, open_task, upload
from tests.factories import ClearanceRequestFactory, ExpertFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def rows_of(html: str) -> dict[str, str]:
    """Each list row's text (tags dropped), keyed by the student's name."""
    rows = {}
    for row in re.findall(r'<tr class="task-row[^"]*">(.*?)</tr>', html, flags=re.S):
        # As read: without the marks that keep a letter number left to right.
        text = " ".join(re.sub(r"<[^>]+>", " ", row).split())
        text = re.sub("[\u200e\u200f\u2066-\u2069]", "", text)
        name = re.search(r'<a href="/office/tasks/\d+/">([^<]+)</a>', row)
        assert name is not None, row
        rows[name.group(1)] = text
    return rows


def returned_and_resubmitted(req: ClearanceRequest, expert, *, documents: int) -> Event:
    services.request_return(task=open_task(req), user=expert, reason="نشانی ناقص است")
    data = {
        **form_values(serial=int(req.student_number) - 98100000, faculty=req.faculty),
        "father_name": "حسن",
        "address": "تهران، خیابان انقلاب، پلاک ۲۰",
    }
    services.request_resubmit(
        clearance_request=req,
        student=req.student,
        data=data,
        note="نشانی کامل شد",
        documents=[upload(f"scan{n}.pdf", PDF) for n in range(documents)],
    )
    return Event.objects.get(request=req, kind=Event.Kind.RESUBMITTED)


def test_the_queue_shows_number_wait_and_what_a_resubmission_changed(experts, faculty):
    expert = expert_for(experts, "education", faculty)
    plain = ClearanceRequestFactory(faculty=faculty, serial=1)
    corrected = ClearanceRequestFactory(faculty=faculty, serial=2)
    resubmission = returned_and_resubmitted(corrected, expert, documents=2)
    assert resubmission.details == {"changed": ["father_name", "address"], "documents": 2}

    rows = rows_of(login(Client(), expert).get(reverse("office_queue")).content.decode())

    first, second = rows[plain.full_name], rows[corrected.full_name]
    assert persian_digits(plain.pk) in first and persian_digits(corrected.pk) in second
    assert "ارسال مجدد" in second and "ارسال مجدد" not in first
    # What changed, by the fields' Persian names, and the documents the student added.
    assert "نام پدر" in second and "نشانی دائم محل سکونت" in second and "۲ مدرک افزوده شد" in second
    assert "نام خانوادگی" not in second
    # How long each has waited (just now: a minute), in Persian digits.
    assert "۱ دقیقه" in first and "۱ دقیقه" in second


def test_a_resubmission_without_changes_says_so(experts, faculty):
    expert = expert_for(experts, "education", faculty)
    req = ClearanceRequestFactory(faculty=faculty, serial=3)
    services.request_return(task=open_task(req), user=expert, reason="مدرک را دوباره ببینید")
    services.request_resubmit(
        clearance_request=req,
        student=req.student,
        data=form_values(serial=3, faculty=faculty),
        documents=[upload("scan.pdf", PDF)],
    )
    rows = rows_of(login(Client(), expert).get(reverse("office_queue")).content.decode())
    assert "ارسال مجدد" in rows[req.full_name]
    assert "هیچ فیلدی تغییر نکرد" in rows[req.full_name]
    assert "۱ مدرک افزوده شد" in rows[req.full_name]


def test_the_task_page_banner_tells_the_documents_added(experts, faculty):
    expert = expert_for(experts, "education", faculty)
    req = ClearanceRequestFactory(faculty=faculty, serial=4)
    services.task_claim(task=open_task(req), user=expert)
    returned_and_resubmitted(req, expert, documents=1)
    page = login(Client(), expert).get(reverse("task_detail", args=[open_task(req).pk]))
    banner = page.content.decode().split('id="your-turn"')[1].split("</div>")[0]
    assert "نام پدر" in banner and "۱ مدرک افزوده شد" in banner


def bring_to(office: str, req: ClearanceRequest, experts, faculty) -> None:
    """Each office before ``office`` approves the request in turn."""
    while open_task(req).flow_task.name != office:
        act(expert_for(experts, open_task(req).flow_task.name, faculty), req, dormitory=False)


def decide(office: str, req: ClearanceRequest, experts, faculty, payload) -> Client:
    """Bring the request to ``office``, whose expert approves it with ``payload``."""
    bring_to(office, req, experts, faculty)
    client = login(Client(), expert_for(experts, office, faculty))
    response = client.post(reverse("task_approve", args=[open_task(req).pk]), payload)
    assert response.status_code == 302
    return client


def test_handled_by_me_shows_when_and_what_i_decided(experts, faculty):
    req = ClearanceRequestFactory(faculty=faculty, serial=5)
    letter = {"note": "نامه صادر شد", "letter_number": "", "letter_date": "1405/09/04"}
    client = decide("secretariat", req, experts, faculty, letter)
    debt = {"note": "", "debt_rials": "850000", "settlement": "رسید ۵۵۱۲"}
    nutrition_client = decide("nutrition", req, experts, faculty, debt)
    secretariat = expert_for(experts, "secretariat", faculty)
    req.refresh_from_db()

    numbered = rows_of(client.get(reverse("office_handled")).content.decode())[req.full_name]
    assert "تایید شد" in numbered and "نامه صادر شد" in numbered
    assert persian_digits(req.letter_number) in numbered and "۱۴۰۵/۰۹/۰۴" in numbered
    approval = Event.objects.get(request=req, kind=Event.Kind.APPROVED, actor=secretariat)
    page = client.get(reverse("office_handled"))
    (row,) = page.context["rows"]
    assert row[1] == approval  # the decision shown is this expert's own, on this task

    owed = rows_of(nutrition_client.get(reverse("office_handled")).content.decode())
    assert group_thousands(850_000) in owed[req.full_name] and "رسید ۵۵۱۲" in owed[req.full_name]
    assert "نامه صادر شد" not in owed[req.full_name]


def faculty_options(client: Client) -> list[str]:
    html = client.get(reverse("office_queue")).content.decode()
    select = html.split('<select id="faculty"')[1].split("</select>")[0]
    return [code for code in re.findall(r'<option value="([^"]*)"', select) if code]


def test_the_faculty_filter_lists_only_the_faculties_the_roles_cover(
    experts, faculty, other_faculty
):
    assert faculty_options(login(Client(), expert_for(experts, "education", faculty))) == [
        faculty.code
    ]
    both = ExpertFactory(office="education", faculty=faculty)
    Role.objects.create(user=both, office=Office.objects.get(code="council"), faculty=other_faculty)
    assert set(faculty_options(login(Client(), both))) == {faculty.code, other_faculty.code}
    # A university office reaches every faculty.
    every = set(Faculty.objects.filter(is_active=True).values_list("code", flat=True))
    assert len(every) > 2
    nutrition = expert_for(experts, "nutrition", faculty)
    assert set(faculty_options(login(Client(), nutrition))) == every
    Role.objects.create(user=both, office=Office.objects.get(code="it"))
    assert set(faculty_options(login(Client(), both))) == every


def bulk_of(client: Client, url: str) -> tuple[str, str]:
    html = client.get(url).content.decode()
    button = re.search(r'id="bulk-approve">([^<]*)</button>', html)
    help_text = re.search(r'id="bulk-help">([^<]*)<', html)
    assert help_text is not None
    return (button.group(1) if button else ""), help_text.group(1)


def test_the_bulk_button_speaks_of_debt_only_for_money_offices(experts, faculty):
    req = ClearanceRequestFactory(faculty=faculty, serial=6)
    ClearanceRequestFactory(faculty=faculty, serial=7)
    education = login(Client(), expert_for(experts, "education", faculty))
    button, help_text = bulk_of(education, reverse("office_queue"))
    assert button == "تایید موارد انتخاب‌شده" and "بدهی" not in help_text
    assert "خوابگاه" not in help_text and "رفاه" not in help_text

    bring_to("nutrition", req, experts, faculty)
    nutrition = login(Client(), expert_for(experts, "nutrition", faculty))
    button, help_text = bulk_of(nutrition, reverse("office_queue"))
    assert button == "تایید موارد انتخاب‌شده (بدون بدهی)" and "بدهی صفر" in help_text

    # An expert of both: the debt is said of the money office only.
    both = expert_for(experts, "education", faculty)
    Role.objects.create(user=both, office=Office.objects.get(code="nutrition"))
    client = login(Client(), both)
    button, help_text = bulk_of(client, reverse("office_queue"))
    assert button == "تایید موارد انتخاب‌شده"
    assert str(Office.objects.get(code="nutrition")) in help_text and "بدهی صفر" in help_text
    button, _ = bulk_of(client, reverse("office_queue") + "?office=nutrition")
    assert button == "تایید موارد انتخاب‌شده (بدون بدهی)"


def test_offices_that_decide_one_at_a_time_get_no_bulk_button(experts, faculty):
    req = ClearanceRequestFactory(faculty=faculty, serial=8)
    bring_to("dormitory", req, experts, faculty)
    dormitory = login(Client(), expert_for(experts, "dormitory", faculty))
    html = dormitory.get(reverse("office_queue")).content.decode()
    assert req.full_name in html
    assert 'id="bulk-form"' not in html and 'class="form-check-input task-select"' not in html
    button, help_text = bulk_of(dormitory, reverse("office_queue"))
    assert button == "" and str(Office.objects.get(code="dormitory")) in help_text


def test_bulk_terms_follow_each_office_s_decision(db):
    welfare, loan_fund = ExpertFactory(office="welfare"), ExpertFactory(office="loan_fund")
    Role.objects.create(user=welfare, office=Office.objects.get(code="loan_fund"))
    terms = tasklists.bulk_approval(welfare)
    assert [o.code for o in terms.offices] == ["loan_fund"] == [o.code for o in terms.with_debt]
    assert [o.code for o in terms.one_at_a_time] == ["welfare"]
    assert [o.code for o in tasklists.bulk_approval(loan_fund).offices] == ["loan_fund"]
    # A money office stops recording debts (in the admin): bulk approval stops saying so.
    office = Office.objects.get(code="loan_fund")
    office.records_debt = False
    office.save()
    terms = tasklists.bulk_approval(loan_fund)
    assert terms.offices and not terms.with_debt and "بدهی" not in terms.help_text


def test_handled_by_me_counts_only_the_latest_so_it_never_slows_with_the_years(
    experts, faculty, monkeypatch, settings
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from clearance.views import office as office_views

    monkeypatch.setattr(office_views, "HANDLED_COUNTED", 2)
    settings.TASVIEH_QUEUE_PAGE_SIZE = 2
    expert = expert_for(experts, "education", faculty)
    requests = [ClearanceRequestFactory(serial=n, faculty=faculty) for n in range(1, 4)]
    for req in requests:
        services.task_claim(task=open_task(req), user=expert)
        services.decision_record(task=open_task(req), user=expert)
    client = login(Client(), expert)
    with CaptureQueriesContext(connection) as ctx:
        page = client.get(reverse("office_handled")).content.decode()
    assert re.search(r'badge text-bg-secondary">۲\+<', page)
    assert 'id="capped"' in page and "۲ مورد آخر" in page
    (count,) = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("SELECT COUNT")]
    assert "LIMIT 3" in count  # stops counting past the cap
    # The latest first: the two newest on page 1, the oldest on page 2, still reachable.
    assert requests[2].full_name in page and requests[0].full_name not in page
    second = client.get(reverse("office_handled") + "?page=2").content.decode()
    assert requests[0].full_name in second
    # Under the cap the list shows its plain count and no note.
    monkeypatch.setattr(office_views, "HANDLED_COUNTED", 5)
    page = client.get(reverse("office_handled")).content.decode()
    assert re.search(r'badge text-bg-secondary">۳<', page) and 'id="capped"' not in page
