"""The university's student registry: who a student is, as the education system says."""

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Faculty
from clearance.models.reference import DegreeLevel, FieldOfStudy, Gender
from persian.validators import validate_national_code

student_number_validator = RegexValidator(
    r"^[0-9]{5,12}$", _("A student number is 5 to 12 digits."), code="student_number"
)


class StudentRecord(models.Model):
    """One row of the education system's export; imported in admin or by ``import_students``.

    A student whose account carries this student number (from the directory, or set in
    admin) files under this identity: the form is filled from it and cannot change it.
    """

    student_number = models.CharField(
        _("student number"), max_length=20, unique=True, validators=[student_number_validator]
    )
    national_code = models.CharField(
        _("national code"), max_length=10, db_index=True, validators=[validate_national_code]
    )
    first_name = models.CharField(_("first name"), max_length=60)
    last_name = models.CharField(_("last name"), max_length=60)
    father_name = models.CharField(_("father's name"), max_length=80, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    gender = models.ForeignKey(
        Gender, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("gender")
    )
    faculty = models.ForeignKey(
        Faculty, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("faculty")
    )
    degree = models.ForeignKey(
        DegreeLevel, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("degree")
    )
    field_of_study = models.ForeignKey(
        FieldOfStudy,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("field of study"),
    )
    imported = models.DateTimeField(_("last imported"), auto_now=True)

    class Meta:
        ordering = ["student_number"]
        verbose_name = _("student registry record")
        verbose_name_plural = _("student registry")

    def __str__(self) -> str:
        return f"{self.student_number} — {self.full_name}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()
