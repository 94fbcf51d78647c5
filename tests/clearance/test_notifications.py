"""The student is e-mailed (in Persian) when a request is returned, messaged or cleared."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from clearance import services
from tests.clearance.test_flow import open_task
from tests.conftest import expert_for, login


def test_return_message_and_clearance_are_mailed(
    submitted, student, experts, faculty, django_capture_on_commit_callbacks
):
    student.email = "sara@student.example.ac.ir"
    student.save(update_fields=["email"])
    expert = expert_for(experts, "education", faculty)
    client = login(Client(), expert)
    task = open_task(submitted)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("task_claim", args=[task.pk]))
        client.post(reverse("task_comment", args=[task.pk]), {"body": "یادداشت", "internal": "on"})
    assert mail.outbox == []  # internal notes never reach the student
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("task_return", args=[task.pk]), {"reason": "کارنامه ناقص است"})
    (returned,) = mail.outbox
    assert returned.to == [student.email]
    assert "کارنامه ناقص است" in returned.body
    assert f"/requests/{submitted.pk}/" in returned.body
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("task_comment", args=[task.pk]), {"body": "منتظر پاسخ هستیم"})
    assert len(mail.outbox) == 2


def test_failed_action_sends_nothing(
    submitted, student, experts, faculty, django_capture_on_commit_callbacks
):
    student.email = "sara@student.example.ac.ir"
    student.save(update_fields=["email"])
    expert = expert_for(experts, "education", faculty)
    task = open_task(submitted)
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(services.ActionRefused),
    ):
        services.request_return(task=task, user=expert, reason="بدون برداشتن کار")
    assert mail.outbox == []
