"""The student is e-mailed (in Persian) when a request is returned, messaged or cleared.

Messages are queued in the action's transaction and delivered by a real worker run
(``manage.py db_worker --batch``); these tests commit, so the worker sees what a second
process would.
"""

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from clearance import services
from tests.conftest import expert_for, login, open_task
from tests.factories import ExpertFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def run_worker() -> None:
    """Deliver everything queued, as the background worker does, then stop."""
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)


def test_return_message_and_clearance_are_mailed_by_the_worker(
    submitted, student, experts, faculty
):
    student.email = "sara@student.example.ac.ir"
    student.save(update_fields=["email"])
    expert = expert_for(experts, "education", faculty)
    client = login(Client(), expert)
    task = open_task(submitted)
    client.post(reverse("task_claim", args=[task.pk]))
    client.post(reverse("task_comment", args=[task.pk]), {"body": "یادداشت", "internal": "on"})
    run_worker()
    assert mail.outbox == []  # internal notes never reach the student

    client.post(reverse("task_return", args=[task.pk]), {"reason": "کارنامه ناقص است"})
    assert mail.outbox == []  # nothing is sent inside the web request
    assert DBTaskResult.objects.filter(status="READY").count() == 1
    run_worker()

    (returned,) = mail.outbox
    assert returned.to == [student.email]
    assert "کارنامه ناقص است" in returned.body
    assert f"/requests/{submitted.pk}/" in returned.body
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"

    client.post(reverse("task_comment", args=[task.pk]), {"body": "منتظر پاسخ هستیم"})
    run_worker()
    assert len(mail.outbox) == 2


def test_failed_action_queues_nothing(submitted, student, experts, faculty):
    student.email = "sara@student.example.ac.ir"
    student.save(update_fields=["email"])
    expert = expert_for(experts, "education", faculty)
    task = open_task(submitted)
    services.task_claim(task=task, user=ExpertFactory(office="education", faculty=faculty))

    with pytest.raises(services.ActionRefused):  # a colleague holds the task
        services.request_return(task=task, user=expert, reason="کار همکار")

    assert not DBTaskResult.objects.exists()
    run_worker()
    assert mail.outbox == []


def test_a_failing_mail_server_fails_the_delivery_with_its_error_not_the_page(
    submitted, student, experts, faculty, settings
):
    student.email = "sara@student.example.ac.ir"
    student.save(update_fields=["email"])
    # A real SMTP client against a port where nothing listens.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    expert = expert_for(experts, "education", faculty)
    client = login(Client(), expert)
    task = open_task(submitted)
    client.post(reverse("task_claim", args=[task.pk]))

    response = client.post(reverse("task_return", args=[task.pk]), {"reason": "ناقص"})
    assert response.status_code == 302
    run_worker()

    delivery = DBTaskResult.objects.get()
    assert delivery.status == "FAILED"
    assert "ConnectionRefusedError" in delivery.traceback
