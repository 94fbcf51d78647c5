"""Administrators see where requests wait, what offices decided and what is overdue —
for one faculty or all, over a Jalali date range — drawn and exported; nobody else does."""

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from clearance import services
from clearance.demo import form_values, make_user
from clearance.models import ClearanceRequest, DailyCount, Event
from clearance.reports import daily_counts_fill
from persian.text import format_jalali
from tests.conftest import act, expert_for, login, open_task, queries


@pytest.fixture
def admin_client(db) -> Client:
    return login(Client(), make_user("head", is_staff=True))


def submit(n: int, faculty) -> ClearanceRequest:
    return services.request_submit(
        student=make_user(f"r{n}"), data=form_values(serial=n, faculty=faculty)
    )


def rows_of(response) -> dict:
    return {row.office.code: row for row in response.context["report"].offices}


def backdate(req: ClearanceRequest, days: int) -> None:
    """Move a request's whole history into the past, as if it had happened then.

    History rows refuse every update through the ORM, so this is plain SQL: the test plays
    the calendar, not an action.
    """
    moment = timezone.now() - dt.timedelta(days=days)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE clearance_event SET created = %s WHERE request_id = %s", [moment, req.pk]
        )
        cursor.execute(
            "UPDATE clearance_clearancerequest SET waiting_since = %s, created = %s WHERE id = %s",
            [moment, moment, req.pk],
        )


def test_figures_follow_the_requests(admin_client, experts, faculty):
    reqs = [submit(n, faculty) for n in range(1, 4)]
    act(expert_for(experts, "education", faculty), reqs[0], dormitory=False)
    expert = expert_for(experts, "education", faculty)
    services.task_claim(task=open_task(reqs[1]), user=expert)
    services.request_return(task=open_task(reqs[1]), user=expert, reason="ناقص")
    services.request_cancel(clearance_request=reqs[2], student=reqs[2].student)
    response = admin_client.get(reverse("reports"))
    assert response.status_code == 200
    rows = rows_of(response)
    assert (rows["education"].waiting, rows["education"].with_student) == (0, 1)
    assert (rows["education"].approved, rows["education"].returned) == (1, 1)
    assert rows["education"].average_wait_seconds is not None
    assert rows["student_affairs"].waiting == 1
    assert rows["council"].approved == 0 and rows["council"].average_wait_seconds is None
    totals = response.context["report"].totals
    assert (totals["submitted"], totals["cancelled"], totals["cleared"]) == (3, 1, 0)
    assert (totals["in_progress_now"], totals["returned_now"]) == (1, 1)
    # The charts get the same numbers as the table.
    chart = response.context["chart"]
    assert chart["with_student"][0] == 1 and sum(chart["submitted"]) == 3


def test_past_days_are_counted_once_and_agree_with_the_history(admin_client, experts, faculty):
    old = submit(1, faculty)
    act(expert_for(experts, "education", faculty), old, dormitory=False)
    backdate(old, days=3)
    submit(2, faculty)  # today: read from the history itself
    url = (
        reverse("reports") + "?start=" + format_jalali(timezone.localdate() - dt.timedelta(days=10))
    )
    first = admin_client.get(url)
    day = timezone.localdate() - dt.timedelta(days=3)
    assert DailyCount.objects.filter(day=day, kind="approved", faculty=None).get().events == 1
    assert DailyCount.objects.filter(day=day, kind="submitted", faculty=faculty).get().events == 1
    assert first.context["report"].totals["submitted"] == 2
    assert rows_of(first)["education"].approved == 1
    counted = DailyCount.objects.count()
    again = queries(admin_client, url)
    assert DailyCount.objects.count() == counted
    assert daily_counts_fill(until=timezone.localdate() - dt.timedelta(days=1)) == 0
    assert again <= 12
    # A range that leaves the day out does not count it.
    since_yesterday = admin_client.get(
        reverse("reports") + "?start=" + format_jalali(timezone.localdate() - dt.timedelta(days=1))
    )
    assert since_yesterday.context["report"].totals["submitted"] == 1


