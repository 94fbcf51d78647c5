"""A student's form on a phone: the date picker, the dependent field list, the city search,
Persian digits while typing, and no control wider than the screen whatever the fonts."""

import re

import jdatetime
import pytest
from playwright.sync_api import Page, expect

from clearance import services
from clearance.demo import form_values
from clearance.models import FieldOfStudy
from tests.browser import pages
from tests.conftest import expert_for, open_task

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# Another machine's fonts: wider letters and a larger default size than Vazirmatn's.
OTHER_FONTS = "\n* { font-family: 'DejaVu Sans', sans-serif !important; } html { font-size: 18px; }"

# Controls (and buttons) sticking out of the element that holds them.
_WIDER_THAN_CONTAINER_JS = """() => [...document.querySelectorAll(
    "main input, main select, main textarea, main .ts-wrapper, main .btn, main .badge")]
  .filter((e) => !["checkbox", "radio", "hidden"].includes(e.type) && e.offsetWidth > 2)
  .filter((e) => {
    const r = e.getBoundingClientRect(), p = e.parentElement.getBoundingClientRect();
    return r.left < p.left - 1 || r.right > p.right + 1 || r.left < -1 || r.right > innerWidth + 1;
  })
  .map((e) => `${e.id || e.name || e.className} ${Math.round(e.getBoundingClientRect().width)}`)"""


def with_other_fonts(page: Page) -> None:
    """Serve our stylesheet with another font family (the CSP forbids injected styles)."""

    def widen(route):  # type: ignore[no-untyped-def]
        response = route.fetch()
        route.fulfill(response=response, body=response.text() + OTHER_FONTS)

    page.route(re.compile(r"/static/css/tasvieh\.css$"), widen)


def assert_controls_fit(page: Page) -> None:
    wider = page.evaluate(_WIDER_THAN_CONTAINER_JS)
    assert not wider, f"{page.url}: wider than their container: {wider}"
    pages.assert_no_horizontal_scroll(page)


def test_the_form_on_a_phone(open_browser, student, faculty):
    values = form_values(serial=8, faculty=faculty)
    page = open_browser("student", "phone")
    pages.sign_in(page, student.username)
    page.goto("/requests/new/")

    # Fields of study: none before the faculty and the degree, then only theirs, once each.
    offered = page.locator("#id_field_of_study option:not([value=''])")
    expect(offered).to_have_count(0)
    page.locator("#id_faculty").select_option(str(faculty.pk))
    expect(offered).to_have_count(0)
    page.locator("#id_degree").select_option(str(values["degree"].pk))
    theirs = FieldOfStudy.objects.filter(faculty=faculty, degree=values["degree"], is_active=True)
    expect(offered).to_have_count(theirs.count())
    labels = offered.evaluate_all("options => options.map(o => o.text)")
    assert sorted(labels) == sorted(f.name for f in theirs)

    # Digits typed in ASCII show in Persian; the server reads either.
    number = page.locator("#id_student_number")
    number.fill("")
    number.press_sequentially("98100099")
    expect(number).to_have_value("۹۸۱۰۰۰۹۹")

    # The city search: the box shows its placeholder, the typed text is in the search field.
    page.locator("#id_place_of_issue-ts-control").click()
    search = page.locator(".ts-dropdown:has(#id_place_of_issue-ts-dropdown) input.dropdown-input")
    search.press_sequentially("تهر")
    expect(page.locator("#id_place_of_issue-ts-control")).not_to_contain_text("تهر")
    assert "تهر" not in page.locator("#id_place_of_issue-ts-control input").input_value()
    page.keyboard.press("Escape")

    # The birth-date picker opens around a graduate's birth year, below the field, and closes.
    birth = page.locator("#id_birth_date")
    birth.click()
    picker = page.locator("jdp-container")
    expect(picker).to_be_visible()
    start_year = str(jdatetime.date.today().year - 25)
    expect(picker.locator(".jdp-year select")).to_have_value(start_year)
    birth.press_sequentially("۱۳۷۹/۰۲/۰۳", delay=30)
    expect(birth).to_have_value("۱۳۷۹/۰۲/۰۳")
    expect(picker.locator(".jdp-year select")).to_have_value("1379")
    expect(picker.locator(".jdp-month select")).to_have_value("2")
    # The page scrolls the field above the sheet as the sheet opens: wait for it to settle.
    page.wait_for_function(
        """() => document.querySelector("#id_birth_date").getBoundingClientRect().bottom
                 <= document.querySelector("jdp-container").getBoundingClientRect().top + 0.5"""
    )
    field, sheet = birth.bounding_box(), picker.bounding_box()
    assert field and sheet and field["y"] + field["height"] <= sheet["y"], (field, sheet)
    # What is typed is readable: nothing (not the dimmed overlay) lies over the field.
    assert birth.evaluate(
        """(input) => {
             const r = input.getBoundingClientRect();
             return document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2) === input;
           }"""
    )
    picker.locator(".jdp-btn-close").click()
    expect(picker).to_be_hidden()
    expect(birth).to_have_value("۱۳۷۹/۰۲/۰۳")
    assert_controls_fit(page)


