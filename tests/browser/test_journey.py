"""A clearance request from the student's first sign-in to "تسویه شده", in a real browser.

At desktop width the request goes through every office of the chain, and the nutrition
office returns it once. At phone width the student does the same form work and the
education office returns the request, which comes back to it after the correction.
"""

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from viewflow.workflow.models import Task

from accounts.models import Faculty, User
from clearance.demo import form_values, make_national_code
from clearance.models import ClearanceRequest, Event
from tests.browser import pages
from tests.conftest import CHAIN, expert_for

pytestmark = [
    pytest.mark.browser,
    # The live server sees only committed data; the flush after each transactional test
    # would drop the reference data the migrations seed, so it is restored from a snapshot.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

RETURN_REASON = "رسید پرداخت بدهی تغذیه را پیوست کنید و شماره همراه را اصلاح کنید."
CLEARED_FA = "تسویه شده"


class Offices:
    """One browser per office expert, opened the first time that office acts."""

    def __init__(
        self,
        open_browser: Callable[..., Page],
        experts: dict[str, User],
        faculty: Faculty,
        viewport: str,
    ) -> None:
        self.open_browser, self.experts, self.faculty = open_browser, experts, faculty
        self.viewport = viewport
        self.pages: dict[str, Page] = {}

    def page(self, office: str) -> Page:
        if office not in self.pages:
            expert = expert_for(self.experts, office, self.faculty)
            page = self.open_browser(expert.username, self.viewport)
            pages.sign_in(page, expert.username)
            expect(page).to_have_url(re.compile(r"/office/$"))
            self.pages[office] = page
        return self.pages[office]


def current_office(pk: int) -> str | None:
    office = ClearanceRequest.objects.select_related("current_office").get(pk=pk).current_office
    return office.code if office else None


def open_menu(page: Page) -> None:
    """At phone width the menu is folded behind the toggler."""
    toggler = page.locator("nav .navbar-toggler")
    if toggler.is_visible():
        toggler.click()
        expect(page.locator("#nav")).to_be_visible()


def fill_submit_with_one_mistake(
    page: Page,
    values: dict[str, Any],
    national_code: str,
    fits: pages.WidthCheck,
) -> int:
    """Fill the form with a wrong check digit, see the error, correct it, submit."""
    page.goto("/requests/new/")
    pages.assert_persian_page(page)
    # The form comes pre-filled from the student's account.
    expect(page.locator("#id_full_name")).to_have_value("سارا احمدی")

    wrong = national_code[:-1] + str((int(national_code[-1]) + 1) % 10)
    pages.fill_request_form(page, values, national_code=wrong)
    # The field-of-study list follows the chosen faculty and degree.
    offered = page.locator("#id_field_of_study option:not([value=''])")
    expect(offered).not_to_have_count(0)
    allowed = {
        str(pk)
        for pk in values["faculty"]
        .fields.filter(degree=values["degree"])
        .values_list("pk", flat=True)
    }
    assert set(offered.evaluate_all("options => options.map(o => o.value)")) <= allowed
    fits(page)
    pages.submit_request_form(page)

    # Refused: the error is next to the field and in the summary, which takes the focus.
    assert not ClearanceRequest.objects.exists()
    expect(page).to_have_url(re.compile(r"/requests/new/$"))
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    links = summary.locator("li a").evaluate_all("links => links.map(a => a.hash)")
    assert links == ["#id_national_code"], summary.inner_text()
    expect(page.locator("#id_national_code_error")).to_be_visible()
    national = page.locator("#id_national_code")
    expect(national).to_have_attribute("aria-invalid", "true")
    expect(national).to_have_attribute("aria-describedby", re.compile(r"\bid_national_code_error"))
    # What the student typed is kept, including the searchable city and the Jalali date.
    expect(page.locator("#id_place_of_issue")).to_have_value(str(values["place_of_issue"].pk))
    expect(page.locator("#id_birth_date")).to_have_value(pages.jalali(values["birth_date"]))
    expect(page.locator("#id_field_of_study")).to_have_value(str(values["field_of_study"].pk))
    fits(page)

    # The summary's link leads to the field; the corrected code goes through.
    summary.locator("a[href='#id_national_code']").click()
    expect(page.locator("#id_national_code")).to_be_focused()
    page.locator("#id_national_code").fill("")
    page.locator("#id_national_code").press_sequentially(pages.fa_digits(national_code))
    pages.submit_request_form(page)
    # (The browser keeps the #id_national_code fragment across the redirect.)
    expect(page).to_have_url(re.compile(r"/requests/\d+/(#.*)?$"))
    return pages.request_pk_from_url(page)


def work_task(page: Page, full_name: str) -> None:
    pages.open_task(page, full_name)
    pages.approve(page)  # approving a free task claims it


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_clearance_journey(open_browser, experts, student, faculty, viewport):
    full_chain = viewport == "desktop"
    # At phone width the first office returns it: the journey stays short but complete.
    returning_office = "nutrition" if full_chain else "education"
    fits = pages.WidthCheck(enabled=viewport == "phone")
    values = form_values(serial=7, faculty=faculty)
    national_code = make_national_code(31_415_926)

    # --- the student signs in and files the request --------------------------------------
    student_page = open_browser("student", viewport)
    student_page.goto("/requests/")
    expect(student_page).to_have_url(re.compile(r"/login/\?next=/requests/$"))
    fits(student_page)
    pages.sign_in(student_page, student.username)
    expect(student_page).to_have_url(re.compile(r"/requests/$"))
    fits(student_page)

    pk = fill_submit_with_one_mistake(student_page, values, national_code, fits)

    # Persian digits are stored as ASCII, and shown back in Persian.
    saved = ClearanceRequest.objects.get(pk=pk)
    assert saved.student == student
    assert saved.national_code == national_code
    assert saved.student_number == values["student_number"]
    assert saved.mobile == values["mobile"]
    assert saved.birth_date == values["birth_date"]
    assert saved.place_of_issue == values["place_of_issue"]
    assert current_office(pk) == "education"
    pages.assert_persian_page(student_page)
    expect(student_page.locator("dl.values")).to_contain_text(pages.fa_digits(national_code))
    expect(student_page.locator("dl.values")).to_contain_text(pages.jalali(values["birth_date"]))
    status = student_page.locator("#request-status .status-badge")
    expect(status).to_have_class(re.compile(r"\btext-bg-primary\b"))
    expect(student_page.locator(".timeline li.kind-submitted")).to_have_count(1)
    fits(student_page)

    # "My requests" lists it, reached through the menu (folded behind a button on a phone).
    open_menu(student_page)
    student_page.locator("nav a[href='/requests/']").click()
    row = student_page.locator("tr.request-row")
    expect(row).to_have_count(1)
    expect(row.locator(f"a[href='/requests/{pk}/']").first).to_be_visible()
    fits(student_page)

    # --- each office in its own browser moves it along, until one returns it ------------
    offices = Offices(open_browser, experts, faculty, viewport)
    for office in CHAIN[: CHAIN.index(returning_office)]:
        work_task(offices.page(office), values["full_name"])
        assert current_office(pk) == CHAIN[CHAIN.index(office) + 1], f"{office} kept it"

    page = offices.page(returning_office)
    fits(page)
    task_pk = pages.open_task(page, values["full_name"])
    pages.claim(page)
    fits(page)
    pages.return_to_student(page, RETURN_REASON)
    assert ClearanceRequest.objects.get(pk=pk).status == ClearanceRequest.Status.RETURNED

    # --- the student reads the reason, corrects and resubmits ---------------------------
    student_page.goto(f"/requests/{pk}/")
    expect(student_page.locator("main .alert-danger")).to_contain_text(RETURN_REASON)
    expect(status).to_have_class(re.compile(r"\btext-bg-danger\b"))
    student_page.locator(f"main a[href='/requests/{pk}/edit/']").click()
    expect(student_page.locator("main .alert-warning")).to_contain_text(RETURN_REASON)
    fits(student_page)
    corrected_mobile = "09357654321"
    student_page.locator("#id_mobile").fill(pages.fa_digits(corrected_mobile))
    student_page.locator("#id_note").fill("شماره همراه اصلاح شد.")
    pages.submit_request_form(student_page)
    expect(student_page).to_have_url(re.compile(rf"/requests/{pk}/$"))
    expect(student_page.locator("main .alert-danger")).to_have_count(0)
    expect(student_page.locator(".timeline li.kind-resubmitted")).to_have_count(1)
    expect(student_page.locator("dl.values")).to_contain_text(pages.fa_digits(corrected_mobile))

    # It comes back to the office that returned it, as the same task, not to the start.
    resubmitted = ClearanceRequest.objects.get(pk=pk)
    assert resubmitted.mobile == corrected_mobile
    assert resubmitted.status == ClearanceRequest.Status.IN_PROGRESS
    assert current_office(pk) == returning_office
    office_tasks = Task.objects.filter(process_id=resubmitted.process_id, flow_task_type="HUMAN")
    assert office_tasks.count() == CHAIN.index(returning_office) + 1
    assert pages.open_task(page, values["full_name"]) == task_pk
    pages.claim(page)
    if full_chain:  # nutrition records a settled debt
        pages.approve(page, debt_rials=2_500_000, settlement="پرداخت شد، رسید ۴۴۱۲")
        decision = Event.objects.get(
            request_id=pk, kind=Event.Kind.APPROVED, office__code="nutrition"
        )
        assert decision.debt_rials == 2_500_000
    else:
        pages.approve(page)
    assert current_office(pk) == CHAIN[CHAIN.index(returning_office) + 1]

    if full_chain:
        # --- the rest of the chain, to the faculty's closure -----------------------------
        for office in CHAIN[CHAIN.index(returning_office) + 1 :]:
            work_task(offices.page(office), values["full_name"])
        cleared = ClearanceRequest.objects.get(pk=pk)
        assert cleared.status == ClearanceRequest.Status.CLEARED
        assert cleared.had_dormitory is True
        assert cleared.letter_number

        # --- the student sees the request cleared ----------------------------------------
        student_page.goto(f"/requests/{pk}/")
        expect(status).to_have_class(re.compile(r"\btext-bg-success\b"))
        expect(status).to_have_text(CLEARED_FA)
        expect(student_page.locator("main .alert-success[role=status]")).to_be_visible()
        expect(student_page.locator(".timeline li.kind-approved")).to_have_count(len(CHAIN))
        expect(student_page.locator(".timeline li.kind-returned")).to_contain_text(RETURN_REASON)
        expect(student_page.locator(".timeline li.kind-cleared")).to_have_count(1)
        # Shown left to right as written (an invisible mark after «پ» keeps it so).
        shown = student_page.locator("main").inner_text().replace("\u200e", "")
        assert pages.fa_digits(cleared.letter_number) in shown
    else:
        student_page.goto(f"/requests/{pk}/")
        expect(status).to_have_class(re.compile(r"\btext-bg-primary\b"))
        fits(student_page)

    fits.assert_all_fit()
