"""What a student and an office expert do in the browser, written once for every browser test.

Elements are found by id, name and form action (stable while the wording and its
translations change); the UI text is only checked where the words are the behaviour.
"""

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jdatetime
from playwright.sync_api import Locator, Page, expect

from clearance.demo import DEMO_PASSWORD
from persian.text import persian_digits as fa_digits


def jalali(date: Any) -> str:
    """A Gregorian date as a student types it: ۱۳۷۹/۰۱/۰۱."""
    return fa_digits(jdatetime.date.fromgregorian(date=date).strftime("%Y/%m/%d"))


def assert_persian_page(page: Page) -> None:
    html = page.locator("html")
    expect(html).to_have_attribute("dir", "rtl")
    expect(html).to_have_attribute("lang", "fa")


def assert_vazirmatn(page: Page) -> None:
    """The page is set in Vazirmatn, loaded from our own static files."""
    page.evaluate("document.fonts.ready")
    loaded = page.evaluate(
        """() => [...document.fonts].some(
             (f) => f.family.replace(/["']/g, "") === "Vazirmatn" && f.status === "loaded")"""
    )
    body_font = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert loaded and body_font.startswith("Vazirmatn"), (loaded, body_font)


# The outermost elements sticking out of the viewport name the culprit in the failure.
_OVERFLOW_JS = """() => {
  const inner = window.innerWidth, scroll = document.documentElement.scrollWidth;
  if (scroll <= inner) return null;
  const out = (e) => { const r = e.getBoundingClientRect();
                       return r.width > 0 && (r.left < -1 || r.right > inner + 1); };
  const name = (e) => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "")
    + (typeof e.className === "string" && e.className.trim()
       ? "." + e.className.trim().split(/ +/).join(".") : "");
  const culprits = [...document.querySelectorAll("body *")]
    .filter((e) => out(e) && !out(e.parentElement))
    .map((e) => name(e) + " (" + Math.round(e.getBoundingClientRect().width) + "px)");
  return `scrollWidth ${scroll} > innerWidth ${inner}: ${culprits.slice(0, 6).join(", ")}`;
}"""


AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


def accessibility_violations(page: Page) -> list[str]:
    """Run axe-core (WCAG 2 A and AA rules) on the page; describe each violation found."""
    # Evaluated through the DevTools protocol: the page's CSP (rightly) refuses a <script>.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21aa']});
            return r.violations.map(v => `${v.id} (${v.impact}): ` +
                v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '));
        }"""
    )
    return list(result)


def horizontal_overflow(page: Page) -> str | None:
    """Why the page scrolls sideways (scrollWidth > innerWidth), or None if it fits."""
    problem = page.evaluate(_OVERFLOW_JS)
    return f"{urlsplit(page.url).path}: {problem}" if problem else None


def assert_no_horizontal_scroll(page: Page) -> None:
    problem = horizontal_overflow(page)
    assert problem is None, problem


class WidthCheck:
    """Pages that scroll sideways at phone width, collected so that one run names them all."""

    def __init__(self, *, enabled: bool) -> None:
        self.enabled = enabled
        self.problems: list[str] = []

    def __call__(self, page: Page) -> None:
        if self.enabled and (problem := horizontal_overflow(page)):
            self.problems.append(problem)

    def assert_all_fit(self) -> None:
        assert not self.problems, "pages scroll sideways:\n" + "\n".join(self.problems)


def sign_in(page: Page, username: str, *, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the real login page and land on the user's home page."""
    page.goto("/login/")
    assert_persian_page(page)
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(lambda url: "/login/" not in url)


# --- the student -----------------------------------------------------------------------


def pick_place_of_issue(page: Page, city: Any) -> None:
    """Type into the searchable (Tom Select) city control and pick the city."""
    page.locator("#id_place_of_issue-ts-control").click()
    # The search box is in the opened list, apart from the box showing the choice.
    search = page.locator(".ts-dropdown:has(#id_place_of_issue-ts-dropdown) input.dropdown-input")
    # Tom Select moves the focus there once the list is open: keys typed earlier are lost.
    expect(search).to_be_focused()
    search.press_sequentially(city.name)
    expect(search).to_have_value(city.name)
    # Wait for the list to be filtered by what was typed: Tom Select refreshes it 300 ms
    # after the last key and then takes the focus back, which must not land mid-form.
    options = page.locator("#id_place_of_issue-ts-dropdown [role=option]")
    expect(options.filter(has_not_text=city.name)).to_have_count(0)
    options.filter(has_text=str(city)).first.click()
    expect(page.locator("#id_place_of_issue")).to_have_value(str(city.pk))