def test_no_control_is_wider_than_its_container_whatever_the_fonts(
    open_browser, submitted, experts, faculty
):
    # The longest status there is: «بازگشت داده شده توسط معاون فرهنگی دانشکده».
    for office in ("education", "student_affairs", "cultural_deputy"):
        task, expert = open_task(submitted), expert_for(experts, office, faculty)
        services.task_claim(task=task, user=expert)
        if office == "cultural_deputy":
            services.request_return(task=task, user=expert, reason="کارت ملی خوانا نیست.")
        else:
            services.decision_record(task=task, user=expert)
    page = open_browser("student", "phone")
    with_other_fonts(page)
    pages.sign_in(page, submitted.student.username)
    for path in ("/requests/", f"/requests/{submitted.pk}/", f"/requests/{submitted.pk}/edit/"):
        page.goto(path)
        assert "DejaVu" in page.evaluate("getComputedStyle(document.body).fontFamily")
        assert_controls_fit(page)
    # The expert's pages: the tabs, the filters with the long faculty names, the task.
    cultural = expert_for(experts, "cultural_deputy", faculty)
    office = open_browser("expert", "phone")
    with_other_fonts(office)
    pages.sign_in(office, cultural.username)
    task = open_task(submitted)
    for path in ("/office/", "/office/mine/", "/office/handled/", f"/office/tasks/{task.pk}/"):
        office.goto(path)
        assert_controls_fit(office)


def test_the_registry_import_preview_fits_a_phone(open_browser, faculty, tmp_path):
    """The preview has a column per field: it scrolls sideways inside itself, not the page.
    It shows what a registrar reads (Persian digits, Jalali dates, names), its changes marked
    without the inline styles the Content-Security-Policy refuses (the fixture fails on any)."""
    from accounts.models import User
    from clearance.demo import DEMO_PASSWORD, make_national_code

    User.objects.create_superuser("registrar", password=DEMO_PASSWORD, email="")
    field = FieldOfStudy.objects.filter(faculty=faculty, is_active=True).first()
    headers = ",".join(
        ["شماره دانشجویی", "کد ملی", "نام", "نام خانوادگی", "نام پدر", "تاریخ تولد", "جنسیت",
         "دانشکده", "رشته تحصیلی", "مقطع"]
    )  # fmt: skip
    rows = [
        f"۹۸۱۰۰۱۰{n},{make_national_code(9000 + n)},مریم,رضایی,حسن,۱۳۷۸/۰۲/۱۵,زن,"
        f"{faculty.name},{field.name},{field.degree.name}"
        for n in (1, 2)
    ]
    upload = tmp_path / "students.csv"
    upload.write_text("\r\n".join([headers, *rows]) + "\r\n", encoding="utf-8-sig")
    page = open_browser("registrar", "phone")
    pages.sign_in(page, "registrar")

    page.goto("/admin/clearance/studentrecord/import/")
    page.locator("input[name=import_file]").set_input_files(upload)
    page.locator("#content form input[type=submit]").first.click()

    preview = page.locator("table.import-preview")
    for shown in ("۹۸۱۰۰۱۰۱", "۱۳۷۸/۰۲/۱۵", faculty.name, field.name, "زن"):
        expect(preview).to_contain_text(shown)
    added = preview.locator("ins").first
    assert added.evaluate("(e) => getComputedStyle(e).backgroundColor") == "rgb(230, 255, 230)"
    assert preview.evaluate("(t) => t.scrollWidth > t.clientWidth")  # wider, and it scrolls
    pages.assert_no_horizontal_scroll(page)
