"""The Django admin speaks Persian and the Jalali calendar on every page an administrator opens."""

import datetime as dt
import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from clearance import services
from clearance.demo import make_user
from clearance.models import Event, StudentRecord
from clearance.notifications.delivery import delivery_send
from persian.jalali_admin import _jalali_boundaries
from tests.conftest import login, open_task
from tests.factories import ClearanceRequestFactory, ExpertFactory

CATALOG = Path(__file__).resolve().parents[2] / "locale" / "fa" / "LC_MESSAGES" / "django.po"
# The workflow engine's own pages are issue 10's; everything else must be Persian.
SKIPPED_APPS = {"viewflow"}
# Latin words that are names, not untranslated interface text.
ALLOWED = {
    "CSV",
    "UTF",
    "Windows",
    "LDAP",
    "MED",
    "IP",
    "HTTP",
    "User",
    "Agent",
    "PDF",
    "login",
    "default",
}


class VisibleText(HTMLParser):
    """The interface text of an admin page: no scripts, and no data cells, values or fields."""

    DATA = ("readonly", "field-", "nowrap", "app-viewflow")

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[bool] = []
        self.skip = 0
        self.words: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"br", "img", "input", "meta", "link", "hr"}:
            return
        css = dict(attrs).get("class") or ""
        data = tag in {"script", "style", "option", "textarea"} or any(
            mark in css for mark in self.DATA
        )
        self.stack.append(data)
        self.skip += data

    def handle_endtag(self, tag: str) -> None:
        if tag in {"br", "img", "input", "meta", "link", "hr"} or not self.stack:
            return
        self.skip -= self.stack.pop()

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.words += re.findall(r"[A-Za-z]{3,}", data)


def english_words(html: str, data: set[str]) -> set[str]:
    parser = VisibleText()
    parser.feed(html)
    return {w for w in parser.words if w not in ALLOWED and w not in data}


@pytest.fixture
def admin_client(db) -> Client:
    root = make_user(
        "root", first_name="مدیر", last_name="سامانه", is_staff=True, is_superuser=True
    )
    return login(Client(), root)


def admin_pages() -> list[str]:
    urls = [reverse("admin:index"), reverse("admin:password_change")]
    for model in admin.site._registry:
        opts = model._meta
        if opts.app_label in SKIPPED_APPS:
            continue
        name = f"admin:{opts.app_label}_{opts.model_name}"
        urls += [reverse(f"{name}_changelist"), reverse("admin:app_list", args=[opts.app_label])]
        obj = model._default_manager.order_by("pk").first()
        # Lists whose rows lead nowhere (the sign-in logs) have no page per row to check.
        if obj is not None and admin.site._registry[model].list_display_links is not None:
            urls += [
                reverse(f"{name}_change", args=[obj.pk]),
                reverse(f"{name}_history", args=[obj.pk]),
            ]
    return list(dict.fromkeys(urls))


@pytest.mark.django_db
def test_every_admin_page_is_persian(admin_client, submitted, experts, faculty):
    task = open_task(submitted)
    services.task_claim(task=task, user=experts["education.medicine"])
    delivery_send.enqueue(delivery_id=1)  # a message queued for the worker
    root = User.objects.get(username="root")
    data = set(User.objects.values_list("username", flat=True))
    data |= {part for name in data for part in re.findall(r"[A-Za-z]{3,}", name)}
    pages = [
        *admin_pages(),
        reverse("admin:auth_user_password_change", args=[root.pk]),
        reverse("admin:accounts_user_add"),
        reverse("admin:accounts_role_add"),
        reverse("admin:accounts_role_grant"),
    ]
    untranslated = {}
    for url in pages:
        response = admin_client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert 'dir="rtl"' in html and 'lang="fa"' in html, url
        if found := english_words(html, data):
            untranslated[url] = sorted(found)
    assert not untranslated, untranslated


@pytest.mark.django_db
def test_the_password_section_is_persian(admin_client, experts):
    user = experts["education.medicine"]
    change = admin_client.get(reverse("admin:accounts_user_change", args=[user.pk])).content
    password = admin_client.get(
        reverse("admin:auth_user_password_change", args=[user.pk])
    ).content.decode()
    assert "گذرواژه‌ها به شکل خام نگهداری نمی‌شوند" in change.decode()
    assert "تغییر گذرواژه" in change.decode()
    assert "ورود با گذرواژه" in password and "گذرواژه کنونی این کاربر از دست می‌رود" in password
    # Django's own design of the page, not the workflow engine's.
    own = admin_client.get(reverse("admin:password_change")).content.decode()
    assert "Django Material" not in own and 'id="site-name"' in own


def test_jalali_month_and_year_boundaries():
    # 2026-12-01 is 1405/09/10.
    month, next_month, year, next_year = _jalali_boundaries(dt.date(2026, 12, 1))
    assert (month, next_month) == (dt.date(2026, 11, 22), dt.date(2026, 12, 22))
    assert (year, next_year) == (dt.date(2026, 3, 21), dt.date(2027, 3, 21))
    # The last month of the year (Esfand) runs into the next Jalali year.
    month, next_month, *_ = _jalali_boundaries(dt.date(2027, 3, 1))
    assert (month, next_month) == (dt.date(2027, 2, 20), dt.date(2027, 3, 21))


