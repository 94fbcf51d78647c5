"""The clearance request and its immutable history (events), its letter numbers and process;
its thread of comments and documents is in ``thread``."""

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Process

from accounts.models import Faculty, Office
from clearance.models.reference import (
    City,
    DegreeLevel,
    EducationStatus,
    FieldOfStudy,
    Gender,
    MaritalStatus,
    RequestType,
)
from persian.validators import validate_landline, validate_mobile, validate_national_code


class Undeletable(models.Model):
    """Nothing of a request's record is ever deleted, by anyone: not one row, not in bulk."""

    class Meta:
        abstract = True

    def delete(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise ValueError(f"{type(self).__name__} records are never deleted.")


class UndeletableQuerySet(models.QuerySet):
    def delete(self):  # type: ignore[no-untyped-def]
        raise ValueError(f"{self.model.__name__} records are never deleted.")


class ImmutableQuerySet(UndeletableQuerySet):
    """What was said or decided stays as it was, also through ``QuerySet.update``."""

    def update(self, **kwargs):  # type: ignore[no-untyped-def]
        raise ValueError(f"{self.model.__name__} records are immutable.")


class ClearanceRequest(Undeletable):
    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("in progress")
        RETURNED = "returned", _("returned to the student")
        CLEARED = "cleared", _("cleared")
        CANCELLED = "cancelled", _("cancelled")

    class CardStatus(models.TextChoices):
        RETURNED = "returned", _("returned")
        LOST = "lost", _("lost")
        NOT_RETURNED = "not_returned", _("not yet returned")

    OPEN_STATUSES = (Status.IN_PROGRESS, Status.RETURNED)

    student = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="clearance_requests",
        verbose_name=_("student"),
    )
    request_type = models.ForeignKey(
        RequestType, on_delete=models.PROTECT, verbose_name=_("request type")
    )
    # The 17 fields of the form, in the order of the original guide.
    full_name = models.CharField(_("full name"), max_length=120)
    student_number = models.CharField(_("student number"), max_length=20)
    national_code = models.CharField(
        _("national code"), max_length=10, validators=[validate_national_code]
    )
    father_name = models.CharField(_("father's name"), max_length=80)
    card_status = models.CharField(
        _("student card returned"), max_length=20, choices=CardStatus.choices
    )
    birth_certificate_number = models.CharField(_("birth certificate number"), max_length=10)
    birth_date = models.DateField(_("birth date"))
    place_of_issue = models.ForeignKey(
        City, on_delete=models.PROTECT, verbose_name=_("place of issue")
    )
    marital_status = models.ForeignKey(
        MaritalStatus, on_delete=models.PROTECT, verbose_name=_("marital status")
    )
    gender = models.ForeignKey(Gender, on_delete=models.PROTECT, verbose_name=_("gender"))
    education_status = models.ForeignKey(
        EducationStatus, on_delete=models.PROTECT, verbose_name=_("education status")
    )
    faculty = models.ForeignKey(Faculty, on_delete=models.PROTECT, verbose_name=_("faculty"))
    landline = models.CharField(_("landline"), max_length=11, validators=[validate_landline])
    mobile = models.CharField(_("mobile"), max_length=11, validators=[validate_mobile])
    field_of_study = models.ForeignKey(
        FieldOfStudy, on_delete=models.PROTECT, verbose_name=_("field of study")
    )
    degree = models.ForeignKey(DegreeLevel, on_delete=models.PROTECT, verbose_name=_("degree"))
    address = models.TextField(_("permanent address"), max_length=500)

    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.IN_PROGRESS
    )
    current_office = models.ForeignKey(
        Office,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("with office"),
    )
    waiting_since = models.DateTimeField(
        _("waiting since"),
        null=True,
        blank=True,
        help_text=_("When the request reached its current office."),
    )
    return_reason = models.TextField(_("reason for return"), blank=True)
    had_dormitory = models.BooleanField(_("had a dormitory"), null=True, blank=True)
    # NULL, not "", until numbered: the unique constraint must allow many unnumbered requests.
    letter_number = models.CharField(  # noqa: DJ001
        _("letter number"), max_length=60, null=True, blank=True
    )
    letter_date = models.DateField(_("letter date"), null=True, blank=True)
    certificate_code = models.CharField(
        _("certificate code"),
        max_length=32,
        unique=True,
        null=True,  # unique, and absent until the request is cleared
        blank=True,
        help_text=_("Printed on the clearance certificate; anyone can verify it with this code."),
    )
    process = models.OneToOneField(
        Process,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="clearance_request",
        verbose_name=_("process"),
    )
    created = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)
    closed = models.DateTimeField(_("closed"), null=True, blank=True)

    objects = UndeletableQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]
        verbose_name = _("clearance request")
        verbose_name_plural = _("clearance requests")
        constraints = [
            models.UniqueConstraint(
                fields=["student"],
                condition=Q(status__in=["in_progress", "returned"]),
                name="one_open_request_per_student",
            ),
            models.UniqueConstraint(
                fields=["national_code"],
                condition=Q(status__in=["in_progress", "returned"]),
                name="one_open_request_per_national_code",
            ),
            models.UniqueConstraint(fields=["letter_number"], name="letter_number_unique"),
            # A certificate exists exactly for a cleared request, and a closed request
            # (cleared or cancelled) says when it closed.
            models.CheckConstraint(
                condition=Q(status="cleared", certificate_code__isnull=False)
                | (~Q(status="cleared") & Q(certificate_code__isnull=True)),
                name="certificate_code_iff_cleared",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["in_progress", "returned"], closed__isnull=True)
                | (Q(status__in=["cleared", "cancelled"]) & Q(closed__isnull=False)),
                name="closed_iff_cleared_or_cancelled",
            ),
            # The secretariat dates the letter it numbers; a date alone means nothing.
            models.CheckConstraint(
                condition=Q(letter_date__isnull=True) | Q(letter_number__isnull=False),
                name="letter_date_needs_number",
            ),
        ]
        indexes = [
            # The office lists' search by national code or student number, over every request
            # ("handled by me" reaches closed ones too).
            models.Index(fields=["national_code"], name="request_national_code"),
            models.Index(fields=["student_number"], name="request_student_number"),
            # Where open requests wait and since when (the reports' "now" and "overdue").
            models.Index(
                fields=["current_office", "waiting_since"],
                include=["status", "faculty"],
                condition=Q(status__in=["in_progress", "returned"]),
                name="request_open_by_office",
            ),
        ]

    def __str__(self) -> str:
        return _("Request #%(pk)s — %(name)s") % {"pk": self.pk, "name": self.full_name}

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


