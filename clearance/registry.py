"""The student registry's import (admin and ``manage.py import_students``) and its look-ups.

The education system exports CSV (UTF-8 or Windows-1256) or XLSX, with Persian or English
column names and Persian or ASCII digits. django-import-export reads it: a preview, an
error per row and field, and rows updated by student number. Both ways in use this module.
"""

import datetime as dt
import re
from pathlib import Path
from typing import Any

from django.db.models import Model, Q
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets
from import_export.formats import base_formats
from import_export.results import Result
from tablib import Dataset

from accounts.models import Faculty, User
from clearance.models import ClearanceRequest, DegreeLevel, FieldOfStudy, Gender, StudentRecord
from persian.text import ascii_digits, format_jalali, local_digits, normalize_text, parse_jalali

# The columns, each as the admin's preview shows it, then the other names the education
# system may give it (compared after normalising: Persian letters, lower case).
COLUMNS = {
    "student_number": ["شماره دانشجویی", "شماره دانشجو", "student_number", "student number"],
    "national_code": ["کد ملی", "کدملی", "national_code", "national code"],
    "first_name": ["نام", "first_name", "first name"],
    "last_name": ["نام خانوادگی", "last_name", "last name"],
    "father_name": ["نام پدر", "father_name", "father's name", "father name"],
    "birth_date": ["تاریخ تولد", "birth_date", "birth date"],
    "gender": ["جنسیت", "gender", "sex"],
    "faculty": ["دانشکده", "faculty"],
    "field_of_study": ["رشته تحصیلی", "رشته", "field_of_study", "field of study"],
    "degree": ["مقطع", "مقطع تحصیلی", "degree", "degree level"],
}
_HEADER = {alias: aliases[0] for aliases in COLUMNS.values() for alias in aliases}


def _text(value: Any) -> str:
    """A cell as clean text: ASCII digits, Persian letters, single spaces, no NUL."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a number cell of a spreadsheet: 98100001.0
    return normalize_text(ascii_digits(str(value)).replace("\x00", ""))


class RegistryCSV(base_formats.CSV):
    """CSV as the education system writes it: UTF-8 (with or without BOM) or Windows-1256."""

    def is_binary(self) -> bool:
        return True  # read as bytes, so the encoding is found here, not assumed

    def get_read_mode(self) -> str:
        return "rb"

    def create_dataset(self, in_stream: bytes | str, **kwargs: Any) -> Dataset:
        text = in_stream
        if isinstance(in_stream, bytes):
            try:
                text = in_stream.decode("utf-8-sig")
            except UnicodeDecodeError:
                text = in_stream.decode("cp1256", errors="replace")
        return super().create_dataset(text, **kwargs)


FORMATS = {".csv": RegistryCSV, ".xlsx": base_formats.XLSX}


class DigitsWidget(widgets.CharWidget):
    """Digits in any script; a spreadsheet's number cell loses leading zeros, put back."""

    def __init__(self, *, width: int = 0) -> None:
        super().__init__(allow_blank=False)
        self.width = width

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> str:
        text = _text(value).replace(" ", "").replace("-", "")
        return text.zfill(self.width) if self.width and text.isascii() else text

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return local_digits(value or "")  # the import preview's digits: Persian in Persian


class TextWidget(widgets.CharWidget):
    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> str:
        return _text(value)


class JalaliDateWidget(widgets.Widget):
    """A Jalali date (1380/05/12, any digits) or a spreadsheet's own date cell."""

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return local_digits(format_jalali(value))

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> dt.date | None:
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        text = _text(value)
        if not text:
            return None
        try:
            return parse_jalali(text)
        except ValueError as exc:
            raise ValueError(
                _("“%(value)s” is not a Jalali date like 1380/05/12.") % {"value": text}
            ) from exc


class ReferenceWidget(widgets.ForeignKeyWidget):
    """A reference row named by its code, its Persian or its English name."""

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return str(value) if value is not None else ""  # its name, not its key

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Model | None:
        text = _text(value)
        if not text:
            return None
        match = self.model.objects.filter(
            Q(code__iexact=text) | Q(name=text) | Q(name_en__iexact=text)
        ).first()
        if match is None:
            raise ValueError(
                _("No %(kind)s “%(value)s”.")
                % {"kind": self.model._meta.verbose_name, "value": text}
            )
        return match


