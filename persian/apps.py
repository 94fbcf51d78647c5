from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PersianConfig(AppConfig):
    """Persian text, digits, Jalali dates and Iranian identity numbers, for every app."""

    name = "persian"
    verbose_name = _("Persian")
