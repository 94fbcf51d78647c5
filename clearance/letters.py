"""The secretariat's letter numbers: per faculty, per Jalali year, unique."""

import datetime as dt

from django.db import connection
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
    """Take the faculty's next letter number of the Jalali year ``on`` falls in."""
    year = jalali_year(on)
    number = _sequence_next(faculty_id=faculty.pk, year=year)
    # Skip numbers an expert already typed by hand.
    while ClearanceRequest.objects.filter(
        letter_number=letter_number_format(faculty, year, number)
    ).exists():
        number = _sequence_next(faculty_id=faculty.pk, year=year)
    return letter_number_format(faculty, year, number)


def _sequence_next(*, faculty_id: int, year: int) -> int:
    """Advance the sequence in one statement: the row is created or locked and bumped at
    once, so two secretaries never draw the same number."""
    table = connection.ops.quote_name(LetterSequence._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (faculty_id, year, last_number) VALUES (%s, %s, 1) "
            f"ON CONFLICT (faculty_id, year) DO UPDATE SET last_number = {table}.last_number + 1 "
            "RETURNING last_number",
            [faculty_id, year],
        )
        return int(cursor.fetchone()[0])
