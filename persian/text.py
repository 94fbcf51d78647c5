"""Persian text helpers: digits, Arabic letters, Jalali dates."""

import datetime as dt
import re
import unicodedata

import jdatetime
from django.utils import translation

PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"
ARABIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"
_TO_PERSIAN = str.maketrans("0123456789", PERSIAN_DIGITS)
THOUSANDS_SEPARATOR = "٬"  # U+066C ARABIC THOUSANDS SEPARATOR, the Persian one
_ARABIC_LETTERS = re.compile(r"[\u0600-\u065f\u066e-\u06ef\u06fa-\u06ff]+")
_LETTERS = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک", "ە": "ه", "\u0640": None})


class _DecimalDigits(dict[int, int]):
    """A str.translate table: every decimal digit Unicode knows becomes its ASCII digit.

    Persian, Arabic-Indic, full-width, Devanagari … all have a decimal value; superscripts,
    circled and fraction digits have none and stay as typed (so ``[0-9]`` refuses them).
    """

    def __missing__(self, code: int) -> int:
        value = unicodedata.decimal(chr(code), None)
        self[code] = ord(str(value)) if value is not None else code
        return self[code]


_TO_ASCII = _DecimalDigits()
_NUMBER = re.compile(r"[0-9]+")
_JALALI = re.compile(r"[0-9]{1,4}/[0-9]{1,2}/[0-9]{1,2}")


def ascii_digits(value: str) -> str:
    """Turn the decimal digits of any script (Persian, Arabic, full-width …) into ASCII.

    The one digit rule of the portal: every field, filter and search reads digits through
    here, then accepts only ``[0-9]`` — never ``str.isdigit`` or ``\\d``, which let
    superscripts and other scripts through.
    """
    return value.translate(_TO_ASCII)


def parse_int(value: object, *, max_digits: int = 18) -> int | None:
    """A whole number typed in any digits, or None when it is not one (or too long).

    ``max_digits`` keeps it inside a PostgreSQL bigint; guard every ``int()`` of input.
    """
    text = ascii_digits(str(value)).strip()
    if len(text) > max_digits or not _NUMBER.fullmatch(text):
        return None
    return int(text)


def persian_digits(value: object) -> str:
    """Turn ASCII digits into Persian digits for display."""
    return str(value).translate(_TO_PERSIAN)


def local_digits(value: object) -> str:
    """Digits in the script of the active language (Persian digits on Persian pages)."""
    return persian_digits(value) if translation.get_language() == "fa" else str(value)


def group_thousands(value: int) -> str:
    """Group an amount in thousands: ۱٬۵۰۰٬۰۰۰ on Persian pages, 1,500,000 otherwise."""
    grouped = f"{value:,}"
    if translation.get_language() == "fa":
        return persian_digits(grouped.replace(",", THOUSANDS_SEPARATOR))
    return grouped


def left_to_right(value: str) -> str:
    """Show a code, letter number or web address left to right, as written, in Persian text."""
    # A left-to-right isolate (LRI … PDI) keeps the words around it in place, and a
    # left-to-right mark after each run of Persian letters keeps the digits after them
    # European: without it «۱۴۰۵/پ/۲» would show as ۱۴۰۵/۲/پ. Browsers and WeasyPrint
    # both honour the characters (WeasyPrint ignores CSS `unicode-bidi: isolate`).
    return "\u2066" + _ARABIC_LETTERS.sub("\\g<0>\u200e", value) + "\u2069"


def normalize_letters(value: str) -> str:
    """Use Persian ی/ک and drop tatweel, keeping the text's layout."""
    return value.translate(_LETTERS)


def normalize_text(value: str) -> str:
    """Normalise letters and collapse runs of whitespace into single spaces."""
    return " ".join(normalize_letters(value).split())


def parse_jalali(value: str) -> dt.date:
    """Read a Jalali date typed as 1380/05/12 (any digits, / or - separators)."""
    text = ascii_digits(value).strip().replace("-", "/")
    if not _JALALI.fullmatch(text):
        raise ValueError(value)
    year, month, day = (int(p) for p in text.split("/"))
    try:
        return jdatetime.date(year, month, day).togregorian()
    except (OverflowError, ValueError) as exc:  # 1403/12/31, year 9999 …
        raise ValueError(value) from exc


def format_jalali(value: dt.date | dt.datetime | None, with_time: bool = False) -> str:
    """Show a date (or an aware datetime in local time) as a Jalali date."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        from django.utils import timezone

        local = timezone.localtime(value) if timezone.is_aware(value) else value
        jd = jdatetime.datetime.fromgregorian(datetime=local)
        return jd.strftime("%Y/%m/%d %H:%M" if with_time else "%Y/%m/%d")
    return jdatetime.date.fromgregorian(date=value).strftime("%Y/%m/%d")


def jalali_year(value: dt.date) -> int:
    return jdatetime.date.fromgregorian(date=value).year
