"""The main pages, rendered at desktop and phone width, on the demo data.

Run as a normal test it checks that each page renders in Persian and fits a phone's width,
writing its PNGs to a temporary folder. With ``--screenshots`` (``make screenshots``) the
PNGs go to docs/screenshots/<page>-<desktop|phone>.png for the README.
"""

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import Page

from accounts.models import Faculty, Office, User
from clearance import services
from clearance.demo import form_values, make_student
from clearance.models import ClearanceRequest
from tests.browser import pages

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def seed() -> dict[str, str]:
    """The demo data (`make demo`), plus a longer queue and a conversation; return paths."""
    call_command("seed_demo", stdout=io.StringIO())
    medicine = Faculty.objects.get(code="medicine")
    for serial in (6, 7):
        student = make_student(serial)
        services.request_submit(student=student, data=form_values(serial=serial, faculty=medicine))

    followed = ClearanceRequest.objects.get(student__username="student4")
    services.comment_post(
        clearance_request=followed,
        author=User.objects.get(username="nutrition"),
        office=Office.objects.get(code="nutrition"),
        body="بدهی تغذیه شما تسویه شد؛ رسید در پرونده ثبت است.",
    )
    services.comment_post(
        clearance_request=followed,
        author=followed.student,
        body="سپاس. آیا مدرک دیگری لازم است؟",
    )

    expert = User.objects.get(username="education.medicine")
    returned = ClearanceRequest.objects.get(student__username="student3")
    return {
        "request": f"/requests/{followed.pk}/",
        "returned": f"/requests/{returned.pk}/",
        "admin_roles": f"/admin/accounts/user/{expert.pk}/change/",
    }


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_main_pages(open_browser, viewport, request, tmp_path):
    folder = DOCS if request.config.getoption("screenshots", default=False) else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    paths = seed()
    fits = pages.WidthCheck(enabled=viewport == "phone")
    audit: dict[str, list[str]] = {}

    def shoot(page: Page, name: str, path: str | None = None) -> None:
        if path:
            response = page.goto(path)
            assert response is not None and response.status == 200, f"{path}: {response}"
        pages.assert_persian_page(page)
        if not name.startswith("admin"):  # Django admin keeps its own fonts
            pages.assert_vazirmatn(page)
        fits(page)
        if not name.startswith("admin"):  # Django admin's own markup is not ours to fix
            audit[f"{name}-{viewport}"] = pages.accessibility_violations(page)
        target = folder / f"{name}-{viewport}.png"
        page.screenshot(path=target, full_page=True, animations="disabled", caret="hide")
        assert target.read_bytes().startswith(PNG_SIGNATURE)

    visitor = open_browser("visitor", viewport)
    shoot(visitor, "login", "/login/")

    newcomer = open_browser("student5", viewport)
    pages.sign_in(newcomer, "student5")
    shoot(newcomer, "form", "/requests/new/")

    student = open_browser("student4", viewport)
    pages.sign_in(student, "student4")
    # The office's message rings the bell and marks the request; it opens with a banner.
    shoot(student, "my-requests", "/requests/")
    assert student.locator("#bell-count").inner_text() == "۱"
    shoot(student, "notifications", "/notifications/")
    shoot(student, "request", paths["request"])
    assert student.locator("#your-turn").is_visible()

    returned = open_browser("student3", viewport)
    pages.sign_in(returned, "student3")
    shoot(returned, "request-returned", paths["returned"])
    assert returned.locator("#your-turn .btn-danger").is_visible()

    expert = open_browser("education.medicine", viewport)
    pages.sign_in(expert, "education.medicine")
    shoot(expert, "queue", "/office/")
    assert expert.locator("tr.task-row").count() == 3
    pages.open_task(expert, ClearanceRequest.objects.get(student__username="student1").full_name)
    pages.claim(expert)
    shoot(expert, "task")

    admin = open_browser("admin", viewport)
    pages.sign_in(admin, "admin")
    shoot(admin, "admin-roles", paths["admin_roles"])
    # The office roles inline lists the expert's role.
    education = Office.objects.get(code="education")
    assert admin.locator("#roles-group #id_roles-0-office").input_value() == str(education.pk)

    fits.assert_all_fit()
    failing = {page: found for page, found in audit.items() if found}
    assert not failing, f"WCAG 2 AA violations (axe-core): {failing}"
