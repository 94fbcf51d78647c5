"""The bell, the «your turn» marks and banners, the notification list and the settings page,
seen over HTTP as the student and the experts see them."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clearance import services
from clearance.models import Notification, NotificationPreference
from tests.conftest import expert_for, login, open_task
from tests.factories import ExpertFactory

pytestmark = pytest.mark.django_db

YOUR_TURN = "پاسخ شما لازم است"
STUDENT_ANSWERED = "پاسخ دانشجو رسید"
ODD_TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["²", "9" * 25, "-1", "١٢", "０８", "ـــ", "\x00", "on", "x" * 10_000]),
)


def page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def bell(html: str) -> str | None:
    """The unread count the menu shows, or None when there is none."""
    found = re.search(r'id="bell-count">([^<]+)<', html)
    return found.group(1) if found else None


@pytest.fixture
def expert(submitted, experts, faculty):
    expert = expert_for(experts, "education", faculty)
    services.task_claim(task=open_task(submitted), user=expert)
    return expert


def office_message(submitted, expert, body: str) -> None:
    services.comment_post(
        clearance_request=submitted, author=expert, office=expert.roles.get().office, body=body
    )


def test_an_office_message_rings_the_bell_marks_the_request_and_opens_with_a_banner(
    submitted, expert, student_client
):
    assert bell(page(student_client, reverse("request_list"))) is None
    assert YOUR_TURN not in page(student_client, reverse("request_list"))

    office_message(submitted, expert, "لطفاً رسید کلید خوابگاه را بارگذاری کنید.")
    listing = page(student_client, reverse("request_list"))

    assert bell(listing) == "۱"
    assert YOUR_TURN in listing
    opened = page(student_client, reverse("request_detail", args=[submitted.pk]))
    banner = re.search(r'<div class="alert [^"]*your-turn".*?</div>', opened, re.S)
    assert banner and "لطفاً رسید کلید خوابگاه را بارگذاری کنید." in banner.group(0)
    assert 'href="#id_body"' in banner.group(0)  # the action: reply
    assert bell(opened) is None  # read now, and the menu of this very page knows it
    assert Notification.objects.get().read_at is not None

    again = page(student_client, reverse("request_list"))
    assert bell(again) is None and YOUR_TURN not in again
    assert "your-turn" not in page(student_client, reverse("request_detail", args=[submitted.pk]))


def test_a_returned_request_stays_marked_until_the_student_resubmits(
    submitted, expert, student, student_client
):
    services.request_return(task=open_task(submitted), user=expert, reason="کارنامه ناقص است")

    assert bell(page(student_client, reverse("request_list"))) == "۱"
    opened = page(student_client, reverse("request_detail", args=[submitted.pk]))
    assert "کارنامه ناقص است" in opened and reverse("request_edit", args=[submitted.pk]) in opened
    listing = page(student_client, reverse("request_list"))
    assert bell(listing) is None
    assert YOUR_TURN in listing  # read, but the request still waits for the student

    services.request_resubmit(clearance_request=submitted, student=student, data={})
    assert YOUR_TURN not in page(student_client, reverse("request_list"))


def test_the_expert_sees_the_students_reply_on_the_task_they_hold(
    submitted, expert, student, student_client
):
    client = login(Client(), expert)
    services.comment_post(clearance_request=submitted, author=student, body="مدارک را فرستادم.")

    mine = page(client, reverse("office_mine"))
    assert bell(mine) == "۱" and STUDENT_ANSWERED in mine
    task_page = page(client, reverse("task_detail", args=[open_task(submitted).pk]))
    banner = re.search(r'<div class="alert [^"]*your-turn".*?</div>', task_page, re.S)
    assert banner and "مدارک را فرستادم." in banner.group(0)
    assert bell(task_page) is None

    assert STUDENT_ANSWERED not in page(client, reverse("office_mine"))
    # The student's own bell never rang for their own message.
    assert bell(page(student_client, reverse("request_list"))) is None


def test_the_returning_expert_finds_the_resubmission_marked_in_the_queue(
    submitted, expert, student
):
    client = login(Client(), expert)
    services.request_return(task=open_task(submitted), user=expert, reason="شماره همراه غلط است")
    services.request_resubmit(
        clearance_request=submitted,
        student=student,
        data={"mobile": "09357654321"},
        note="شماره اصلاح شد.",
    )

    queue = page(client, reverse("office_queue"))
    assert STUDENT_ANSWERED in queue
    task_page = page(client, reverse("task_detail", args=[open_task(submitted).pk]))
    banner = re.search(r'<div class="alert [^"]*your-turn".*?</div>', task_page, re.S)
    assert banner and "شماره اصلاح شد." in banner.group(0)
    assert "تلفن همراه" in banner.group(0)  # what changed
    assert STUDENT_ANSWERED not in page(client, reverse("office_queue"))


def test_the_list_is_newest_first_in_jalali_and_opening_one_reads_it(
    submitted, expert, student_client
):
    office_message(submitted, expert, "پیام نخست")
    office_message(submitted, expert, "پیام دوم")
    first, second = Notification.objects.order_by("created")

    listing = page(student_client, reverse("notification_list"))

    assert listing.index("پیام دوم") < listing.index("پیام نخست")
    assert re.search(r"[۰-۹]{4}/[۰-۹]{2}/[۰-۹]{2}", listing)  # a Jalali date, Persian digits
    assert "برای شما پیام فرستاد" in listing
    opened = student_client.get(reverse("notification_open", args=[first.pk]))
    assert opened.status_code == 302
    assert opened["Location"] == reverse("request_detail", args=[submitted.pk])
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None and second.read_at is None
    assert bell(page(student_client, reverse("notification_list"))) == "۱"

    marked = student_client.post(reverse("notifications_read_all"))
    assert marked.status_code == 302
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_an_expert_notification_opens_the_task(submitted, expert, faculty):
    head = ExpertFactory(office="education", faculty=faculty, is_staff=True)
    services.task_release(task=open_task(submitted), user=head)
    released = Notification.objects.get(recipient=expert)

    client = login(Client(), expert)
    assert "کار" in page(client, reverse("notification_list"))
    opened = client.get(reverse("notification_open", args=[released.pk]))
    assert opened["Location"] == reverse("task_detail", args=[open_task(submitted).pk])
    assert client.get(opened["Location"]).status_code == 200


def test_nobody_opens_someone_elses_notification(submitted, expert, other_student, client):
    office_message(submitted, expert, "خصوصی")
    notification = Notification.objects.get()

    assert client.get(reverse("notification_list")).status_code == 302  # sign in first
    other = login(Client(), other_student)
    assert other.get(reverse("notification_open", args=[notification.pk])).status_code == 404
    assert "خصوصی" not in page(other, reverse("notification_list"))
    assert other.get(reverse("notifications_read_all")).status_code == 405
    notification.refresh_from_db()
    assert notification.read_at is None


def test_a_student_turns_sms_and_email_off_and_on(submitted, student, student_client):
    settings_page = page(student_client, reverse("notification_settings"))
    assert "۰۹۱۲۱۰۰۰۰۰۱" in settings_page  # SMS go to the mobile number on the request
    assert 'name="sms"' in settings_page and "checked" in settings_page

    saved = student_client.post(reverse("notification_settings"), {"email": "on"})

    assert saved.status_code == 302
    preference = NotificationPreference.objects.get(user=student)
    assert (preference.sms, preference.email) == (False, True)
    student_client.post(reverse("notification_settings"), {"sms": "on", "email": "on"})
    preference.refresh_from_db()
    assert (preference.sms, preference.email) == (True, True)


def ticked(value: str) -> bool:
    """A posted checkbox: any value but none, "" or "false" means ticked (as browsers send)."""
    return bool(value) and value.lower() != "false"


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(sms=ODD_TEXT, email=ODD_TEXT, page_number=ODD_TEXT)
def test_any_settings_post_or_list_page_is_an_answer_not_a_500(
    student, student_client, sms, email, page_number
):
    saved = student_client.post(reverse("notification_settings"), {"sms": sms, "email": email})
    listing = student_client.get(reverse("notification_list"), {"page": page_number})

    assert saved.status_code == 302 and listing.status_code == 200
    preference = NotificationPreference.objects.get(user=student)
    assert (preference.sms, preference.email) == (ticked(sms), ticked(email))


def test_thousands_unread_cost_the_page_the_latest_only_and_old_ones_still_clear(
    submitted, expert, student
):
    """An expert who never opens the bell gathers unread rows; a page reads the latest."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from clearance.notifications.inbox import LATEST

    services.comment_post(clearance_request=submitted, author=student, body="مدارک را فرستادم.")
    task = open_task(submitted)
    assert Notification.objects.filter(recipient=expert, task_id=task.pk).exists()
    Notification.objects.bulk_create(
        Notification(
            recipient=expert,
            kind=Notification.Kind.RESUBMITTED,
            request=submitted,
            task_id=10_000_000 + n,
        )
        for n in range(LATEST + 5)
    )
    client = login(Client(), expert)
    with CaptureQueriesContext(connection) as ctx:
        queue = page(client, reverse("office_queue"))
    assert bell(queue) == "۹۹+"
    (bell_query,) = [q["sql"] for q in ctx.captured_queries if "clearance_notification" in q["sql"]]
    assert f"LIMIT {LATEST + 1}" in bell_query
    # The reply is older than the latest LATEST: opening its task still marks it read.
    page(client, reverse("task_detail", args=[task.pk]))
    assert not Notification.objects.filter(task_id=task.pk, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=expert, read_at__isnull=True).count() == LATEST + 5