class FieldOfStudyWidget(ReferenceWidget):
    """A field of study is named within its faculty and degree (same row)."""

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Model | None:
        text = _text(value)
        if not text:
            return None
        try:
            faculty = ReferenceWidget(Faculty).clean((row or {}).get(COLUMNS["faculty"][0]))
            degree = ReferenceWidget(DegreeLevel).clean((row or {}).get(COLUMNS["degree"][0]))
        except ValueError:
            return None  # the row is refused for its faculty or degree column already
        match = (
            FieldOfStudy.objects.filter(faculty=faculty, degree=degree)
            .filter(Q(name=text) | Q(name_en__iexact=text))
            .first()
            if isinstance(faculty, Faculty) and isinstance(degree, DegreeLevel)
            else None
        )
        if match is None:
            raise ValueError(
                _("No field of study “%(value)s” at this faculty for this degree.")
                % {"value": text}
            )
        return match


def _field(name: str, widget: widgets.Widget) -> fields.Field:
    return fields.Field(attribute=name, column_name=COLUMNS[name][0], widget=widget)


class PreviewDiff(resources.Diff):
    """The import preview's changes, marked by their tags alone: the Content-Security-Policy
    refuses the inline colours diff-match-patch gives them (admin.css colours them)."""

    def as_html(self) -> list[str]:
        return [mark_safe(_STYLED.sub(r"<\1>", html)) for html in super().as_html()]


_STYLED = re.compile(r'<(ins|del) style="[^"<>]*">')


class StudentRecordResource(resources.ModelResource):
    """Rows of the registry, matched by student number (a second import updates them)."""

    student_number = _field("student_number", DigitsWidget())
    national_code = _field("national_code", DigitsWidget(width=10))
    first_name = _field("first_name", TextWidget())
    last_name = _field("last_name", TextWidget())
    father_name = _field("father_name", TextWidget())
    birth_date = _field("birth_date", JalaliDateWidget())
    gender = _field("gender", ReferenceWidget(Gender))
    faculty = _field("faculty", ReferenceWidget(Faculty))
    degree = _field("degree", ReferenceWidget(DegreeLevel))
    field_of_study = _field("field_of_study", FieldOfStudyWidget(FieldOfStudy))

    class Meta:
        model = StudentRecord
        import_id_fields = ["student_number"]
        fields = list(COLUMNS)
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

    def get_diff_class(self) -> type[resources.Diff]:
        return PreviewDiff

    def before_import(self, dataset: Dataset, **kwargs: Any) -> None:
        """Read Persian or English column names; unknown columns are left out."""
        if not any(dataset.headers or []):
            dataset.wipe()  # no rows to read without their column names
            raise ValueError(_("The file's first row must name the columns."))
        dataset.headers = [
            _HEADER.get(_text(header).lower(), _text(header)) for header in dataset.headers or []
        ]


def registry_import(path: Path, *, dry_run: bool) -> Result:
    """Import a registry file (CSV or XLSX) as the admin does; all rows or none."""
    format_class = FORMATS.get(path.suffix.lower())
    if format_class is None:
        raise ValueError(_("Only .csv and .xlsx files can be imported."))
    dataset = format_class().create_dataset(path.read_bytes())
    return StudentRecordResource().import_data(
        dataset, dry_run=dry_run, use_transactions=True, rollback_on_validation_errors=True
    )


# --- whose identity a student carries -------------------------------------------------------


def record_for(user: User) -> StudentRecord | None:
    """The registry row of the student number the account carries (directory or admin)."""
    if not user.student_number:
        return None
    return (
        StudentRecord.objects.select_related("faculty", "degree", "field_of_study", "gender")
        .filter(student_number=ascii_digits(user.student_number).strip())
        .first()
    )


def registry_values(record: StudentRecord) -> dict[str, Any]:
    """The request's identity fields as the registry has them (empty ones left out)."""
    values = {
        "full_name": record.full_name,
        "student_number": record.student_number,
        "national_code": record.national_code,
        "father_name": record.father_name,
        "birth_date": record.birth_date,
        "faculty": record.faculty,
    }
    return {name: value for name, value in values.items() if value}


def registry_state(clearance_request: ClearanceRequest) -> str:
    """``match``, ``differs`` (the registry has this number, another identity) or ``absent``."""
    record = StudentRecord.objects.filter(student_number=clearance_request.student_number).first()
    if record is None:
        return "absent"
    return "match" if record.national_code == clearance_request.national_code else "differs"
