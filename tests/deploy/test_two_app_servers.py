"""Two gunicorn app servers behind one proxy share sessions, decisions and sign-in throttling."""

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from viewflow.workflow.status import STATUS

from accounts.models import Office, Role
from clearance import services
from clearance.demo import DEMO_PASSWORD, form_values, make_user
from clearance.models import ClearanceRequest, Event
from tests.conftest import expert_for, open_task
from tests.deploy.conftest import ProxiedClient, Response, at_once

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

REQUESTS = 5


@pytest.fixture
def servers(gunicorn) -> tuple[str, str]:
    return gunicorn(), gunicorn()


def signed_in(base: str, username: str, *, ip: str) -> ProxiedClient:
    browser = ProxiedClient(base, ip=ip)
    response = browser.sign_in(username, DEMO_PASSWORD)
    assert response.status == 302, response.text[:1000]
    return browser


def no_server_error(responses: list[Response]) -> None:
    assert all(r.status < 500 for r in responses), [(r.status, r.text[:500]) for r in responses]


def test_a_session_made_on_one_server_works_on_the_other(servers, submitted, experts, faculty):
    server_a, server_b = servers
    on_a = signed_in(server_a, expert_for(experts, "education", faculty).username, ip="192.0.2.1")
    on_b = on_a.on(server_b)

    queue = on_b.get("/office/")
    assert queue.status == 200, (queue.status, queue.location)
    assert f'href="/office/tasks/{open_task(submitted).pk}/"' in queue.text

    # Signing out on B ends the session A knows too: both read one session store.
    assert on_b.post("/logout/").status == 302
    again = on_a.get("/office/")
    assert again.status == 302 and again.location.startswith("/login/"), again.location


def test_claims_and_approvals_race_across_servers(servers, experts, faculty):
    server_a, server_b = servers
    requests = [
        services.request_submit(
            student=make_user(f"graduate{serial}"),
            data=form_values(serial=100 + serial, faculty=faculty),
        )
        for serial in range(REQUESTS)
    ]
    first = expert_for(experts, "education", faculty)
    second = make_user("education.medicine.2", first_name="کارشناس دوم")
    Role.objects.create(user=second, office=Office.objects.get(code="education"), faculty=faculty)
    ips = {first.pk: "192.0.2.11", second.pk: "192.0.2.12"}
    browsers = {
        first.pk: signed_in(server_a, first.username, ip=ips[first.pk]),
        second.pk: signed_in(server_b, second.username, ip=ips[second.pk]),
    }

    for clearance_request in requests:
        task = open_task(clearance_request)
        claim = f"/office/tasks/{task.pk}/claim/"
        claims = at_once(*[lambda b=b, path=claim: b.post(path) for b in browsers.values()])
        no_server_error(claims)
        assert [r.status for r in claims] == [302, 302]
        assert {r.location for r in claims} == {f"/office/tasks/{task.pk}/"}
        shown = [b.follow(r) for b, r in zip(browsers.values(), claims, strict=True)]
        assert [r.status for r in shown] == [200, 200]
        assert sorted(kind for r in shown for kind in r.alerts()) == ["error", "success"]
        task.refresh_from_db()
        assert task.owner_id in browsers and task.status == STATUS.ASSIGNED
        claimed = Event.objects.get(request=clearance_request, kind=Event.Kind.CLAIMED)
        assert claimed.actor_id == task.owner_id
        assert claimed.ip_address == ips[task.owner_id]  # the proxy's X-Forwarded-For

        # The owner approves through both servers at once, and the other expert tries too.
        owner = browsers[task.owner_id]
        loser = next(b for pk, b in browsers.items() if pk != task.owner_id)
        other_server = server_b if owner.base == server_a else server_a
        approve = f"/office/tasks/{task.pk}/approve/"
        attempts = [owner, owner.on(other_server), loser]
        approvals = at_once(
            *[lambda b=b, path=approve: b.post(path, {"note": "تایید"}) for b in attempts]
        )
        no_server_error(approvals)
        # The two refused stay on the task; the winner moves on to the next one (or the queue).
        locations = [r.location for r in approvals]
        assert locations.count(f"/office/tasks/{task.pk}/") == 2, locations
        assert all(location.startswith("/office/") for location in locations), locations
        shown = [b.follow(r) for b, r in zip(attempts, approvals, strict=True)]
        no_server_error(shown)
        assert sorted(kind for r in shown for kind in r.alerts()) == ["error", "error", "success"]

        assert (
            Event.objects.filter(request=clearance_request, kind=Event.Kind.APPROVED).count() == 1
        )
        clearance_request.refresh_from_db()
        assert clearance_request.status == ClearanceRequest.Status.IN_PROGRESS
        assert clearance_request.current_office.code == "student_affairs"
        assert clearance_request.process.task_set.filter(flow_task_type="HUMAN").count() == 2
    assert Event.objects.filter(kind=Event.Kind.APPROVED).count() == REQUESTS


def test_sign_in_throttling_counts_failures_on_every_server(servers, student):
    limit = settings.AXES_FAILURE_LIMIT
    ip = "192.0.2.50"  # one person behind the proxy, spread over both servers
    browsers = [ProxiedClient(base, ip=ip) for base in servers]

    for attempt in range(limit - 1):
        wrong = browsers[attempt % 2].sign_in(student.username, "not-the-password")
        assert wrong.status == 200, wrong.status  # the form again, with its error
        assert 'id="locked-out"' not in wrong.text
    last = browsers[(limit - 1) % 2].sign_in(student.username, "not-the-password")
    assert last.status == 429 and 'id="locked-out"' in last.text

    for browser in browsers:
        refused = browser.sign_in(student.username, DEMO_PASSWORD)
        assert refused.status == 429, refused.status
        assert 'id="locked-out"' in refused.text
        assert "sessionid" not in browser.cookies
        assert browser.get("/requests/").status == 302  # still signed out
    attempt_row = AccessAttempt.objects.get(username=student.username, ip_address=ip)
    assert attempt_row.failures_since_start >= limit

    # Another address is not locked out (throttling is per username and address).
    elsewhere = ProxiedClient(servers[0], ip="192.0.2.99").sign_in(student.username, DEMO_PASSWORD)
    assert elsewhere.status == 302, elsewhere.status
