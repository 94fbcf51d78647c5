"""The office lists' filters: faculty, office, request type, search and waiting time.

A value that does not parse (``?age=²``, a 25-digit age, a NUL) is ignored, as if not
given: the form field refuses it and django-filter leaves it out.
"""

import datetime as dt

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from viewflow.workflow.models import Task

from clearance.flows import ClearanceFlow
from persian.text import ascii_digits, normalize_text

REQUEST = "process__clearance_request__"


class DaysFilter(django_filters.NumberFilter):
    """A whole number of days (NumberFilter alone would take decimals)."""

    field_class = forms.IntegerField


class TaskFilter(django_filters.FilterSet):
    faculty = django_filters.CharFilter(field_name=f"{REQUEST}faculty__code", max_length=40)
    office = django_filters.CharFilter(method="filter_office", max_length=40)
    type = django_filters.CharFilter(field_name=f"{REQUEST}request_type__code", max_length=40)
    q = django_filters.CharFilter(method="filter_search", max_length=200)
    # Waiting at least this many days (up to ten years).
    age = DaysFilter(method="filter_age", min_value=0, max_value=3650)

    class Meta:
        model = Task
        fields: list[str] = []

    def filter_office(self, tasks: QuerySet[Task], name: str, value: str) -> QuerySet[Task]:
        node = ClearanceFlow.instance.node(value, no_obsolete=True)
        return tasks.filter(flow_task=node) if node is not None else tasks

    def filter_search(self, tasks: QuerySet[Task], name: str, value: str) -> QuerySet[Task]:
        text = normalize_text(ascii_digits(value))
        return tasks.filter(
            Q(**{f"{REQUEST}student_number": text})
            | Q(**{f"{REQUEST}national_code": text})
            | Q(**{f"{REQUEST}full_name__icontains": text})
        )

    def filter_age(self, tasks: QuerySet[Task], name: str, value: int) -> QuerySet[Task]:
        return tasks.filter(created__lte=timezone.now() - dt.timedelta(days=int(value)))
