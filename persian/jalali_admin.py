"""The Django admin in the Jalali calendar: the dates of a model and filters by Jalali month."""

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

import jdatetime
from django import forms
from django.contrib import admin
from django.db import models
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from persian.fields import JalaliDateField
from persian.templatetags.persian import jdate
from persian.templatetags.persian import jdatetime as jdatetime_filter

_SUFFIX = "_jalali"


def _jalali_boundaries(today: dt.date) -> tuple[dt.date, dt.date, dt.date, dt.date]:
    """The first days of this and next Jalali month, and of this and next Jalali year."""
    j = jdatetime.date.fromgregorian(date=today)
    month = j.replace(day=1)
    next_month = (month + jdatetime.timedelta(days=32)).replace(day=1)
    year = j.replace(month=1, day=1)
    next_year = jdatetime.date(j.year + 1, 1, 1)
    return (
        month.togregorian(),
        next_month.togregorian(),
        year.togregorian(),
        next_year.togregorian(),
    )


class JalaliDateFilter(admin.DateFieldListFilter):
    """Django's date filter, with "this month" and "this year" in the Jalali calendar."""

    def __init__(self, field, request, params, model, model_admin, field_path):  # type: ignore[no-untyped-def]
        super().__init__(field, request, params, model, model_admin, field_path)
        now = timezone.localtime()
        month, next_month, year, next_year = _jalali_boundaries(now.date())

        def at(day: dt.date) -> dt.date | dt.datetime:
            if isinstance(field, models.DateTimeField):
                return now.replace(
                    year=day.year, month=day.month, day=day.day, hour=0, minute=0, second=0
                ).replace(microsecond=0)
            return day

        jalali = {
            str(_("This month")): (month, next_month),
            str(_("This year")): (year, next_year),
        }
        links = []
        for title, lookup in self.links:
            if str(title) in jalali:
                since, until = jalali[str(title)]
                lookup = {self.lookup_kwarg_since: at(since), self.lookup_kwarg_until: at(until)}
            links.append((title, lookup))
        self.links = tuple(links)


def _column(field: models.Field, empty: str) -> Callable[[Any], str]:
    show = jdatetime_filter if isinstance(field, models.DateTimeField) else jdate

    @admin.display(description=field.verbose_name, ordering=field.name)
    def column(obj: Any) -> str:
        value = getattr(obj, field.name)
        return show(value) if value is not None else empty

    return column


class JalaliDatesAdmin(admin.ModelAdmin):
    """Show every date and time of the model in the Jalali calendar, in lists and on pages.

    A date field ``created`` is shown through a read-only ``created_jalali`` column wherever
    the admin would show the field read-only (list columns, read-only fields, view-only
    pages); date filters and date_hierarchy become Jalali month/year filters; an editable
    date is typed as a Jalali date.
    """

    date_hierarchy = None
    # An editable date is typed in the Jalali calendar, in any digits (a DateTimeField keeps
    # Django's default: it comes first in its own class hierarchy).
    formfield_overrides = {
        models.DateField: {"form_class": JalaliDateField, "widget": forms.TextInput},
    }

    def __init__(self, model: type[models.Model], admin_site: admin.AdminSite) -> None:
        super().__init__(model, admin_site)
        self.jalali_names = {
            f.name: f.name + _SUFFIX
            for f in model._meta.get_fields()
            if isinstance(f, models.DateField) and f.concrete
        }
        for name, shown in self.jalali_names.items():
            field = model._meta.get_field(name)
            assert isinstance(field, models.Field)
            setattr(self, shown, _column(field, self.get_empty_value_display()))

    def _shown(self, names: Sequence[Any]) -> list[Any]:
        return [self.jalali_names.get(n, n) if isinstance(n, str) else n for n in names]

    def get_list_display(self, request: HttpRequest) -> Any:
        return self._shown(super().get_list_display(request))

    def get_list_filter(self, request: HttpRequest) -> Any:
        return [
            (n, JalaliDateFilter) if isinstance(n, str) and n in self.jalali_names else n
            for n in super().get_list_filter(request)
        ]

    def _view_only(self, request: HttpRequest, obj: Any) -> bool:
        return obj is not None and not self.has_change_permission(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        readonly = self._shown(super().get_readonly_fields(request, obj))
        if self._view_only(request, obj):
            readonly += [n for n in self.jalali_names.values() if n not in readonly]
        return readonly

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        readonly = set(super().get_readonly_fields(request, obj))
        every = self._view_only(request, obj)
        names = {n: s for n, s in self.jalali_names.items() if every or n in readonly}
        seen: set[str] = set()
        fieldsets = []
        for title, options in super().get_fieldsets(request, obj):
            fields = []
            for entry in options["fields"]:
                entry = _rename(entry, names)
                # A default fieldset lists a read-only date both as a field and as read-only.
                if isinstance(entry, str) and entry in seen:
                    continue
                seen.update([entry] if isinstance(entry, str) else entry)
                fields.append(entry)
            fieldsets.append((title, {**options, "fields": fields}))
        return fieldsets


def _rename(entry: Any, names: dict[str, str]) -> Any:
    """A fieldset entry (a name or a tuple of names on one line) with dates renamed."""
    if isinstance(entry, list | tuple):
        return type(entry)(names.get(e, e) for e in entry)
    return names.get(entry, entry)
