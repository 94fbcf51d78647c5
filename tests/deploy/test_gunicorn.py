"""The production stack serves the portal: gunicorn, the real settings, collected static files."""

import json
import re

import pytest
from axes.models import AccessLog
from django.contrib.sessions.models import Session
from django.utils import timezone

from clearance.demo import DEMO_PASSWORD
from tests.conftest import expert_for, open_task
from tests.deploy.conftest import HOST, ProxiedClient

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# Collected names carry a content hash only with a manifest storage; those may be cached for good.
HASHED = re.compile(r"\.[0-9a-f]{12}\.\w+$")


def max_age(header: str) -> int:
    found = re.search(r"max-age=(\d+)", header)
    return int(found.group(1)) if found else 0


def test_anonymous_pages_carry_the_production_safeguards(gunicorn):
    browser = ProxiedClient(gunicorn())

    page = browser.get("/login/")
    assert page.status == 200, page.text[:1000]
    assert max_age(page.header("Strict-Transport-Security")) > 0
    assert page.header("X-Frame-Options") == "DENY"
    assert page.header("X-Content-Type-Options") == "nosniff"
    assert page.header("Referrer-Policy") == "same-origin"
    assert "default-src 'self'" in page.header("Content-Security-Policy")
    csrf_cookie = page.set_cookie("csrftoken").lower()
    assert "; secure" in csrf_cookie and "samesite=lax" in csrf_cookie

    # Plain HTTP reaching the app (the proxy did not say "https") is sent to HTTPS.
    plain = browser.get("/login/", https=False)
    assert plain.status == 301
    assert plain.location == f"https://{HOST}/login/"

    # Every asset the page links is served by WhiteNoise from the collected files.
    assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', page.text)
    assert any(path.endswith(".css") for path in assets), assets
    assert any(path.endswith(".js") for path in assets), assets
    for path in assets:
        asset = browser.get(path, headers={"Accept-Encoding": "gzip"})
        assert asset.status == 200, path
        assert max_age(asset.header("Cache-Control")) >= (
            10 * 365 * 24 * 3600 if HASHED.search(path) else 60
        ), (path, asset.header("Cache-Control"))
        if path.endswith((".css", ".js")):
            assert asset.header("Content-Encoding") == "gzip", path  # compressed at collection
    assert browser.get("/static/css/no-such-file.css").status == 404

    missing = browser.get("/no-such-page/")
    assert missing.status == 404

    health = browser.get("/healthz")
    assert health.status == 200
    assert health.header("Content-Type").startswith("application/json")
    assert json.loads(health.content)["database"] == "ok"
    # The load balancer probes each app server by address, over plain HTTP.
    direct = browser.get("/healthz", https=False, headers={"Host": browser.netloc})
    assert direct.status == 200, direct.text[:500]


def test_student_and_expert_work_through_gunicorn(gunicorn, submitted, experts, faculty):
    base = gunicorn()

    student = ProxiedClient(base, ip="198.51.100.20")
    signed_in = student.sign_in(submitted.student.username, DEMO_PASSWORD)
    assert signed_in.status == 302, signed_in.text[:1000]
    session_cookie = signed_in.set_cookie("sessionid").lower()
    assert "; secure" in session_cookie and "; httponly" in session_cookie
    session = Session.objects.get(session_key=student.cookies["sessionid"])
    assert session.expire_date > timezone.now()
    # The sign-in is logged with the address the proxy saw, not the proxy's own.
    assert AccessLog.objects.filter(
        username=submitted.student.username, ip_address="198.51.100.20"
    ).exists()

    own = student.get(f"/requests/{submitted.pk}/")
    assert own.status == 200, own.text[:1000]
    assert submitted.full_name in own.text
    assert "Content-Security-Policy" in own.headers
    assert student.get("/office/").status == 404  # a student has no office queue

    expert = ProxiedClient(base, ip="198.51.100.30")
    officer = expert_for(experts, "education", faculty)
    assert expert.sign_in(officer.username, DEMO_PASSWORD).status == 302
    task = open_task(submitted)
    queue = expert.get("/office/")
    assert queue.status == 200, queue.text[:1000]
    assert f'href="/office/tasks/{task.pk}/"' in queue.text
    assert submitted.full_name in queue.text
    detail = expert.get(f"/office/tasks/{task.pk}/")
    assert detail.status == 200, detail.text[:1000]
    assert submitted.full_name in detail.text
    # Another faculty's expert cannot open it.
    other = next(u for name, u in experts.items() if name.startswith("education.") and u != officer)
    outsider = ProxiedClient(base)
    assert outsider.sign_in(other.username, DEMO_PASSWORD).status == 302
    assert outsider.get(f"/office/tasks/{task.pk}/").status == 404
