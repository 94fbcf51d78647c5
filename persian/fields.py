"""Form fields for Persian input: amounts, Jalali dates and numbers typed in any digits."""

import datetime as dt
from typing import Any

from django import forms

from persian import validators
from persian.text import ascii_digits, format_jalali, normalize_letters
from persian.widgets import AmountInput, DigitsInput


class PersianTextField(forms.CharField):
    """Free text with Persian letters (ی/ک, no tatweel), judged after that normalisation.

    Text made only of tatweel or spaces is therefore empty: a required field says so,
    instead of the action failing later.
    """

    def to_python(self, value: Any) -> Any:
        text = super().to_python(value)
        return normalize_letters(text).strip() if isinstance(text, str) else text


class RialsField(forms.IntegerField):
    """An amount typed in any digits, with or without thousands separators."""

    widget = AmountInput(attrs={"autocomplete": "off"})

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            value = ascii_digits(value).replace(",", "").replace("٬", "").replace(" ", "")
        return super().to_python(value)


class DigitsCharField(forms.CharField):
    """Text such as a letter number, shown in the page's digits and kept in ASCII digits."""

    widget = DigitsInput(attrs={"inputmode": "text", "dir": "auto"})

    def to_python(self, value: Any) -> str:
        return ascii_digits(super().to_python(value) or "")


class JalaliDateField(forms.Field):
    """A date typed in the Jalali calendar as 1380/05/12, stored as a Gregorian date."""

    widget = DigitsInput(attrs={"data-jdp": "", "maxlength": 10, "autocomplete": "off"})

    def prepare_value(self, value: Any) -> Any:
        if hasattr(value, "year"):
            return format_jalali(value)
        return value

    def to_python(self, value: Any) -> Any:
        if isinstance(value, dt.date):  # a read-only field's initial value
            return value
        text = str(value or "").strip()
        if not text:
            return None
        return validators.clean_jalali_date(text)