def test_one_faculty_at_a_time(admin_client, experts, faculty, other_faculty):
    submit(1, faculty)
    submit(2, other_faculty)
    submit(3, other_faculty)
    both = admin_client.get(reverse("reports")).context["report"]
    mine = admin_client.get(reverse("reports"), {"faculty": faculty.code}).context["report"]
    theirs = admin_client.get(reverse("reports"), {"faculty": other_faculty.code}).context["report"]
    assert (both.totals["submitted"], mine.totals["submitted"], theirs.totals["submitted"]) == (
        3,
        1,
        2,
    )
    assert [r.waiting for r in mine.offices if r.office.code == "education"] == [1]


def test_overdue_requests_are_listed_per_office(admin_client, experts, faculty, settings):
    settings.TASVIEH_OVERDUE_DAYS = 7
    late, fresh = submit(1, faculty), submit(2, faculty)
    backdate(late, days=9)
    response = admin_client.get(reverse("reports"))
    row = rows_of(response)["education"]
    assert (row.waiting, row.overdue) == (2, 1)
    assert [r.pk for r in row.oldest_overdue] == [late.pk]
    html = response.content.decode()
    overdue = html.split('id="overdue"')[1]
    assert late.full_name in overdue and fresh.full_name not in overdue.split("</section>")[0]
    # A returned request is with the student, not overdue at the office.
    expert = expert_for(experts, "education", faculty)
    services.task_claim(task=open_task(late), user=expert)
    services.request_return(task=open_task(late), user=expert, reason="ناقص")
    assert rows_of(admin_client.get(reverse("reports")))["education"].overdue == 0


def test_a_wrong_range_says_why_and_shows_the_last_30_days(admin_client, faculty):
    submit(1, faculty)
    response = admin_client.get(reverse("reports"), {"start": "1405/09/10", "end": "1405/09/01"})
    assert response.status_code == 200
    assert "بعد از پایان" in response.content.decode()
    assert response.context["report"].totals["submitted"] == 1
    too_long = admin_client.get(reverse("reports"), {"start": "1390/01/01", "end": "1405/01/01"})
    assert "سه سال" in too_long.content.decode()
    odd = admin_client.get(reverse("reports"), {"faculty": "nowhere", "start": "۱۴۰۵/۱۳/۴۰"})
    assert odd.status_code == 200


def test_the_figures_export_as_csv(admin_client, experts, faculty):
    req = submit(1, faculty)
    act(expert_for(experts, "education", faculty), req, dormitory=False)
    response = admin_client.get(reverse("reports"), {"faculty": faculty.code, "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][1] == str(faculty)
    offices = {r[0]: r for r in rows[2:13]}
    assert offices["کارشناسان آموزش دانشکده"][4] == "1"  # approved
    days = rows[rows.index([]) + 2 :]
    assert days[-1] == [format_jalali(timezone.localdate()), "1", "0"]


def test_the_page_draws_with_local_chart_js(admin_client):
    html = admin_client.get(reverse("reports")).content.decode()
    assert "/static/vendor/chart.js/dist/chart.umd.min.js" in html
    assert 'id="report-data"' in html and "/static/js/reports.js" in html
    assert "cdn" not in html.lower()


def test_reports_are_for_administrators_only(student_client, experts, faculty):
    assert student_client.get(reverse("reports")).status_code == 404
    expert = login(Client(), expert_for(experts, "education", faculty))
    assert expert.get(reverse("reports")).status_code == 404


@pytest.mark.parametrize("params", [{}, {"faculty": "medicine", "start": "1404/01/01"}])
def test_reports_cost_fixed_queries(admin_client, faculty, experts, params):
    few = queries(
        admin_client, reverse("reports") + "?" + "&".join(f"{k}={v}" for k, v in params.items())
    )
    for n in range(1, 6):
        act(expert_for(experts, "education", faculty), submit(n, faculty), dormitory=False)
    url = reverse("reports") + "?" + "&".join(f"{k}={v}" for k, v in params.items())
    assert queries(admin_client, url) == few
    assert few <= 12
    assert Event.objects.exists()
