"""The clearance certificate a third party can trust, and the timeline that tells the story.

The PDF is read back with poppler's pdftotext. With ``-raw`` it prints the text in the order
it is drawn, left to right: a letter number and an address must come out exactly as
written (WeasyPrint ignores CSS ``unicode-bidi``; broken, they came out as «پ/۱۴۰۵/۲» and
"/http://…/verify/…").
"""

import re
import subprocess

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from clearance.models import ClearanceRequest, Event, Letterhead
from persian.text import persian_digits
from tests.conftest import approve_through_chain, login, png_image, upload

DEBTS = {"nutrition": (1_500_000, "پرداخت شد، رسید ۴۴۱۲"), "loan_fund": (0, "")}


def pdf_text(pdf: bytes, *options: str) -> str:
    result = subprocess.run(
        ["pdftotext", *options, "-", "-"], input=pdf, capture_output=True, check=True
    )
    # The direction marks that keep codes in order are invisible: compare without them.
    return re.sub("[\u200e\u2066-\u2069\u202a-\u202e]", "", result.stdout.decode())


def as_extracted(word: str) -> str:
    """A word as pdftotext gives it back: the lam-alef ligature «لا» comes out as «ال»."""
    return word.replace("لا", "ال")


@pytest.fixture
def cleared(submitted, experts, faculty) -> ClearanceRequest:
    faculty.letter_format = "{year}/{prefix}/{number:04d}"
    faculty.save(update_fields=["letter_format"])
    return approve_through_chain(submitted, experts, faculty, debts=DEBTS)


@pytest.fixture
def certificate(cleared, student) -> bytes:
    response = login(Client(), student).get(reverse("request_certificate", args=[cleared.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    return response.content


def test_letter_number_and_verification_address_read_in_order(cleared, certificate):
    drawn = pdf_text(certificate, "-raw").splitlines()
    assert re.fullmatch(r"[0-9]{4}/پ/0001", cleared.letter_number)
    assert persian_digits(cleared.letter_number) in drawn  # e.g. ۱۴۰۵/پ/۰۰۰۱, one line
    url = f"http://testserver/verify/{cleared.certificate_code}/"
    assert url in drawn
    assert not [line for line in drawn if "/http" in line]


def test_one_line_per_office_with_its_expert_date_debt_and_settlement(cleared, certificate):
    text = pdf_text(certificate, "-raw")
    approvals = Event.objects.filter(request=cleared, kind=Event.Kind.APPROVED)
    assert approvals.count() == 10  # the chain without IT (no dormitory)
    for approval in approvals.select_related("actor"):
        for word in approval.actor.get_full_name().split():
            assert as_extracted(word) in text, approval.actor
    assert "۱٬۵۰۰٬۰۰۰" in text and "۴۴۱۲" in text
    assert "بدهی بدون" in text  # «بدون بدهی», drawn right to left, word by word
    # The faculty signs: its closing expert, and room for the stamp.
    assert "مهر" in text and "امضای" in text and "پزشکی" in text


def test_an_administrator_uploads_the_letterhead_in_the_persian_admin(
    cleared, certificate, student
):
    admin = User.objects.create_superuser("root", password="x", email="")
    client = Client()
    client.force_login(admin)
    add = reverse("admin:clearance_letterhead_add")
    page = client.get(add).content.decode()
    assert "سربرگ گواهی" in page and "نام دانشگاه" in page

    refused = client.post(add, {"university_name": "دانشگاه", "logo": upload("x.png", b"GIF89")})
    assert refused.status_code == 200 and not Letterhead.objects.exists()
    assert "PNG" in refused.content.decode()

    name = "دانشگاه علوم پزشکی ایران"
    saved = client.post(add, {"university_name": name, "logo": upload("logo.png", png_image())})
    assert saved.status_code == 302
    assert Letterhead.current().university_name == name
    assert client.get(add).status_code == 403  # one letterhead only

    response = login(Client(), student).get(reverse("request_certificate", args=[cleared.pk]))
    assert name.split()[-1] in pdf_text(response.content)
    # The logo is the only raster image; before the upload there was none.
    assert images(response.content) == 1 and images(certificate) == 0


def images(pdf: bytes) -> int:
    listed = subprocess.run(
        ["pdfimages", "-list", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    return len(listed.splitlines()) - 2  # under two lines of headings


def test_the_timeline_tells_the_whole_story(cleared, student_client):
    html = student_client.get(reverse("request_detail", args=[cleared.pk])).content.decode()
    letter = re.search(r'class="small decision letter">(.*?)</div>', html).group(1)  # type: ignore[union-attr]
    assert persian_digits(cleared.letter_number) in letter.replace("\u200e", "")
    assert "تاریخ نامه" in letter and re.search(r"۱۴۰[۰-۹]/[۰-۹]{2}/[۰-۹]{2}", letter)
    assert "۱٬۵۰۰٬۰۰۰" in html and "تسویه: پرداخت شد، رسید ۴۴۱۲" in html
    assert html.count("بدون بدهی") == 3  # dormitory, loan fund, welfare
    assert "فرم تسویه حساب در سامانه رفاه ثبت شد" in html
    assert "((" not in html and ") (" not in html


def test_the_welfare_office_sees_the_debts_earlier_offices_recorded(submitted, experts, faculty):
    approve_through_chain(submitted, experts, faculty, until="welfare", debts=DEBTS)
    task = submitted.process.task_set.get(flow_task_type="HUMAN", status="NEW")
    welfare = login(Client(), experts["welfare"])
    html = welfare.get(reverse("task_detail", args=[task.pk])).content.decode()
    debts = re.search(r'id="debts">(.*?)</table>', html, re.S).group(1)  # type: ignore[union-attr]
    assert "اداره تغذیه" in debts and "۱٬۵۰۰٬۰۰۰" in debts and "رسید ۴۴۱۲" in debts
    assert "صندوق قرض‌الحسنه" in debts and "بدون بدهی" in debts
    assert re.search(r"جمع</td><td[^>]*>۱٬۵۰۰٬۰۰۰", debts)


def test_other_offices_do_not_get_the_debt_summary(submitted, experts, faculty):
    approve_through_chain(submitted, experts, faculty, until="loan_fund", debts=DEBTS)
    task = submitted.process.task_set.get(flow_task_type="HUMAN", status="NEW")
    html = login(Client(), experts["loan_fund"]).get(reverse("task_detail", args=[task.pk]))
    assert 'id="debts"' not in html.content.decode()
