"""The experts' daily digest: waiting tasks per office and tasks held longer than N days."""

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from viewflow.workflow.models import Task

from clearance import services
from clearance.models import Delivery
from tests.conftest import expert_for, open_task, run_worker
from tests.factories import ClearanceRequestFactory


def send_digests() -> str:
    out = io.StringIO()
    call_command("send_digests", stdout=out)
    return out.getvalue()


def age(task: Task, days: int) -> None:
    Task.objects.filter(pk=task.pk).update(created=timezone.now() - dt.timedelta(days=days))


@pytest.fixture
def education(experts, faculty):
    expert = expert_for(experts, "education", faculty)
    expert.email = "education@example.ac.ir"
    expert.save(update_fields=["email"])
    return expert


@pytest.mark.django_db
def test_the_digest_lists_waiting_tasks_and_long_held_ones(education, faculty, settings):
    settings.TASVIEH_DIGEST_HELD_DAYS = 3
    waiting = [ClearanceRequestFactory(faculty=faculty, serial=n) for n in (1, 2)]
    old, recent = (ClearanceRequestFactory(faculty=faculty, serial=n) for n in (3, 4))
    for req, days in ((old, 5), (recent, 2)):
        services.task_claim(task=open_task(req), user=education)
        age(open_task(req), days)

    assert send_digests() == "1 digest(s) queued.\n"

    digest = Delivery.objects.get()
    assert (digest.recipient, digest.channel, digest.kind) == (education, "email", "digest")
    assert (digest.to, digest.status) == ("education@example.ac.ir", "queued")
    assert digest.subject == "تسویه حساب: ۲ درخواست در کارتابل واحدهای شما منتظر است"
    assert "کارشناسان آموزش دانشکده: ۲" in digest.body
    assert "/office/" in digest.body
    assert "بیش از ۳ روز" in digest.body
    assert old.full_name in digest.body and f"/office/tasks/{open_task(old).pk}/" in digest.body
    assert recent.full_name not in digest.body  # held for 2 days only
    assert all(req.full_name not in digest.body for req in waiting)  # counted, not listed


@pytest.mark.django_db
def test_one_digest_a_day_and_none_without_anything_to_say(education, faculty, experts):
    nutrition = expert_for(experts, "nutrition", faculty)
    nutrition.email = "nutrition@example.ac.ir"  # nothing waits at nutrition
    nutrition.save(update_fields=["email"])
    ClearanceRequestFactory(faculty=faculty, serial=1)

    send_digests()
    assert send_digests() == "0 digest(s) queued.\n"

    assert list(Delivery.objects.values_list("recipient__username", flat=True)) == [
        education.username
    ]


@pytest.mark.django_db
def test_an_expert_who_turned_email_off_or_has_no_address_gets_none(education, faculty, experts):
    ClearanceRequestFactory(faculty=faculty, serial=1)
    services.notification_preference_set(user=education, sms=True, email=False)

    assert send_digests() == "0 digest(s) queued.\n"
    assert not Delivery.objects.exists()


@pytest.mark.django_db
def test_a_request_with_the_student_is_not_held_by_the_expert(education, faculty, settings):
    settings.TASVIEH_DIGEST_HELD_DAYS = 1
    returned = ClearanceRequestFactory(faculty=faculty, serial=1)
    services.task_claim(task=open_task(returned), user=education)
    services.request_return(task=open_task(returned), user=education, reason="ناقص")
    age(open_task(returned), 9)

    assert send_digests() == "0 digest(s) queued.\n"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_worker_mails_the_digest(education, faculty):
    ClearanceRequestFactory(faculty=faculty, serial=1)
    send_digests()

    run_worker()

    (email,) = mail.outbox
    assert email.to == ["education@example.ac.ir"]
    assert "منتظر است" in email.subject
    assert Delivery.objects.get().status == "sent"
