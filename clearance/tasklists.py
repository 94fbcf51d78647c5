"""What the office lists show beside each task: the student's resubmission or the expert's
own decision, and what approving the selected tasks at once would record."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from viewflow.workflow.models import Task

from accounts import tables
from accounts.models import Office, User
from clearance.access import REQUEST_ROW_RELATED, officer_offices
from clearance.decisions import bulk_approvable
from clearance.flows import office_steps
from clearance.models import Event


def with_events(tasks: Iterable[Task], kind: Event.Kind) -> list[tuple[Task, Event | None]]:
    """Each task of a page with the latest event of ``kind`` recorded on it, if any.

    One query for the whole page, found through the requests' own history (the request's
    index), never one per row; the tasks come with their requests (``_task_rows``), and the
    requests' type, faculty and office from the tables' copies.
    """
    tasks = list(tasks)
    if not tasks:
        return []
    for task in tasks:
        tables.attach(task.process.clearance_request, *REQUEST_ROW_RELATED)
    events = Event.objects.filter(
        request_id__in={task.process.clearance_request.pk for task in tasks},
        task_id__in=[task.pk for task in tasks],
        kind=kind,
    ).order_by("created", "pk")
    latest = {event.task_id: event for event in events}
    return [(task, latest.get(task.pk)) for task in tasks]


class Pages(Paginator):
    """The pages of an office list; every row is counted (see CappedPaginator).

    A page holds its full share of rows whatever the count says: the queue takes its count
    from the menu's, which may be a few seconds old (clearance.waiting), and Django's own
    paginator would cut the rows at that number. So only the total and the number of pages
    may lag, never the rows.
    """

    @property
    def capped(self) -> bool:
        return False

    def page(self, number: Any) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        return Page(self.object_list[bottom : bottom + self.per_page], number, self)


class CappedPaginator(Pages):
    """Pages of a list that only grows (what an expert handled), counting at most ``cap``
    rows: the page costs the same after ten years. Past the cap the list says «۱۰۰۰+» and
    the search and the CSV export reach the older rows."""

    def __init__(self, object_list: QuerySet[Any], per_page: int, *, cap: int) -> None:
        super().__init__(object_list, per_page)
        self.rows, self.cap = object_list, cap

    @cached_property
    def count(self) -> int:
        return self.rows.values("pk")[: self.cap + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > self.cap


def _names(offices: list[Office]) -> str:
    return "، ".join(str(office) for office in offices)


@dataclass(frozen=True)
class BulkApproval:
    """What «approve selected» does for the offices a list shows."""

    offices: list[Office]  # the offices whose tasks may be approved together
    with_debt: list[Office]  # of those, the money offices: each records a debt of 0
    one_at_a_time: list[Office]  # the offices that decide each request on its own

    @property
    def label(self) -> str:
        if self.with_debt and len(self.with_debt) == len(self.offices):
            return _("Approve selected (no debt)")
        return _("Approve selected")

    @property
    def help_text(self) -> str:
        sentences = []
        if self.offices:
            sentences.append(_("Each selected request is claimed and approved on its own."))
        if self.with_debt and len(self.with_debt) == len(self.offices):
            sentences.append(_("Each is recorded with no debt (a debt of 0)."))
        elif self.with_debt:
            sentences.append(
                _("At %(offices)s each is recorded with no debt (a debt of 0).")
                % {"offices": _names(self.with_debt)}
            )
        if self.one_at_a_time:
            sentences.append(
                _("At %(offices)s each request is decided on its own page.")
                % {"offices": _names(self.one_at_a_time)}
            )
        return " ".join(sentences)


def bulk_approval(user: User, *, office_code: str = "") -> BulkApproval:
    """What bulk approval records for the expert's offices (or the one the list is filtered
    to): a debt of 0 only where the office records debts."""
    decisions = {node.office_code: node.decision for node in office_steps()}
    offices = officer_offices(user)
    if any(office.code == office_code for office in offices):
        offices = [office for office in offices if office.code == office_code]
    together = [o for o in offices if bulk_approvable(decisions[o.code], o)]
    return BulkApproval(
        offices=together,
        with_debt=[o for o in together if o.records_debt],
        one_at_a_time=[o for o in offices if o not in together],
    )
