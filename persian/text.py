"""Persian text helpers: digits, Arabic letters, Jalali dates."""

import datetime as dt

import jdatetime
from django.utils import translation

PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"
ARABIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"
_TO_ASCII = str.maketrans(PERSIAN_DIGITS + ARABIC_DIGITS, "0123456789" * 2)
_TO_PERSIAN = str.maketrans("0123456789", PERSIAN_DIGITS)
THOUSANDS_SEPARATOR = "٬"  # U+066C ARABIC THOUSANDS SEPARATOR, the Persian one
_LETTERS = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک", "ە": "ه", "\u0640": None})


def ascii_digits(value: str) -> str:
    """Turn Persian and Arabic-Indic digits into ASCII digits."""
    return value.translate(_TO_ASCII)


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


def isolate(value: str) -> str:
    """Keep a code, letter number or address in its own order inside text of either direction."""
    # Unicode's first-strong isolate (FSI … PDI): ۱۴۰۵/پ/۲ reads right to left, an address
    # left to right, and neither reorders the words around it. Browsers and WeasyPrint both
    # honour the characters; WeasyPrint ignores CSS `unicode-bidi: isolate`.
    return f"\u2068{value}\u2069"


def normalize_letters(value: str) -> str:
    """Use Persian ی/ک and drop tatweel, keeping the text's layout."""
    return value.translate(_LETTERS)


def normalize_text(value: str) -> str:
    """Normalise letters and collapse runs of whitespace into single spaces."""
    return " ".join(normalize_letters(value).split())


def parse_jalali(value: str) -> dt.date:
    """Read a Jalali date typed as 1380/05/12 (any digits, / or - separators)."""
    text = ascii_digits(value).strip().replace("-", "/")
    parts = text.split("/")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        raise ValueError(value)
    year, month, day = (int(p) for p in parts)
    return jdatetime.date(year, month, day).togregorian()


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