def type_jalali_date(page: Page, field: Locator, date: Any) -> None:
    """Type a Jalali date in Persian digits, then close the date picker that pops up."""
    field.click()
    field.fill("")
    # At a person's pace: the picker ignores clicks outside during its 300 ms opening.
    field.press_sequentially(jalali(date), delay=50)
    # Tap outside to close the picker: on a phone it lays an overlay over the page.
    overlay = page.locator("jdp-overlay")
    if overlay.is_visible():
        overlay.click(position={"x": 2, "y": 2})
    else:
        page.locator("main h1").click()
    expect(page.locator("jdp-container")).to_be_hidden()
    expect(field).to_have_value(jalali(date))


def fill_request_form(page: Page, values: dict[str, Any], *, national_code: str) -> None:
    """Fill the clearance form like a student: digits typed in Persian, selects picked."""
    page.locator("#id_request_type").select_option(str(values["request_type"].pk))
    page.locator("#id_full_name").fill(values["full_name"])
    page.locator("#id_student_number").fill(fa_digits(values["student_number"]))
    national = page.locator("#id_national_code")
    national.fill("")
    national.press_sequentially(fa_digits(national_code))
    page.locator("#id_father_name").fill(values["father_name"])
    page.locator(f"input[name=card_status][value={values['card_status']}]").check()
    page.locator("#id_birth_certificate_number").fill(fa_digits(values["birth_certificate_number"]))
    type_jalali_date(page, page.locator("#id_birth_date"), values["birth_date"])
    pick_place_of_issue(page, values["place_of_issue"])
    page.locator("#id_marital_status").select_option(str(values["marital_status"].pk))
    page.locator("#id_gender").select_option(str(values["gender"].pk))
    page.locator("#id_education_status").select_option(str(values["education_status"].pk))
    page.locator("#id_faculty").select_option(str(values["faculty"].pk))
    page.locator("#id_landline").fill(fa_digits(values["landline"]))
    page.locator("#id_mobile").fill(fa_digits(values["mobile"]))
    page.locator("#id_degree").select_option(str(values["degree"].pk))
    page.locator("#id_field_of_study").select_option(str(values["field_of_study"].pk))
    page.locator("#id_address").fill(values["address"])


def submit_request_form(page: Page) -> None:
    with page.expect_navigation():
        page.locator("#request-form button[type=submit]").click()


def request_pk_from_url(page: Page) -> int:
    match = re.search(r"/requests/(\d+)/$", urlsplit(page.url).path)
    assert match, f"not on a request page: {page.url}"
    return int(match.group(1))


# --- the office expert -----------------------------------------------------------------


def open_task(page: Page, full_name: str) -> int:
    """Find the student's request in the office queue and open its task; return the task id."""
    page.goto("/office/")
    assert_persian_page(page)
    row = page.locator("tr.task-row", has_text=full_name)
    expect(row).to_have_count(1)
    row.locator("a[href*='/office/tasks/']").click()
    page.wait_for_url(re.compile(r"/office/tasks/\d+/$"))
    return int(re.search(r"/office/tasks/(\d+)/$", page.url).group(1))  # type: ignore[union-attr]


def claim(page: Page) -> None:
    with page.expect_navigation():
        page.locator("form[action$='/claim/'] button[type=submit]").click()
    expect(page.locator("form[action$='/claim/']")).to_have_count(0)
    expect(page.locator("form[action$='/approve/']")).to_be_visible()


def approve(page: Page, *, debt_rials: int = 0, settlement: str = "") -> None:
    """Fill what this office records (debt, dormitory, letter, welfare form) and approve."""
    form = page.locator("form[action$='/approve/']")
    if form.locator("[name=debt_rials]").count():
        debt = form.locator("[name=debt_rials]")
        debt.fill(fa_digits(debt_rials))
        # Grouped in thousands with the Persian separator as it is typed (static/js/digits.js).
        expect(debt).to_have_value(fa_digits(f"{debt_rials:,}").replace(",", "٬"))
        form.locator("[name=settlement]").fill(settlement)
    if form.locator("[name=had_dormitory]").count():
        form.locator("[name=had_dormitory][value=yes]").check()
    letter_date = form.locator("[name=letter_date]")
    if letter_date.count() and not letter_date.input_value():
        type_jalali_date(page, letter_date, jdatetime.date.today().togregorian())
    if form.locator("[name=form_registered]").count():
        form.locator("[name=form_registered]").check()
    here = page.url
    form.locator("button[type=submit]").click()
    # The expert lands on the next task of the queue, or on the queue when none is left.
    page.wait_for_url(lambda url: url != here and re.search(r"/office/(tasks/\d+/)?$", url))


def return_to_student(page: Page, reason: str) -> None:
    form = page.locator("form[action$='/return/']")
    form.locator("[name=reason]").fill(reason)
    here = page.url
    form.locator("button[type=submit]").click()
    page.wait_for_url(lambda url: url != here and re.search(r"/office/(tasks/\d+/)?$", url))
