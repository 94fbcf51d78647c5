"""Validators for the clearance form; each takes raw input and returns the clean value."""

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from persian.text import ascii_digits, local_digits, normalize_text, parse_jalali

# Persian letters (no digits of any script: a name never holds one), ZWNJ and spaces.
_PERSIAN_NAME = re.compile(r"^[\u0600-\u065F\u066E-\u06EF\u06FA-\u06FF\u200c\s]+$")
_MOBILE = re.compile(r"09[0-9]{9}")
_LANDLINE = re.compile(r"0[1-8][0-9]{9}")


def national_code_check_digit(body: str) -> str:
    """The official check digit of the Iranian national code whose first nine digits these are."""
    total = sum(int(digit) * (10 - i) for i, digit in enumerate(body[:9])) % 11
    return str(total if total < 2 else 11 - total)


def national_code_is_valid(code: str) -> bool:
    """Apply the official check-digit rule of the Iranian national code."""
    if not re.fullmatch(r"[0-9]{10}", code) or len(set(code)) == 1:
        return False
    return code[9] == national_code_check_digit(code)


def clean_national_code(value: str) -> str:
    code = ascii_digits(value).strip().replace("-", "").replace(" ", "")
    validate_national_code(code)
    return code


# --- the stored value, checked by the model fields themselves ----------------------------


def validate_national_code(value: str) -> None:
    """A stored national code: ten ASCII digits with a matching check digit."""
    if not national_code_is_valid(value):
        raise ValidationError(
            _("Enter a valid 10-digit national code; the check digit does not match."),
            code="national_code",
        )


def validate_mobile(value: str) -> None:
    """A stored mobile number: 09 and nine more ASCII digits."""
    if not _MOBILE.fullmatch(value):
        raise ValidationError(
            _("Enter a mobile number like 09121234567 (11 digits starting with 09)."),
            code="mobile",
        )


def validate_landline(value: str) -> None:
    """A stored landline: the area code and number, eleven ASCII digits."""
    if not _LANDLINE.fullmatch(value):
        raise ValidationError(
            _("Enter the landline with its area code, 11 digits, like 02188776655."),
            code="landline",
        )


def _dial_digits(value: str) -> str:
    """ASCII digits without spaces or dashes; the +98 / 0098 country prefix becomes 0."""
    number = re.sub(r"[\s\-()]", "", ascii_digits(value))
    for prefix in ("+98", "0098"):
        if number.startswith(prefix):
            return "0" + number[len(prefix) :]
    return number


def clean_mobile(value: str) -> str:
    number = _dial_digits(value)
    if number.startswith("98") and len(number) == 12:
        number = "0" + number[2:]
    elif number.startswith("9") and len(number) == 10:
        number = "0" + number
    validate_mobile(number)
    return number


def clean_landline(value: str) -> str:
    number = _dial_digits(value)
    validate_landline(number)
    return number


def clean_digits(value: str, *, min_length: int, max_length: int) -> str:
    digits = ascii_digits(value).strip()
    if not re.fullmatch(f"[0-9]{{{min_length},{max_length}}}", digits):
        raise ValidationError(
            _("Enter %(min)s to %(max)s digits.")
            % {"min": local_digits(min_length), "max": local_digits(max_length)},
            code="digits",
        )
    return digits


def clean_persian_name(value: str) -> str:
    name = normalize_text(value)
    if not name or not _PERSIAN_NAME.fullmatch(name):
        raise ValidationError(_("Write the name in Persian letters."), code="persian_name")
    return name


def clean_jalali_date(value: str) -> dt.date:
    try:
        return parse_jalali(value)
    except ValueError as exc:
        raise ValidationError(
            _("Enter a Jalali date as year/month/day, like 1380/05/12."), code="jalali_date"
        ) from exc


def birth_date_range(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The earliest and latest birth dates of a student: 90 to 14 years ago."""
    today = today or dt.date.today()
    return today - dt.timedelta(days=int(365.25 * 90)), today - dt.timedelta(days=int(365.25 * 14))


def check_birth_date(date: dt.date, *, today: dt.date | None = None) -> dt.date:
    oldest, youngest = birth_date_range(today)
    if not (oldest <= date <= youngest):
        raise ValidationError(
            _("The birth date must make you between 14 and 90 years old."), code="birth_range"
        )
    return date
