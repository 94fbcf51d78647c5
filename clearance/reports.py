"""Figures for administrators: where requests wait and how long offices take."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Avg, Count, Q
from django.utils import timezone
from viewflow.workflow.models import Task

from accounts.models import Office
from clearance.models import ClearanceRequest, Event
from clearance.services import OPEN_TASK_STATUSES


@dataclass(frozen=True)
class OfficeFigures:
    office: Office
    waiting: int
    with_student: int
    approved_30d: int
    returned_30d: int
    average_wait_seconds: int | None


def status_counts() -> dict[str, int]:
    """How many requests are in each status."""
    counts = dict(ClearanceRequest.objects.order_by().values_list("status").annotate(n=Count("pk")))
    return {status: counts.get(status, 0) for status in ClearanceRequest.Status.values}


def office_figures(*, now: dt.datetime | None = None) -> list[OfficeFigures]:
    """Per office: open tasks now, decisions in the last 30 days, average time to approve."""
    since = (now or timezone.now()) - dt.timedelta(days=30)
    open_tasks = {
        node.name: (total, with_student)
        for node, total, with_student in Task.objects.filter(
            flow_task_type="HUMAN", status__in=OPEN_TASK_STATUSES
        )
        .order_by()
        .values_list("flow_task")
        .annotate(
            total=Count("pk"),
            with_student=Count(
                "pk",
                filter=Q(process__clearance_request__status=ClearanceRequest.Status.RETURNED),
            ),
        )
    }
    decisions: dict[int, dict[str, Any]] = {
        row["office"]: dict(row)
        for row in Event.objects.filter(created__gte=since, office__isnull=False)
        .order_by()
        .values("office")
        .annotate(
            approved=Count("pk", filter=Q(kind=Event.Kind.APPROVED)),
            returned=Count("pk", filter=Q(kind=Event.Kind.RETURNED)),
            average=Avg("waited_seconds", filter=Q(kind=Event.Kind.APPROVED)),
        )
    }
    figures = []
    for office in Office.objects.all():
        total, with_student = open_tasks.get(office.code, (0, 0))
        row = decisions.get(office.pk, {})
        average = row.get("average")
        figures.append(
            OfficeFigures(
                office=office,
                waiting=total - with_student,
                with_student=with_student,
                approved_30d=row.get("approved", 0),
                returned_30d=row.get("returned", 0),
                average_wait_seconds=int(average) if average is not None else None,
            )
        )
    return figures
