"""The secretariat's letter numbers: per faculty, per Jalali year, unique."""

import datetime as dt

from django.utils import timezone

from accounts.models import Faculty
from clearance.models import ClearanceRequest, LetterSequence
from persian.text import jalali_year


def letter_number_format(faculty: Faculty, year: int, number: int) -> str:
    return faculty.letter_format.format(
        year=year, prefix=faculty.letter_prefix or faculty.code, number=number
    )


def letter_number_propose(*, faculty: Faculty, on: dt.date | None = None) -> str:
    """Show the number the secretariat's next letter would get (nothing is reserved)."""
    year = jalali_year(on or timezone.localdate())
    last = (
        LetterSequence.objects.filter(faculty=faculty, year=year)
        .values_list("last_number", flat=True)
        .first()
    ) or 0
    return letter_number_format(faculty, year, last + 1)


def letter_number_allocate(*, faculty: Faculty, on: dt.date) -> str:
    year = jalali_year(on)
    LetterSequence.objects.get_or_create(faculty=faculty, year=year)
    sequence = LetterSequence.objects.select_for_update().get(faculty=faculty, year=year)
    number = sequence.last_number + 1
    # Skip numbers an expert already typed by hand.
    while ClearanceRequest.objects.filter(
        letter_number=letter_number_format(faculty, year, number)
    ).exists():
        number += 1
    sequence.last_number = number
    sequence.save(update_fields=["last_number"])
    return letter_number_format(faculty, year, number)
