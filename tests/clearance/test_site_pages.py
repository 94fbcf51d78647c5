"""Site-wide pages: the health probe, our own error pages and the security headers."""

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django.views.defaults import server_error
from django_tasks_db.models import DBTaskResult

from clearance.notifications.delivery import delivery_send
from tests.conftest import login

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_health_probe_reports_the_database_without_login_or_personal_data(client, submitted):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"
    body = json.loads(response.content)
    assert body == {"status": "ok", "database": "ok", "worker": "ok"}
    assert submitted.national_code not in response.content.decode()


@pytest.mark.django_db
def test_health_probe_says_the_worker_is_behind_but_keeps_the_server_in_rotation(client, settings):
    settings.TASVIEH_WORKER_STALE_SECONDS = 60
    result = delivery_send.enqueue(delivery_id=0)
    assert json.loads(client.get("/healthz").content)["worker"] == "ok"

    DBTaskResult.objects.filter(pk=result.id).update(
        enqueued_at=timezone.now() - dt.timedelta(minutes=5)
    )
    response = client.get("/healthz")

    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok", "database": "ok", "worker": "behind"}


@pytest.mark.django_db
def test_health_probe_answers_load_balancers_by_address_over_plain_http(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["tasvieh.example.ac.ir"]

    probe = client.get("/healthz", HTTP_HOST="10.0.0.7:8000")
    page = client.get(reverse("login"), HTTP_HOST="10.0.0.7:8000")

    assert probe.status_code == 200
    assert page.status_code == 400  # every other page still checks the host


def test_health_probe_says_503_when_the_database_is_down():
    script = (
        "import django, json; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/healthz');"
        "print(r.status_code, r.content.decode())"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "clearance.settings",
        "DATABASE_URL": "postgres://nobody@127.0.0.1:9/none?connect_timeout=2",
    }
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
        check=False, timeout=60,
    )  # fmt: skip

    status, body = result.stdout.strip().split(" ", 1)
    assert status == "503", result.stderr
    assert json.loads(body) == {
        "status": "unavailable",
        "database": "unavailable",
        "worker": "unknown",
    }


@pytest.mark.django_db
def test_every_page_carries_a_content_security_policy_without_inline_code(
    client, student, submitted
):
    login(client, student)
    for url in (
        reverse("login"),
        reverse("request_list"),
        reverse("request_detail", args=[submitted.pk]),
    ):
        response = client.get(url)
        policy = response["Content-Security-Policy"]
        assert "default-src 'self'" in policy
        assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy
        assert "frame-ancestors 'none'" in policy
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        html = response.content.decode()
        assert "<script>" not in html and "<style" not in html and " style=" not in html


@pytest.mark.django_db
def test_a_wrong_address_shows_our_persian_404_in_the_site_layout(client):
    response = client.get("/no/such/page/")

    assert response.status_code == 404
    html = response.content.decode()
    assert "صفحه پیدا نشد" in html
    assert 'dir="rtl"' in html and 'id="error-page"' in html
    assert f'href="{reverse("home")}"' in html
    assert "Django Material" not in html and "Page not found" not in html


@pytest.mark.django_db
def test_a_page_of_another_student_is_a_persian_404(client, other_student, submitted):
    login(client, other_student)

    response = client.get(reverse("request_detail", args=[submitted.pk]))

    assert response.status_code == 404
    assert "صفحه پیدا نشد" in response.content.decode()


@pytest.mark.django_db
def test_server_error_page_is_persian_and_needs_no_request_context():
    request = RequestFactory().get("/")

    response = server_error(request)

    assert response.status_code == 500
    html = response.content.decode()
    assert "مشکلی پیش آمد" in html and 'id="error-page"' in html


@pytest.mark.django_db
def test_an_expired_form_gets_our_csrf_page(student):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": student.username, "password": "x"})

    assert response.status_code == 403
    assert "فرم منقضی شده است" in response.content.decode()


@pytest.mark.django_db
def test_a_renamed_office_fails_the_start_up_checks():
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    from accounts.models import Office

    call_command("check")  # the seeded offices match the flow
    Office.objects.filter(code="nutrition").update(code="food")

    with pytest.raises(SystemCheckError) as failure:
        call_command("check")

    message = str(failure.value)
    assert "tasvieh.E001" in message and "'nutrition' has no Office row" in message
    assert "tasvieh.E002" in message and "Office 'food' has no step" in message
