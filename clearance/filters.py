"""The office lists' filters: faculty, office, request type, search and waiting time.

A value that does not parse (``?age=²``, a 25-digit age, a NUL) is ignored, as if not
given: the form field refuses it and django-filter leaves it out.
"""

import datetime as dt

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django_filters.constants import EMPTY_VALUES
from viewflow.workflow.models import Task

from clearance.access import with_requests
from clearance.flows import ClearanceFlow
from clearance.models import ClearanceRequest
from persian.text import ascii_digits, normalize_text


class DaysFilter(django_filters.NumberFilter):
    """A whole number of days (NumberFilter alone would take decimals)."""

    field_class = forms.IntegerField


class TaskFilter(django_filters.FilterSet):
    faculty = django_filters.CharFilter(method="filter_faculty", max_length=40)
    office = django_filters.CharFilter(method="filter_office", max_length=40)
    type = django_filters.CharFilter(method="filter_type", max_length=40)
    q = django_filters.CharFilter(method="filter_search", max_length=200)
    # Waiting at least this many days (up to ten years).
    age = DaysFilter(method="filter_age", min_value=0, max_value=3650)

    class Meta:
        model = Task
        fields: list[str] = []

    # The request's fields are matched on the request table alone (a semi-join), never
    # through the process table: see access.with_requests.
    def filter_faculty(self, tasks: QuerySet[Task], name: str, value: str) -> QuerySet[Task]:
        return with_requests(tasks, ClearanceRequest.objects.filter(faculty__code=value))

    def filter_type(self, tasks: QuerySet[Task], name: str, value: str) -> QuerySet[Task]:
        return with_requests(tasks, ClearanceRequest.objects.filter(request_type__code=value))

    def filter_office(self, tasks: QuerySet[Task], name: str, value: str) -> QuerySet[Task]:
        node = ClearanceFlow.instance.node(value, no_obsolete=True)
        return tasks.filter(flow_task=node) if node is not None else tasks

    def count_from_offices(self, counts: dict[str, int]) -> int | None:
        """The list's length from per-office counts of it, when no filter but the office
        applies (None otherwise: the list must be counted)."""
        self.errors  # noqa: B018  (validates; like ``qs``, the values that parse are used)
        data = self.form.cleaned_data
        if any(data.get(name) not in EMPTY_VALUES for name in ("faculty", "type", "q", "age")):
            return None
        office = data.get("office")
        node = ClearanceFlow.instance.node(office, no_obsolete=True) if office else None
        return counts.get(node.name, 0) if node is not None else sum(counts.values())

    def filter_search(self, tasks: QuerySet[Task], name: str, value: str) -> QuerySet[Task]:
        text = normalize_text(ascii_digits(value))
        matching = ClearanceRequest.objects.filter(
            Q(student_number=text) | Q(national_code=text) | Q(full_name__icontains=text)
        )
        return with_requests(tasks, matching)

    def filter_age(self, tasks: QuerySet[Task], name: str, value: int) -> QuerySet[Task]:
        return tasks.filter(created__lte=timezone.now() - dt.timedelta(days=int(value)))
