"""Numbers in Persian digits inside inputs too, read back in any digits; amounts with «٬»."""

import re

import pytest
from django import forms
from django.template import Context, Template
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from persian.fields import DigitsCharField, JalaliDateField, RialsField
from persian.text import group_thousands, left_to_right, persian_digits
from persian.widgets import AmountInput, BirthDateInput, DigitsInput


class NumbersForm(forms.Form):
    number = forms.CharField(widget=DigitsInput())
    debt = RialsField()
    letter = DigitsCharField()
    day = JalaliDateField()


def rendered_value(html: str, name: str) -> str:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', html)
    assert match, html
    return match.group(1)


@pytest.fixture
def persian():
    with translation.override("fa"):
        yield


def test_inputs_show_persian_digits_on_persian_pages(persian):
    form = NumbersForm(initial={"number": "98100001", "debt": 1500000, "letter": "1405/پ/2"})
    html = str(form)
    assert rendered_value(html, "number") == "۹۸۱۰۰۰۰۱"
    assert rendered_value(html, "debt") == "۱٬۵۰۰٬۰۰۰"
    assert rendered_value(html, "letter") == "۱۴۰۵/پ/۲"
    # The marker static/js/digits.js keeps them Persian as the user types.
    assert 'data-digits="text"' in html and 'data-digits="amount"' in html


def test_inputs_keep_ascii_digits_on_english_pages():
    with translation.override("en"):
        html = str(NumbersForm(initial={"number": "98100001", "debt": 1500000}))
    assert rendered_value(html, "number") == "98100001"
    assert rendered_value(html, "debt") == "1,500,000"


def test_what_was_typed_comes_back_in_persian_digits(persian):
    form = NumbersForm(data={"number": "98100001", "debt": "12x", "letter": "", "day": "1380/5"})
    assert not form.is_valid()
    html = str(form)
    assert rendered_value(html, "number") == "۹۸۱۰۰۰۰۱"
    assert rendered_value(html, "debt") == "۱۲x"  # not an amount: shown as typed, digits Persian
    assert rendered_value(html, "day") == "۱۳۸۰/۵"


@settings(max_examples=60, deadline=None)
@given(
    amount=st.integers(min_value=0, max_value=10**13),
    digits=st.sampled_from(["ascii", "persian", "arabic"]),
    separator=st.sampled_from(["", ",", "٬", " "]),
)
def test_amounts_are_read_in_any_digits_and_separators(amount, digits, separator):
    typed = f"{amount:,}".replace(",", separator)
    if digits == "persian":
        typed = persian_digits(typed)
    elif digits == "arabic":
        typed = typed.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    form = NumbersForm(data={"number": "1", "debt": typed, "letter": "x", "day": "1380/05/12"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["debt"] == amount


def test_letter_numbers_and_dates_are_stored_in_ascii_digits():
    form = NumbersForm(
        data={"number": "۱", "debt": "۰", "letter": " ۱۴۰۵/پ/۰۰۰۲ ", "day": "۱۳۸۰/۰۵/۱۲"}
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["letter"] == "1405/پ/0002"
    assert form.cleaned_data["day"].isoformat() == "2001-08-03"


def test_amounts_use_the_persian_thousands_separator(persian):
    assert group_thousands(1_500_000) == "۱٬۵۰۰٬۰۰۰"
    assert group_thousands(0) == "۰"
    assert AmountInput().format_value(2500) == "۲٬۵۰۰"
    html = Template("{% load persian %}{{ debt|rials }}").render(Context({"debt": 2_500_000}))
    assert html == "۲٬۵۰۰٬۰۰۰"


def test_birth_date_picker_offers_a_students_years_and_opens_on_a_graduates(persian):
    html = BirthDateInput().render("birth_date", None)
    years = {
        name: int(re.search(rf'{name}="(\d{{4}})/', html).group(1))  # type: ignore[union-attr]
        for name in ("data-jdp-min-date", "data-jdp-max-date", "data-jdp-start")
    }
    assert years["data-jdp-min-date"] < years["data-jdp-start"] < years["data-jdp-max-date"]
    assert years["data-jdp-max-date"] - years["data-jdp-min-date"] in (75, 76, 77)
    assert 'data-jdp=""' in html


def test_codes_and_letter_numbers_read_left_to_right_as_written(persian):
    assert left_to_right("http://x/verify/A/") == "\u2066http://x/verify/A/\u2069"
    html = Template("{% load persian %}«{{ n|fadigits|ltr }}»").render(Context({"n": "1405/پ/2"}))
    # The mark after «پ» keeps «۲» a European number, so nothing reorders inside.
    assert html == "«\u2066۱۴۰۵/پ\u200e/۲\u2069»"


ODD_TEXT = st.one_of(
    st.text(max_size=40),
    st.text(alphabet="0123456789۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩０１²³٬,/ـ\x00", max_size=40),
    st.just("۱" * 10_000),
)


@settings(max_examples=80, deadline=None)
@given(number=ODD_TEXT, debt=ODD_TEXT, letter=ODD_TEXT, day=ODD_TEXT)
def test_any_text_is_saved_clean_or_refused_clearly(number, debt, letter, day):
    form = NumbersForm(data={"number": number, "debt": debt, "letter": letter, "day": day})
    with translation.override("fa"):
        if form.is_valid():
            assert not set(form.cleaned_data["letter"]) & set("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩")
        else:
            assert all(str(message) for errors in form.errors.values() for message in errors)
        str(form)  # and it is drawn again, whatever was typed
