"""Template filters for Persian display: Jalali dates, Persian digits, relative ages."""

import datetime as dt
from typing import Any

from django import template
from django.forms import BoundField, Select
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from persian.text import format_jalali, group_thousands, left_to_right
from persian.text import local_digits as _localize_digits

register = template.Library()


@register.filter
def jdate(value: dt.date | dt.datetime | None) -> str:
    """Jalali date, in Persian digits when the page is Persian."""
    return _localize_digits(format_jalali(value))


@register.filter
def jdatetime(value: dt.datetime | None) -> str:
    return _localize_digits(format_jalali(value, with_time=True))


@register.filter
def fadigits(value: object) -> str:
    """Digits in the page's script (Persian digits on Persian pages)."""
    if value is None:
        return ""
    return _localize_digits(str(value))


@register.filter
def rials(value: int | None) -> str:
    """An amount grouped in thousands, with the Persian separator on Persian pages: ۱٬۵۰۰٬۰۰۰."""
    if value is None:
        return ""
    return group_thousands(value)


@register.filter
def ltr(value: object) -> str:
    """A letter number, code or web address, left to right as written (pages and PDFs)."""
    if value is None or value == "":
        return ""
    return left_to_right(str(value))


@register.filter
def age(value: dt.datetime | None) -> str:
    """How long ago, as '۳ روز پیش'."""
    if value is None:
        return ""
    seconds = int((timezone.now() - value).total_seconds())
    if seconds < 3600:
        minutes = max(seconds // 60, 1)
        text = ngettext("%(n)d minute ago", "%(n)d minutes ago", minutes) % {"n": minutes}
    elif seconds < 86400:
        hours = seconds // 3600
        text = ngettext("%(n)d hour ago", "%(n)d hours ago", hours) % {"n": hours}
    else:
        days = seconds // 86400
        text = ngettext("%(n)d day ago", "%(n)d days ago", days) % {"n": days}
    return _localize_digits(text)


@register.filter
def waiting(since: dt.datetime | None) -> str:
    """How long something has waited since then, as '۳ روز'."""
    if since is None:
        return ""
    return duration(int((timezone.now() - since).total_seconds()))


@register.filter
def duration(seconds: int | None) -> str:
    if seconds is None:
        return ""
    if seconds < 3600:
        text = _("%(n)d min") % {"n": max(seconds // 60, 1)}
    elif seconds < 86400:
        text = _("%(n)d h") % {"n": seconds // 3600}
    else:
        text = _("%(n)d d") % {"n": seconds // 86400}
    return _localize_digits(text)


@register.filter
def control(field: BoundField) -> str:
    """Render a form field's widget with Bootstrap classes and its accessible descriptions."""
    widget = field.field.widget
    css = "form-select" if isinstance(widget, Select) else "form-control"
    if field.errors:
        css += " is-invalid"
    described = [f"{field.auto_id}_help"] if field.help_text else []
    if field.errors:
        described.append(f"{field.auto_id}_error")
    attrs: dict[str, Any] = {"class": css}
    if described:
        attrs["aria-describedby"] = " ".join(described)
    if field.errors:
        attrs["aria-invalid"] = "true"
    return field.as_widget(attrs=attrs)
