"""Reference data an administrator manages in admin: request types, degrees, places, fields."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts import tables
from accounts.models import Faculty, localized


class ReferenceItem(models.Model):
    """A named, orderable value an administrator manages in admin."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=150)
    name_en = models.CharField(_("English name"), max_length=150, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        abstract = True
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return localized(self.name, self.name_en)


class RequestType(ReferenceItem):
    class Meta(ReferenceItem.Meta):
        verbose_name = _("request type")
        verbose_name_plural = _("request types")


class DegreeLevel(ReferenceItem):
    class Meta(ReferenceItem.Meta):
        verbose_name = _("degree level")
        verbose_name_plural = _("degree levels")


class EducationStatus(ReferenceItem):
    class Meta(ReferenceItem.Meta):
        verbose_name = _("education status")
        verbose_name_plural = _("education statuses")


class MaritalStatus(ReferenceItem):
    class Meta(ReferenceItem.Meta):
        verbose_name = _("marital status")
        verbose_name_plural = _("marital statuses")


class Gender(ReferenceItem):
    class Meta(ReferenceItem.Meta):
        verbose_name = _("gender")
        verbose_name_plural = _("genders")


class Province(models.Model):
    name = models.CharField(_("name"), max_length=80, unique=True)
    name_en = models.CharField(_("English name"), max_length=80, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("province")
        verbose_name_plural = _("provinces")

    def __str__(self) -> str:
        return localized(self.name, self.name_en)


class City(models.Model):
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="cities", verbose_name=_("province")
    )
    name = models.CharField(_("name"), max_length=80)
    name_en = models.CharField(_("English name"), max_length=80, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("city")
        verbose_name_plural = _("cities")
        constraints = [
            models.UniqueConstraint(fields=["province", "name"], name="city_unique_in_province")
        ]

    def __str__(self) -> str:
        name, province = localized(self.name, self.name_en), str(self.province)
        # Tehran in Tehran province is «تهران», not «تهران (تهران)».
        return name if name == province else f"{name} ({province})"


class FieldOfStudy(models.Model):
    faculty = models.ForeignKey(
        Faculty, on_delete=models.PROTECT, related_name="fields", verbose_name=_("faculty")
    )
    degree = models.ForeignKey(
        DegreeLevel, on_delete=models.PROTECT, related_name="fields", verbose_name=_("degree")
    )
    name = models.CharField(_("name"), max_length=150)
    name_en = models.CharField(_("English name"), max_length=150, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("field of study")
        verbose_name_plural = _("fields of study")
        constraints = [
            models.UniqueConstraint(
                fields=["faculty", "degree", "name"], name="field_unique_per_faculty_degree"
            )
        ]

    def __str__(self) -> str:
        return localized(self.name, self.name_en)


# What each copy of accounts.tables joins: a city's name shows its province's.
tables.join(City, "province")
tables.join(FieldOfStudy, "faculty", "degree")
