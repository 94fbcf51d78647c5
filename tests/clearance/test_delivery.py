"""The worker sends what the actions queued: through real runs of ``manage.py db_worker``.

These tests commit, so the worker sees what a second process would. E-mail goes to Django's
in-memory outbox, SMS to the in-memory gateway (``sms_outbox``) or, for the failures, to a
Kavenegar look-alike over real HTTP, a closed port and a host that never answers.
"""

import datetime as dt
import io
import re

import jdatetime
import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from clearance import services
from clearance.demo import make_user
from clearance.models import Delivery, Notification
from clearance.notifications.delivery import retry_delay
from persian.text import persian_digits
from tests.conftest import expert_for, login, open_task, run_worker
from tests.servers.gateways import blackhole, fake_kavenegar

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

RETURN_REASON = "کارنامه ناقص است"


@pytest.fixture
def sara(student):
    student.email = "sara@student.example.ac.ir"
    student.save(update_fields=["email"])
    return student


@pytest.fixture
def expert(submitted, experts, faculty):
    expert = expert_for(experts, "education", faculty)
    services.task_claim(task=open_task(submitted), user=expert)
    return expert


def return_request(submitted, expert) -> None:
    services.request_return(task=open_task(submitted), user=expert, reason=RETURN_REASON)


def test_the_worker_delivers_email_and_sms_in_persian_with_a_link(
    submitted, sara, expert, sms_outbox
):
    return_request(submitted, expert)
    assert mail.outbox == [] and sms_outbox == []

    run_worker()

    (email,) = mail.outbox
    assert email.to == [sara.email]
    assert email.subject == "درخواست تسویه حساب شما بازگشت داده شد"
    assert RETURN_REASON in email.body and f"/requests/{submitted.pk}/" in email.body
    (sms,) = sms_outbox
    assert sms.to == submitted.mobile
    assert sms.text.startswith("تسویه") and f"/requests/{submitted.pk}/" in sms.text
    for delivery in Delivery.objects.all():
        assert delivery.status == "sent" and delivery.attempts == 1 and delivery.sent_at
    assert Delivery.objects.get(channel="sms").reference == "memory-1"
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}

    run_worker()  # a second worker run sends nothing twice
    assert len(mail.outbox) == 1 and len(sms_outbox) == 1


def test_texts_are_short_and_carry_no_national_code_birth_date_or_address(
    submitted, sara, expert, sms_outbox
):
    office = expert.roles.get().office
    return_request(submitted, expert)
    services.comment_post(clearance_request=submitted, author=expert, office=office, body="سلام")
    run_worker()

    birth = jdatetime.date.fromgregorian(date=submitted.birth_date).strftime("%Y/%m/%d")
    private = [
        submitted.national_code,
        persian_digits(submitted.national_code),
        str(submitted.birth_date),
        birth,
        persian_digits(birth),
        submitted.address,
        submitted.address[:12],
    ]
    texts = [sms.text for sms in sms_outbox] + [m.body for m in mail.outbox]
    assert len(sms_outbox) == 2 and len(mail.outbox) == 2
    for text in texts:
        assert not [secret for secret in private if secret in text], text
        assert re.search(r"[\u0600-\u06FF]{3}", text), text  # Persian
    for sms in sms_outbox:
        assert len(sms.text) <= 160, sms.text  # at most three Persian SMS parts
        assert sms.text.endswith(f"/requests/{submitted.pk}/")


def test_a_failing_gateway_is_retried_then_marked_failed_with_its_error(
    submitted, sara, expert, settings
):
    settings.TASVIEH_DELIVERY_ATTEMPTS = 3
    settings.TASVIEH_DELIVERY_RETRY_SECONDS = 0  # the retries are due at once
    # A real SMTP client against a port where nothing listens.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    with fake_kavenegar() as gateway:
        gateway.status, gateway.message = 418, "اعتبار حساب شما کافی نیست"
        settings.TASVIEH_SMS_BACKEND = "kavenegar"
        settings.TASVIEH_KAVENEGAR_URL, settings.TASVIEH_KAVENEGAR_API_KEY = gateway.url, "K3Y"
        return_request(submitted, expert)

        run_worker()

        assert len(gateway.received) == 3  # every attempt reached the gateway
    sms, email = Delivery.objects.get(channel="sms"), Delivery.objects.get(channel="email")
    assert (sms.status, sms.attempts, sms.next_attempt) == ("failed", 3, None)
    assert sms.last_error == f"SmsError: Kavenegar refused the message (418): {gateway.message}"
    assert (email.status, email.attempts) == ("failed", 3)
    assert "ConnectionRefusedError" in email.last_error
    # The worker's own record keeps each attempt, with its traceback.
    attempts = DBTaskResult.objects.filter(status="FAILED")
    assert attempts.count() == 6
    assert attempts.filter(traceback__contains="SmsError: Kavenegar refused").count() == 3
    assert not DBTaskResult.objects.ready().exists()


