"""The main pages, rendered at desktop and phone width, on the demo data.

Run as a normal test it checks that each page renders in Persian and fits a phone's width
(360 px: the student's, the experts' and the administrator's pages), writing its PNGs to a
temporary folder. With ``--screenshots`` (``make screenshots``) the PNGs go to
docs/screenshots/<page>-<desktop|phone>.png for the README, and the certificate's pages to
docs/screenshots/certificate-<n>.png (pdftoppm).
"""

import datetime as dt
import io
import subprocess
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import Faculty, Office, User
from clearance import services
from clearance.demo import form_values, make_experts, make_student
from clearance.models import ClearanceRequest, Letterhead
from tests.browser import pages
from tests.conftest import approve_through_chain, open_task, png_image

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def seed() -> dict[str, str]:
    """The demo data (`make demo`), plus a longer queue, a conversation, a request waiting
    at the welfare office after recorded debts, a cleared one and a letterhead; return paths."""
    call_command("seed_demo", stdout=io.StringIO())
    medicine = Faculty.objects.get(code="medicine")
    requests = {}
    for serial in (6, 7, 8, 9):
        student = make_student(serial)
        requests[serial] = services.request_submit(
            student=student, data=form_values(serial=serial, faculty=medicine)
        )
    experts = {expert.username: expert for expert in make_experts([medicine])}
    debts = {"nutrition": (850_000, "پرداخت شد، رسید ۵۵۱۲"), "loan_fund": (12_000_000, "تقسیط")}
    at_welfare = approve_through_chain(requests[8], experts, medicine, until="welfare", debts=debts)
    cleared = approve_through_chain(requests[9], experts, medicine, debts=debts)
    Letterhead.objects.create(
        university_name="دانشگاه علوم پزشکی ایران",
        address="تهران، بزرگراه شهید همت، تلفن ۸۶۷۰۱",
        logo=ContentFile(png_image(96), name="logo.png"),
    )

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
    # Returned by the education office and corrected: the queue marks it «ارسال مجدد».
    corrected = requests[6]
    services.request_return(task=open_task(corrected), user=expert, reason="نشانی ناقص است")
    services.request_resubmit(
        clearance_request=corrected,
        student=corrected.student,
        data={
            **form_values(serial=6, faculty=medicine),
            "address": "تهران، خیابان انقلاب، پلاک ۲۰",
        },
        note="نشانی کامل شد",
    )
    returned = ClearanceRequest.objects.get(student__username="student3")
    return {
        "request": f"/requests/{followed.pk}/",
        "returned": f"/requests/{returned.pk}/",
        "cleared": f"/requests/{cleared.pk}/",
        "certificate": f"/requests/{cleared.pk}/certificate/",
        "verify": f"/verify/{cleared.certificate_code}/",
        "welfare_task": f"/office/tasks/{open_task(at_welfare).pk}/",
        "admin_roles": f"/admin/accounts/user/{expert.pk}/change/",
    }


def certificate_pages(pdf: bytes, folder: Path) -> list[Path]:
    """The certificate's pages as PNGs (poppler's pdftoppm), as a reader sees them."""
    (folder / "certificate.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "80", folder / "certificate.pdf", folder / "certificate"],
        check=True,
    )
    (folder / "certificate.pdf").unlink()
    return sorted(folder.glob("certificate-*.png"))


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
    shoot(visitor, "verify", paths["verify"])

    newcomer = open_browser("student5", viewport)
    pages.sign_in(newcomer, "student5")
    shoot(newcomer, "my-requests-empty", "/requests/")
    shoot(newcomer, "form", "/requests/new/")
    # The birth-date picker, open: on a phone a sheet under the field it fills.
    newcomer.locator("#id_birth_date").click()
    expect(newcomer.locator("jdp-container")).to_be_visible()
    newcomer.locator("#id_birth_date").press_sequentially("۱۳۷۹/۰۲", delay=30)
    newcomer.screenshot(path=folder / f"form-datepicker-{viewport}.png", animations="disabled")

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
    shoot(returned, "my-requests-returned", "/requests/")
    shoot(returned, "request-returned", paths["returned"])
    assert returned.locator("#your-turn .btn-danger").is_visible()

    graduate = open_browser("student9", viewport)
    pages.sign_in(graduate, "student9")
    shoot(graduate, "request-cleared", paths["cleared"])
    if viewport == "desktop":  # the PDF is the same at every width
        pdf = graduate.request.get(paths["certificate"])
        assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
        shots = certificate_pages(pdf.body(), folder)
        assert shots and all(p.read_bytes().startswith(PNG_SIGNATURE) for p in shots)

    expert = open_browser("education.medicine", viewport)
    pages.sign_in(expert, "education.medicine")
    shoot(expert, "queue", "/office/")
    assert expert.locator("tr.task-row").count() == 3
    expect(expert.locator("tr.task-row", has_text="ارسال مجدد")).to_have_count(1)
    pages.open_task(expert, ClearanceRequest.objects.get(student__username="student1").full_name)
    pages.claim(expert)
    shoot(expert, "task")
    shoot(expert, "my-tasks", "/office/mine/")
    shoot(expert, "handled", "/office/handled/")

    welfare = open_browser("welfare", viewport)
    pages.sign_in(welfare, "welfare")
    shoot(welfare, "task-welfare", paths["welfare_task"])
    expect(welfare.locator("#debts")).to_contain_text("۱۲٬۸۵۰٬۰۰۰")

    admin = open_browser("admin", viewport)
    pages.sign_in(admin, "admin")
    # The reports: both charts drawn by the local chart.js, one request overdue.
    ClearanceRequest.objects.filter(student__username="student6").update(
        waiting_since=timezone.now() - dt.timedelta(days=9)
    )
    response = admin.goto("/reports/")
    assert response is not None and response.status == 200
    for chart in ("chart-offices", "chart-days"):
        assert admin.evaluate(f"Chart.getChart('{chart}').data.datasets.length") >= 2
    assert admin.locator("#overdue section").count() == 1
    shoot(admin, "reports")
    shoot(admin, "admin-index", "/admin/")
    shoot(admin, "admin-requests", "/admin/clearance/clearancerequest/")
    shoot(admin, "admin-users", "/admin/accounts/user/")
    shoot(admin, "admin-roles", paths["admin_roles"])
    # The office roles inline lists the expert's role.
    education = Office.objects.get(code="education")
    assert admin.locator("#roles-group #id_roles-0-office").input_value() == str(education.pk)
    letterhead = Letterhead.objects.get()
    shoot(admin, "admin-letterhead", f"/admin/clearance/letterhead/{letterhead.pk}/change/")

    fits.assert_all_fit()
    failing = {page: found for page, found in audit.items() if found}
    assert not failing, f"WCAG 2 AA violations (axe-core): {failing}"
