"""Inputs for numbers that show Persian digits on Persian pages; the server reads any digits.

The value is drawn in the page's digits; ``static/js/digits.js`` keeps what is typed in them
(``data-digits``) and groups amounts with the Persian thousands separator «٬». The form
fields behind them normalise to ASCII (``persian.fields``, ``persian.validators``).
"""

import datetime as dt
from typing import Any

from django import forms

from persian import validators
from persian.text import format_jalali, group_thousands, local_digits, parse_int


class DigitsInput(forms.TextInput):
    """A text input for numbers, codes and dates, shown in the page's digits."""

    digits = "text"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"inputmode": "numeric", **(attrs or {}), "data-digits": self.digits})

    def format_value(self, value: Any) -> str | None:
        text = super().format_value(value)
        return local_digits(text) if text else text


class AmountInput(DigitsInput):
    """An amount in rials, grouped in thousands: ۱٬۵۰۰٬۰۰۰."""

    digits = "amount"

    def format_value(self, value: Any) -> str | None:
        text = forms.TextInput.format_value(self, value)
        if not text:
            return text
        amount = parse_int(text.replace(",", "").replace("٬", ""))
        # Anything but an amount (letters, ², 10,000 digits) is shown as typed.
        return group_thousands(amount) if amount is not None else local_digits(text)


class BirthDateInput(DigitsInput):
    """A Jalali birth date: the picker offers a student's possible years and opens on a
    typical graduate's birth year (25 years ago), not on today."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"data-jdp": "", "maxlength": 10, "autocomplete": "bday", **(attrs or {})})

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        oldest, youngest = validators.birth_date_range()
        today = dt.date.today()
        picker = {
            # The picker reads ASCII digits only; what the student sees stays Persian.
            "data-jdp-min-date": format_jalali(oldest),
            "data-jdp-max-date": format_jalali(youngest),
            "data-jdp-start": format_jalali(today.replace(year=today.year - 25, day=1)),
        }
        return super().get_context(name, value, {**(attrs or {}), **picker})