def test_a_failed_attempt_waits_longer_each_time(submitted, sara, expert, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    settings.TASVIEH_DELIVERY_RETRY_SECONDS = 60
    return_request(submitted, expert)
    before = timezone.now()

    run_worker()

    email = Delivery.objects.get(channel="email")
    assert (email.status, email.attempts) == ("retrying", 1)
    assert (
        before + dt.timedelta(seconds=59)
        < email.next_attempt
        < timezone.now() + dt.timedelta(seconds=61)
    )
    waiting = DBTaskResult.objects.get(status="READY")
    assert waiting.run_after == email.next_attempt
    run_worker()  # not due yet: nothing happens
    assert Delivery.objects.get(pk=email.pk).attempts == 1

    DBTaskResult.objects.filter(pk=waiting.pk).update(run_after=timezone.now())  # time passes
    run_worker()

    email.refresh_from_db()
    assert (email.status, email.attempts) == ("retrying", 2)
    assert email.next_attempt > timezone.now() + dt.timedelta(seconds=170)  # 3 minutes
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3, 4, 5, 9)] == [
        60,
        180,
        540,
        1620,
        4860,
        6 * 3600,
    ]


def test_a_hanging_mail_server_or_gateway_never_touches_the_page(
    submitted, sara, experts, faculty, settings
):
    expert = expert_for(experts, "education", faculty)
    client = login(Client(), expert)
    task = open_task(submitted)
    client.post(reverse("task_claim", args=[task.pk]))
    with blackhole() as hole:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", hole.port, 1
        settings.TASVIEH_SMS_BACKEND = "kavenegar"
        settings.TASVIEH_KAVENEGAR_URL = f"http://127.0.0.1:{hole.port}/v1"
        settings.TASVIEH_SMS_TIMEOUT = 1

        returned = client.post(reverse("task_return", args=[task.pk]), {"reason": RETURN_REASON})
        messaged = client.post(reverse("task_comment", args=[task.pk]), {"body": "سلام"})
        page = client.get(reverse("task_detail", args=[task.pk]))

        # The pages answered without once connecting to the mail server or the gateway.
        assert (returned.status_code, messaged.status_code, page.status_code) == (302, 302, 200)
        assert hole.connections == 0
        run_worker()
        assert hole.connections == 4  # the worker tried each of the four deliveries

    for delivery in Delivery.objects.all():
        assert delivery.status == "retrying" and "timed out" in delivery.last_error


def test_administrators_see_every_delivery_and_send_failed_ones_again(
    submitted, sara, expert, settings, sms_outbox
):
    settings.TASVIEH_DELIVERY_ATTEMPTS = 1
    settings.TASVIEH_SMS_BACKEND = "clearance.notifications.sms.KavenegarBackend"
    settings.TASVIEH_KAVENEGAR_URL = "http://127.0.0.1:9/v1"  # nothing listens
    return_request(submitted, expert)
    run_worker()
    failed = Delivery.objects.get(channel="sms")
    assert failed.status == "failed" and "could not be reached" in failed.last_error
    admin = make_user("admin", is_staff=True, is_superuser=True)
    client = login(Client(), admin)

    listing = client.get(reverse("admin:clearance_delivery_changelist"), {"status": "failed"})

    assert listing.status_code == 200
    page = listing.content.decode()
    assert "پیام‌های ارسالی" in page and "ناموفق" in page and submitted.mobile in page
    assert "could not be reached" in page
    settings.TASVIEH_SMS_BACKEND = "memory"
    client.post(
        reverse("admin:clearance_delivery_changelist"),
        {"action": "send_again", "_selected_action": [failed.pk]},
    )
    run_worker()
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == ("sent", 1)
    assert [sms.to for sms in sms_outbox] == [submitted.mobile]
    assert Notification.objects.get().kind == "returned"


def test_students_and_experts_never_see_the_deliveries_admin(submitted, sara, expert):
    response = login(Client(), expert).get(reverse("admin:clearance_delivery_changelist"))

    assert response.status_code == 302 and "/admin/login/" in response["Location"]


class StoppedMidSend:
    """A gateway call interrupted by the worker being stopped (Ctrl-C twice, SIGTERM twice)."""

    def send(self, *, to: str, text: str) -> str:
        raise SystemExit(1)


def test_a_worker_stopped_mid_send_leaves_the_delivery_to_retry(
    submitted, student, expert, settings, sms_outbox
):
    settings.TASVIEH_SMS_BACKEND = "tests.clearance.test_delivery.StoppedMidSend"
    return_request(submitted, expert)

    run_worker()

    sms = Delivery.objects.get(channel="sms")
    assert (sms.status, sms.attempts, sms.last_error) == ("retrying", 1, "SystemExit: 1")
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
    settings.TASVIEH_SMS_BACKEND = "memory"
    run_worker()
    sms.refresh_from_db()
    assert (sms.status, sms.attempts) == ("sent", 2) and len(sms_outbox) == 1


def test_a_delivery_whose_worker_died_is_queued_again(submitted, student, expert, sms_outbox):
    return_request(submitted, expert)
    sms = Delivery.objects.get(channel="sms")
    # The worker took the attempt, then died: its task is "running" for ever.
    ten_minutes_ago = timezone.now() - dt.timedelta(minutes=10)
    DBTaskResult.objects.update(status="RUNNING", started_at=ten_minutes_ago)
    Delivery.objects.update(created=ten_minutes_ago)
    run_worker()
    assert sms_outbox == []

    out = io.StringIO()
    call_command("resume_deliveries", stdout=out)
    assert out.getvalue() == "1 delivery(ies) queued again.\n"
    call_command("resume_deliveries", stdout=out)  # already queued: not twice
    assert out.getvalue().endswith("0 delivery(ies) queued again.\n")
    run_worker()

    sms.refresh_from_db()
    assert (sms.status, sms.attempts) == ("sent", 1) and len(sms_outbox) == 1
