"""Figures for administrators: where requests wait now, what each office decided over a
date range, which requests are overdue — for one faculty or all.

The cost follows the open work and the length of the range, never the whole history:
"now" reads the open requests through one partial index; a date range adds up the
``DailyCount`` rows of its past days (counted once, the first time a report needs them:
history events never change) and the history itself only for today.
"""

import csv
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.conf import settings
from django.db import transaction
from django.db.models import Count, DateField, Max, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, TruncDate
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Faculty, Office
from accounts.offices import offices
from clearance.models import ClearanceRequest, DailyCount, Event
from persian.fields import JalaliDateField
from persian.text import format_jalali, local_digits

OPEN = ClearanceRequest.OPEN_STATUSES
LONGEST_RANGE = dt.timedelta(days=3 * 366)
OVERDUE_LISTED = 5  # oldest overdue requests listed per office


class ReportFilterForm(forms.Form):
    """One faculty (or all) and a Jalali date range, the last 30 days unless chosen."""

    faculty = forms.ChoiceField(label=_("Faculty"), required=False)
    start = JalaliDateField(label=_("From"), required=False)
    end = JalaliDateField(label=_("To"), required=False)

    def __init__(self, *args: Any, faculties: list[Faculty], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Chosen among the faculties the page already read: no query of its own.
        self.faculties = {f.code: f for f in faculties}
        choices = [("", _("All faculties")), *((f.code, str(f)) for f in faculties)]
        self.fields["faculty"].choices = choices  # type: ignore[attr-defined]

    def clean_faculty(self) -> Faculty | None:
        return self.faculties.get(self.cleaned_data["faculty"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        today = timezone.localdate()
        end = data.get("end") or today
        start = data.get("start") or end - dt.timedelta(days=29)
        if start > end:
            raise forms.ValidationError(_("The start of the range is after its end."))
        if end - start > LONGEST_RANGE:
            raise forms.ValidationError(_("Choose a range of at most three years."))
        data["start"], data["end"] = start, end
        return data


@dataclass
class OfficeRow:
    office: Office
    waiting: int = 0
    with_student: int = 0
    overdue: int = 0
    approved: int = 0
    returned: int = 0
    waited_seconds: int = 0
    oldest_overdue: list[ClearanceRequest] = field(default_factory=list)

    @property
    def average_wait_seconds(self) -> int | None:
        return self.waited_seconds // self.approved if self.approved else None


@dataclass
class Report:
    start: dt.date
    end: dt.date
    overdue_days: int
    offices: list[OfficeRow]
    totals: dict[str, int]  # submitted, cleared, cancelled in the range; *_now: open now
    days: list[tuple[dt.date, int, int]]  # (day, submitted, cleared) for the chart

    @property
    def overdue(self) -> int:
        return sum(row.overdue for row in self.offices)


def report(*, faculty: Faculty | None, start: dt.date, end: dt.date) -> Report:
    """Every figure of the reports page, in four queries (five when a day is counted)."""
    overdue_days = settings.TASVIEH_OVERDUE_DAYS
    rows = {office.pk: OfficeRow(office) for office in offices().values()}
    totals = {"submitted": 0, "cleared": 0, "cancelled": 0, "in_progress_now": 0, "returned_now": 0}
    for office_id, status, n, overdue in _open_now(faculty, overdue_days):
        totals[f"{status}_now"] += n
        row = rows.get(office_id)
        if row is None:
            continue
        if status == ClearanceRequest.Status.RETURNED:
            row.with_student += n
        else:
            row.waiting += n
            row.overdue += overdue
    for req in _oldest_overdue(faculty, overdue_days):
        if req.current_office_id in rows:
            rows[req.current_office_id].oldest_overdue.append(req)
    per_day: dict[dt.date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for day, office_id, kind, events, waited in _counts(faculty, start, end):
        per_day[day][kind] += events
        if kind in totals:
            totals[kind] += events
        row = rows.get(office_id)
        if row is not None and kind == Event.Kind.APPROVED:
            row.approved += events
            row.waited_seconds += waited or 0
        elif row is not None and kind == Event.Kind.RETURNED:
            row.returned += events
    days = []
    day = start
    while day <= end:
        days.append((day, per_day[day]["submitted"], per_day[day]["cleared"]))
        day += dt.timedelta(days=1)
    return Report(start, end, overdue_days, list(rows.values()), totals, days)


def _open_requests(faculty: Faculty | None) -> QuerySet[ClearanceRequest]:
    requests = ClearanceRequest.objects.filter(status__in=OPEN)
    return requests.filter(faculty=faculty) if faculty is not None else requests


def _open_now(faculty: Faculty | None, overdue_days: int) -> QuerySet[Any]:
    """Open requests per office and status, and how many of them wait longer than allowed."""
    threshold = timezone.now() - dt.timedelta(days=overdue_days)
    return (
        _open_requests(faculty)
        .order_by()
        .values_list("current_office_id", "status")
        .annotate(
            n=Count("*"), overdue=Count("waiting_since", filter=Q(waiting_since__lt=threshold))
        )
    )


def _oldest_overdue(faculty: Faculty | None, overdue_days: int) -> list[ClearanceRequest]:
    """The longest-waiting requests past the limit, a few per office: one short index range
    per office, all in one query."""
    threshold = timezone.now() - dt.timedelta(days=overdue_days)
    overdue = _open_requests(faculty).filter(
        status=ClearanceRequest.Status.IN_PROGRESS, waiting_since__lt=threshold
    )
    parts = [
        overdue.filter(current_office=office)
        .select_related("faculty")
        .order_by("waiting_since")[:OVERDUE_LISTED]
        for office in offices().values()
    ]
    if not parts:
        return []
    return list(parts[0].union(*parts[1:], all=True))


def _counts(faculty: Faculty | None, start: dt.date, end: dt.date) -> list[tuple[Any, ...]]:
    """(day, office, kind, events, waited seconds) over the range: counted days, plus
    today's events read from the history."""
    today = timezone.localdate()
    daily_counts_fill(until=min(end, today - dt.timedelta(days=1)))
    # Rows without a faculty hold all faculties together: a range reads as many rows
    # whether it shows one faculty or all.
    counted = DailyCount.objects.filter(day__gte=start, day__lte=end, faculty=faculty)
    rows = counted.values_list("day", "office_id", "kind").annotate(
        n=Sum("events"), waited=Sum("waited_seconds")
    )
    if start <= today <= end:
        rows = rows.union(
            _tally(_events_since(_local_midnight(today)), faculty).values_list(
                Value(today, output_field=DateField()), "office_id", "kind", "n", "waited"
            ),
            all=True,
        )
    return list(rows.order_by())


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def _events_since(moment: dt.datetime) -> QuerySet[Event]:
    return Event.objects.filter(created__gte=moment, kind__in=DailyCount.KINDS)


def _tally(events: QuerySet[Event], faculty: Faculty | None) -> QuerySet[Any]:
    if faculty is not None:
        events = events.filter(request__faculty=faculty)
    return (
        events.order_by()
        .values("office_id", "kind")
        .annotate(n=Count("*"), waited=Coalesce(Sum("waited_seconds"), 0))
    )


def daily_counts_fill(*, until: dt.date) -> int:
    """Count every day up to ``until`` that is not counted yet; return the rows written.

    Runs when a report first needs a day (at most once a day in use); otherwise it costs one
    query. Every counted day has its all-faculties "submitted" row, zero or not, so the last
    counted day is the latest row's. Two reports at once write the same rows; the unique
    constraint keeps one.
    """
    last = DailyCount.objects.aggregate(last=Max("day"))["last"]
    if last is not None:
        first = last + dt.timedelta(days=1)
    else:
        oldest = Event.objects.order_by("created").values_list("created", flat=True).first()
        first = timezone.localdate(oldest or timezone.now())
    if first > until:
        return 0
    with transaction.atomic():
        counts = _count_days(first, until)
        DailyCount.objects.bulk_create(counts, batch_size=5000, ignore_conflicts=True)
    return len(counts)


def _count_days(first: dt.date, until: dt.date) -> list[DailyCount]:
    """One row per day, faculty, office and kind, and the same for all faculties together."""
    events = Event.objects.filter(
        created__gte=_local_midnight(first),
        created__lt=_local_midnight(until + dt.timedelta(days=1)),
        kind__in=DailyCount.KINDS,
    )
    rows = (
        events.order_by()
        .annotate(day=TruncDate("created", tzinfo=timezone.get_current_timezone()))
        .values("day", "request__faculty_id", "office_id", "kind")
        .annotate(n=Count("*"), waited=Coalesce(Sum("waited_seconds"), 0))
    )
    every_faculty: dict[tuple[Any, ...], list[int]] = defaultdict(lambda: [0, 0])
    day = first
    while day <= until:  # the marker of a counted day
        every_faculty[day, None, Event.Kind.SUBMITTED] = [0, 0]
        day += dt.timedelta(days=1)
    counts = []
    for row in rows:
        total = every_faculty[row["day"], row["office_id"], row["kind"]]
        total[0] += row["n"]
        total[1] += row["waited"]
        counts.append(
            DailyCount(
                day=row["day"],
                faculty_id=row["request__faculty_id"],
                office_id=row["office_id"],
                kind=row["kind"],
                events=row["n"],
                waited_seconds=row["waited"],
            )
        )
    for (day, office_id, kind), (n, waited) in every_faculty.items():
        counts.append(
            DailyCount(day=day, office_id=office_id, kind=kind, events=n, waited_seconds=waited)
        )
    return counts


def daily_counts_rebuild() -> int:
    """Count every past day afresh (after a bulk load of history, e.g. the benchmark's)."""
    DailyCount.objects.all().delete()
    return daily_counts_fill(until=timezone.localdate() - dt.timedelta(days=1))


# --- what the page draws and exports -----------------------------------------------------

LONG_RANGE_DAYS = 92  # longer ranges are drawn per Jalali month


def series(figures: Report) -> list[tuple[str, int, int]]:
    """(Jalali day or month, submitted, cleared) for the chart and the export."""
    monthly = (figures.end - figures.start).days > LONG_RANGE_DAYS
    points: dict[str, list[int]] = {}
    for day, submitted, cleared in figures.days:
        label = format_jalali(day)[: 7 if monthly else 10]
        point = points.setdefault(label, [0, 0])
        point[0] += submitted
        point[1] += cleared
    return [(label, s, c) for label, (s, c) in points.items()]


def chart_data(figures: Report) -> dict[str, Any]:
    """The numbers behind the page's two charts (json_script; the page's script draws them)."""
    points = series(figures)
    return {
        "offices": [str(row.office) for row in figures.offices],
        "waiting": [row.waiting - row.overdue for row in figures.offices],
        "overdue": [row.overdue for row in figures.offices],
        "with_student": [row.with_student for row in figures.offices],
        "days": [local_digits(label) for label, _, _ in points],
        "submitted": [s for _, s, _ in points],
        "cleared": [c for _, _, c in points],
        "labels": {
            "waiting": str(_("Waiting (in time)")),
            "overdue": str(
                _("Overdue (over %(days)s days)") % {"days": local_digits(figures.overdue_days)}
            ),
            "with_student": str(_("With the student")),
            "submitted": str(_("Submitted")),
            "cleared": str(_("Cleared")),
        },
    }


def report_csv(figures: Report, *, faculty: Faculty | None) -> HttpResponse:
    """The page's figures as CSV for Excel (UTF-8 with BOM, Jalali dates)."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="tasvieh-reports.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(
        [
            _("Faculty"),
            str(faculty) if faculty else _("All faculties"),
            _("From"),
            format_jalali(figures.start),
            _("To"),
            format_jalali(figures.end),
        ]
    )
    writer.writerow(
        [
            _("Office"),
            _("Waiting now"),
            _("With the student"),
            _("Overdue (over %(days)s days)") % {"days": figures.overdue_days},
            _("Approved"),
            _("Returned"),
            _("Average time to approve (hours)"),
        ]
    )
    for row in figures.offices:
        average = row.average_wait_seconds
        writer.writerow(
            [
                row.office,
                row.waiting,
                row.with_student,
                row.overdue,
                row.approved,
                row.returned,
                "" if average is None else round(average / 3600, 1),
            ]
        )
    writer.writerow([])
    writer.writerow([_("Date"), _("Submitted"), _("Cleared")])
    for label, submitted, cleared in series(figures):
        writer.writerow([label, submitted, cleared])
    return response
