"""The university's letterhead on clearance certificates: its name, logo and address."""

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext_lazy as _

from persian.text import local_digits

LOGO_TYPES = {"image/png", "image/jpeg"}
LOGO_MAX_BYTES = 1024 * 1024


def validate_logo(logo: FieldFile) -> None:
    """A PNG or JPEG of at most 1 MB, judged by its content, not its name."""
    if logo.size > LOGO_MAX_BYTES:
        raise ValidationError(
            _("The logo must be at most %(mb)s MB.") % {"mb": local_digits(1)}, code="logo_size"
        )
    head = logo.read(512)
    logo.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in LOGO_TYPES:
        raise ValidationError(_("The logo must be a PNG or JPEG image."), code="logo_type")


class Letterhead(models.Model):
    """What heads every clearance certificate; one row, edited in the admin."""

    # Always 1: the table holds a single letterhead (see the constraint).
    key = models.PositiveSmallIntegerField(default=1, unique=True, editable=False)
    university_name = models.CharField(
        _("university name"),
        max_length=200,
        help_text=_("As it heads the university's letters, e.g. دانشگاه علوم پزشکی ایران."),
    )
    logo = models.FileField(
        _("logo"),
        upload_to="letterhead/",
        blank=True,
        validators=[validate_logo],
        help_text=_("PNG or JPEG, at most 1 MB; printed at the top of the certificate."),
    )
    address = models.CharField(
        _("address line"),
        max_length=300,
        blank=True,
        help_text=_("Printed under the name, e.g. the address and telephone of the university."),
    )
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("certificate letterhead")
        verbose_name_plural = _("certificate letterhead")
        constraints = [
            # One university, one letterhead.
            models.CheckConstraint(condition=models.Q(key=1), name="one_letterhead")
        ]

    def __str__(self) -> str:
        return str(self.university_name or _("certificate letterhead"))

    @classmethod
    def current(cls) -> "Letterhead":
        """The saved letterhead, or one named by TASVIEH_UNIVERSITY_NAME until there is one."""
        return cls.objects.first() or cls(university_name=settings.TASVIEH_UNIVERSITY_NAME)
