"""What the reports add up instead of the whole history: events counted per day."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Faculty, Office
from clearance.models.requests import Event


class DailyCount(models.Model):
    """How many history events of one kind one faculty's requests had at one office on one
    day (and, for approvals, how long the office had held them).

    A day is counted once it is over: history events never change, so its rows never need
    to be counted again. The reports read these rows for past days and the history itself
    only for today (``clearance.reports``).
    """

    # The kinds the reports show; other events are not counted.
    KINDS = (
        Event.Kind.SUBMITTED,
        Event.Kind.APPROVED,
        Event.Kind.RETURNED,
        Event.Kind.CLEARED,
        Event.Kind.CANCELLED,
    )

    day = models.DateField(_("day"))
    faculty = models.ForeignKey(
        Faculty,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("faculty"),
        help_text=_("Empty for all faculties together (what the reports read unfiltered)."),
    )
    office = models.ForeignKey(
        Office,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("office"),
        help_text=_("Empty for the request's own events (submitted, cleared, cancelled)."),
    )
    kind = models.CharField(_("event"), max_length=20, choices=Event.Kind.choices)
    events = models.PositiveIntegerField(_("events"))
    waited_seconds = models.PositiveBigIntegerField(_("time with the office (s)"), default=0)

    class Meta:
        verbose_name = _("daily count")
        verbose_name_plural = _("daily counts")
        constraints = [
            # One row per day, faculty, office and kind: counting a day twice changes nothing.
            models.UniqueConstraint(
                fields=["day", "faculty", "office", "kind"],
                name="daily_count_unique",
                nulls_distinct=False,
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.kind}: {self.events}"
