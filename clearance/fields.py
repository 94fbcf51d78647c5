"""Form fields of the clearance form: several scanned documents, and reference choices.

A reference choice (a city, a degree, a field of study …) is offered and checked from this
process's copy of its table (``accounts.tables``): the form reads none of its eight tables.
"""

from typing import Any

import filetype
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from accounts import tables
from clearance.models import FieldOfStudy
from persian.text import local_digits, parse_int

ALLOWED_DOCUMENT_TYPES = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}


class MultipleFileInput(forms.FileInput):
    """Several files at once; a plain input, since an attachment is never "cleared"."""

    allow_multiple_selected = True


def _documents_help() -> str:
    # Built when shown, so it follows the page's language.
    return _("Scans as PDF, JPEG or PNG, at most %(mb)s MB each. You may pick several files.") % {
        "mb": local_digits(settings.TASVIEH_MAX_UPLOAD_MB)
    }


class DocumentsField(forms.FileField):
    """Several scans (PDF, JPEG, PNG); the type is read from the content, not the name."""

    widget = MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/*"})

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("Documents"))
        kwargs.setdefault("help_text", lazy(_documents_help, str)())
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        files = data if isinstance(data, list | tuple) else [data]
        # Only real uploads: an empty input, or whatever else a crafted form posts, is none.
        files = [upload for upload in files if isinstance(upload, UploadedFile)]
        if not files and self.required:
            raise ValidationError(self.error_messages["required"], code="required")
        limit = settings.TASVIEH_MAX_UPLOAD_MB * 1024 * 1024
        for upload in files:
            if upload.size > limit:
                raise ValidationError(
                    _("“%(name)s” is larger than %(mb)s MB.")
                    % {"name": upload.name, "mb": local_digits(settings.TASVIEH_MAX_UPLOAD_MB)},
                    code="too_large",
                )
            head = upload.read(512)
            upload.seek(0)
            kind = filetype.guess(head)
            if kind is None or kind.mime not in ALLOWED_DOCUMENT_TYPES:
                raise ValidationError(
                    _("“%(name)s” is not a PDF, JPEG or PNG file.") % {"name": upload.name},
                    code="file_type",
                )
            upload.content_type = kind.mime
        return list(files)


class ReferenceChoiceIterator(forms.models.ModelChoiceIterator):
    """The active rows of the table's copy, as the select's options."""

    field: "ReferenceChoiceField"

    def __iter__(self) -> Any:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for row in self.field.offered():
            yield self.choice(row)

    def __len__(self) -> int:
        return len(self.field.offered()) + (self.field.empty_label is not None)

    def __bool__(self) -> bool:
        return self.field.empty_label is not None or bool(self.field.offered())


class ReferenceChoiceField(forms.ModelChoiceField):
    """One active row of a reference table, offered and looked up in the table's copy."""

    iterator = ReferenceChoiceIterator

    @property
    def model(self) -> type[models.Model]:
        assert self.queryset is not None  # a model form's foreign key always gives one
        return self.queryset.model

    def offered(self) -> list[models.Model]:
        return tables.active(self.model)

    def to_python(self, value: Any) -> models.Model | None:
        if value in self.empty_values:
            return None
        model = self.model
        if isinstance(value, model):
            value = value.pk
        key = parse_int(value)
        row = tables.rows(model).get(key) if key is not None else None
        if row is None or not getattr(row, "is_active", True):
            message = self.error_messages["invalid_choice"]
            raise ValidationError(message, code="invalid_choice", params={"value": value})
        return row


def fields_by_faculty_and_degree() -> list[tuple[Any, Any]]:
    """The active fields of study grouped by faculty and degree, for the grouped select."""
    groups: dict[str, list[tuple[int, str]]] = {}
    offered = tables.active(FieldOfStudy)
    offered.sort(key=lambda f: (f.faculty.name, f.degree.order, f.degree.name, f.name))
    for field in offered:
        groups.setdefault(f"{field.faculty} — {field.degree}", []).append((field.pk, str(field)))
    return [("", _("Choose…")), *groups.items()]


def field_options() -> list[dict[str, Any]]:
    """Each active field of study's faculty and degree, for request_form.js."""
    return [
        {"pk": f.pk, "faculty_id": f.faculty_id, "degree_id": f.degree_id}
        for f in tables.active(FieldOfStudy)
    ]