def refuse_update(record: models.Model) -> None:
    """What was said or decided stays as it was: records are written once, never changed."""
    if record.pk is not None:
        raise ValueError(f"{type(record).__name__} records are immutable.")


class Event(Undeletable):
    """One immutable line of a request's history: who did what, when and from where."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("submitted")
        CLAIMED = "claimed", _("claimed")
        RELEASED = "released", _("released")
        APPROVED = "approved", _("approved")
        RETURNED = "returned", _("returned to the student")
        RESUBMITTED = "resubmitted", _("resubmitted")
        CANCELLED = "cancelled", _("cancelled")
        CLEARED = "cleared", _("cleared")
        MOVED = "moved", _("moved to another faculty")

    request = models.ForeignKey(
        ClearanceRequest,
        on_delete=models.PROTECT,
        related_name="events",
        verbose_name=_("request"),
    )
    kind = models.CharField(_("event"), max_length=20, choices=Kind.choices)
    office = models.ForeignKey(
        Office, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("office")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    note = models.TextField(_("note"), blank=True)
    debt_rials = models.PositiveBigIntegerField(_("debt (rials)"), null=True, blank=True)
    settlement = models.CharField(_("settlement"), max_length=200, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    task_id = models.BigIntegerField(_("task"), null=True, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    waited_seconds = models.PositiveIntegerField(
        _("time with the office (s)"), null=True, blank=True
    )
    created = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        ordering = ["created", "pk"]
        verbose_name = _("history event")
        verbose_name_plural = _("history events")
        constraints = [
            # A debt is what the student owes: never negative.
            models.CheckConstraint(
                condition=Q(debt_rials__isnull=True) | Q(debt_rials__gte=0),
                name="event_debt_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.request_id}"

    def save(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        refuse_update(self)
        super().save(*args, **kwargs)

    @property
    def changed_labels(self) -> list[str]:
        """What a resubmission changed on the request, by the fields' verbose names."""
        names = self.details.get("changed", []) if isinstance(self.details, dict) else []
        labels = {field.name: str(field.verbose_name) for field in ClearanceRequest._meta.fields}
        return [labels[name] for name in names if name in labels]

    @property
    def documents_added(self) -> int:
        """How many documents the student attached with a resubmission (0 before we counted)."""
        added = self.details.get("documents", 0) if isinstance(self.details, dict) else 0
        return added if isinstance(added, int) else 0

    # What an office recorded with its approval (``details``), for the pages: named here so a
    # template never looks up a key the step did not record (a failed lookup is costly).
    def _detail(self, name: str) -> Any:
        return self.details.get(name) if isinstance(self.details, dict) else None

    @property
    def letter_number(self) -> str | None:
        """The letter number the secretariat gave the request in this step, if it did."""
        return self._detail("letter_number")  # type: ignore[no-any-return]

    @property
    def letter_date(self) -> dt.date | None:
        """The date of the letter the secretariat numbered in this step, if it did."""
        recorded = self._detail("letter_date")
        return dt.date.fromisoformat(recorded) if recorded else None

    @property
    def had_dormitory(self) -> bool | None:
        """The dormitory's answer: whether the student had a room (None: not this step)."""
        return self._detail("had_dormitory")  # type: ignore[no-any-return]

    @property
    def form_registered(self) -> bool:
        """The welfare office registered the clearance form in its own system."""
        return bool(self._detail("form_registered"))


class LetterSequence(models.Model):
    """The secretariat's running letter number, per faculty and Jalali year."""

    faculty = models.ForeignKey(Faculty, on_delete=models.PROTECT, verbose_name=_("faculty"))
    year = models.PositiveSmallIntegerField(_("Jalali year"))
    last_number = models.PositiveIntegerField(_("last number issued"), default=0)

    class Meta:
        verbose_name = _("letter number sequence")
        verbose_name_plural = _("letter number sequences")
        constraints = [
            models.UniqueConstraint(fields=["faculty", "year"], name="letter_sequence_unique")
        ]

    def __str__(self) -> str:
        return f"{self.faculty} {self.year}: {self.last_number}"


class ClearanceProcess(Process):
    """The viewflow process of one clearance request."""

    class Meta:
        proxy = True
        verbose_name = _("clearance process")
        verbose_name_plural = _("clearance processes")

    @property
    def clearance(self) -> ClearanceRequest:
        """The request this process carries (the reverse one-to-one, cached on the process)."""
        return self.clearance_request  # type: ignore[attr-defined, no-any-return]
