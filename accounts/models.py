"""Users, faculties, offices and the office roles that scope who acts on which request."""

import re

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from persian.text import ascii_digits


def localized(name: str, name_en: str) -> str:
    """Show the English name on English pages when there is one."""
    return name_en if name_en and get_language() == "en" else name


class User(AbstractUser):
    student_number = models.CharField(
        _("student number"),
        max_length=20,
        blank=True,
        help_text=_("Filled from the directory for students; empty for staff."),
    )

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def clean(self) -> None:
        super().clean()
        # One digit rule: a number typed in the admin in Persian digits is stored in ASCII.
        self.student_number = ascii_digits(self.student_number or "").strip()
        if self.student_number and not re.fullmatch(r"[0-9]{5,12}", self.student_number):
            raise ValidationError({"student_number": _("A student number is 5 to 12 digits.")})


class Faculty(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=150, unique=True)
    name_en = models.CharField(_("English name"), max_length=150, blank=True)
    letter_prefix = models.CharField(
        _("letter prefix"),
        max_length=20,
        blank=True,
        help_text=_("Short code used in the secretariat's letter numbers, e.g. 'پ' or 'MED'."),
    )
    letter_format = models.CharField(
        _("letter number format"),
        max_length=60,
        default="{year}/{prefix}/{number}",
        help_text=_(
            "How the secretariat's letter numbers are written. Placeholders: {year} (Jalali "
            "year), {prefix} (the letter prefix), {number} (the sequence, e.g. {number:04d})."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("faculty")
        verbose_name_plural = _("faculties")

    def __str__(self) -> str:
        return localized(self.name, self.name_en)

    def clean(self) -> None:
        try:
            self.letter_format.format(year=1405, prefix="X", number=1)
        except (KeyError, IndexError, ValueError, AttributeError, TypeError) as exc:
            raise ValidationError(
                {"letter_format": _("The format may only use {year}, {prefix} and {number}.")}
            ) from exc


class Office(models.Model):
    class Scope(models.TextChoices):
        FACULTY = "faculty", _("faculty office")
        UNIVERSITY = "university", _("university office")

    code = models.SlugField(
        _("code"),
        max_length=40,
        unique=True,
        help_text=_("Matches the step of the clearance process; do not change."),
    )
    name = models.CharField(_("name"), max_length=150)
    name_en = models.CharField(_("English name"), max_length=150, blank=True)
    order = models.PositiveSmallIntegerField(_("order in the chain"))
    scope = models.CharField(_("scope"), max_length=20, choices=Scope.choices)
    records_debt = models.BooleanField(
        _("records debts"),
        default=False,
        help_text=_("The office records the student's debt in rials and how it was settled."),
    )

    class Meta:
        ordering = ["order"]
        verbose_name = _("office")
        verbose_name_plural = _("offices")

    def __str__(self) -> str:
        return localized(self.name, self.name_en)

    @property
    def is_faculty_office(self) -> bool:
        return self.scope == self.Scope.FACULTY


class Role(models.Model):
    class Source(models.TextChoices):
        MANUAL = "manual", _("granted in admin")
        DIRECTORY = "directory", _("from a directory group")

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="roles", verbose_name=_("user")
    )
    office = models.ForeignKey(
        Office, on_delete=models.PROTECT, related_name="roles", verbose_name=_("office")
    )
    faculty = models.ForeignKey(
        Faculty,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="roles",
        verbose_name=_("faculty"),
        help_text=_("Required for faculty offices; empty for university offices."),
    )
    source = models.CharField(
        _("source"), max_length=20, choices=Source.choices, default=Source.MANUAL
    )
    created = models.DateTimeField(_("granted at"), auto_now_add=True)

    class Meta:
        ordering = ["office__order", "faculty__name"]
        verbose_name = _("office role")
        verbose_name_plural = _("office roles")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "office", "faculty", "source"],
                name="role_unique_per_source",
                nulls_distinct=False,
            ),
        ]

    def __str__(self) -> str:
        if self.faculty_id:
            return f"{self.office} — {self.faculty}"
        return str(self.office)

    def clean(self) -> None:
        if not self.office_id:
            return
        if self.office.is_faculty_office and not self.faculty_id:
            raise ValidationError({"faculty": _("A faculty office role needs a faculty.")})
        if not self.office.is_faculty_office and self.faculty_id:
            raise ValidationError(
                {"faculty": _("A university office role must not name a faculty.")}
            )

    @property
    def permission(self) -> str:
        return office_permission(self.office.code, self.faculty.code if self.faculty else None)


def office_permission(office_code: str, faculty_code: str | None) -> str:
    """Name the permission that lets a role holder act on one office's tasks."""
    if faculty_code:
        return f"clearance.office.{office_code}.{faculty_code}"
    return f"clearance.office.{office_code}"