@pytest.mark.django_db
def test_dates_are_jalali_in_lists_pages_and_history(admin_client, submitted):
    event = submitted.events.get()
    today = timezone.localdate()
    listing = admin_client.get(reverse("admin:clearance_event_changelist")).content.decode()
    page = admin_client.get(
        reverse("admin:clearance_clearancerequest_change", args=[submitted.pk])
    ).content.decode()
    assert "۱۴۰" in listing and "۱۴۰" in page  # Jalali years, in Persian digits
    assert str(today.year) not in re.sub(r"<[^>]+>", "", listing)  # no Gregorian year shown
    assert str(today.year) not in re.sub(r"<[^>]+>", "", page)

    # The date filter's "this month" is the Jalali month.
    response = admin_client.get(reverse("admin:clearance_event_changelist"))
    spec = next(
        s
        for s in response.context["cl"].filter_specs
        if s.title == Event._meta.get_field("created").verbose_name
    )
    month = dict((str(title), lookup) for title, lookup in spec.links)["این ماه"]
    assert month["created__gte"].date() == _jalali_boundaries(today)[0]
    filtered = admin_client.get(
        reverse("admin:clearance_event_changelist"), {k: v.isoformat() for k, v in month.items()}
    )
    assert event in filtered.context["cl"].result_list

    root = User.objects.get(username="root")
    admin_client.post(
        reverse("admin:accounts_user_change", args=[root.pk]),
        {
            "username": "root",
            "first_name": "مدیر",
            "last_name": "ارشد",
            "email": "",
            "student_number": "",
            "is_active": "on",
            "is_staff": "on",
            "is_superuser": "on",
            "roles-TOTAL_FORMS": "0",
            "roles-INITIAL_FORMS": "0",
        },
    )
    history = admin_client.get(reverse("admin:accounts_user_history", args=[root.pk]))
    text = re.sub(r"<[^>]+>", "", history.content.decode())
    assert "۱۴۰" in text and str(today.year) not in text


@pytest.mark.django_db
def test_sign_in_attempts_are_jalali(admin_client, client):
    client.post(reverse("login"), {"username": "nobody", "password": "wrong"})
    listing = admin_client.get(reverse("admin:axes_accessattempt_changelist")).content.decode()
    text = re.sub(r"<[^>]+>", "", listing)
    assert "nobody" in text and "۱۴۰" in text and str(timezone.localdate().year) not in text
    assert "تلاش باقی مانده" in text


@pytest.mark.django_db
def test_the_users_list_shows_roles_and_filters_by_office_and_faculty(
    admin_client, faculty, other_faculty
):
    ours = ExpertFactory(office="education", faculty=faculty, username="edu.ours")
    theirs = ExpertFactory(office="education", faculty=other_faculty, username="edu.theirs")
    ExpertFactory(office="nutrition", username="food")
    url = reverse("admin:accounts_user_changelist")
    page = admin_client.get(url)
    html = page.content.decode()
    assert str(ours.roles.get()) in html and str(theirs.roles.get()) in html

    def listed(**params: object) -> set[str]:
        response = admin_client.get(url, params)
        assert response.status_code == 200
        return {user.username for user in response.context["cl"].result_list}

    education = ours.roles.get().office
    assert listed(roles__office__id__exact=education.pk) == {"edu.ours", "edu.theirs"}
    assert listed(roles__faculty__id__exact=faculty.pk) == {"edu.ours"}


@pytest.mark.django_db
def test_administrators_land_on_the_reports_students_and_experts_on_their_pages(
    admin_client, student_client, experts
):
    assert admin_client.get(reverse("home"))["Location"] == reverse("reports")
    assert student_client.get(reverse("home"))["Location"] == reverse("request_list")
    expert = login(Client(), experts["nutrition"])
    assert expert.get(reverse("home"))["Location"] == reverse("office_queue")
    # An administrator who also filed a request is a student first.
    root = User.objects.get(username="root")
    ClearanceRequestFactory(student=root, serial=77)
    assert admin_client.get(reverse("home"))["Location"] == reverse("request_list")


def test_the_catalog_is_complete():
    untranslated = subprocess.run(
        ["msgattrib", "--untranslated", "--no-obsolete", str(CATALOG)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    fuzzy = subprocess.run(
        ["msgattrib", "--only-fuzzy", "--no-obsolete", str(CATALOG)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    # The header entry is the only one allowed without a translation.
    assert untranslated.count("msgid ") <= 1 and not fuzzy.strip(), untranslated + fuzzy


@pytest.mark.django_db
def test_an_editable_date_is_shown_and_typed_in_jalali(admin_client, faculty):
    record = StudentRecord.objects.create(
        student_number="98100077",
        national_code="0012345679",
        first_name="سارا",
        last_name="احمدی",
        birth_date=dt.date(2001, 8, 3),  # 1380/05/12
        faculty=faculty,
    )
    url = reverse("admin:clearance_studentrecord_change", args=[record.pk])
    form = admin_client.get(url).context["adminform"].form
    assert form["birth_date"].value() == "1380/05/12"
    data = {
        "student_number": record.student_number,
        "national_code": record.national_code,
        "first_name": record.first_name,
        "last_name": record.last_name,
        "father_name": "",
        "birth_date": "۱۳۸۱/۰۱/۰۱",
        "faculty": str(faculty.pk),
    }
    assert admin_client.post(url, data).status_code == 302
    record.refresh_from_db()
    assert record.birth_date == dt.date(2002, 3, 21)
    data["birth_date"] = "1381/13/40"
    response = admin_client.post(url, data)
    assert response.status_code == 200 and "birth_date" in response.context["adminform"].form.errors
