"""The form's server-side rules, one by one."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from clearance.demo import make_national_code
from persian import validators
from persian.text import ascii_digits, normalize_text, parse_jalali


@pytest.mark.parametrize(
    "code", ["0499370899", "0790419904", "0084575948", make_national_code(1234)]
)
def test_valid_national_codes(code):
    assert validators.national_code_is_valid(code)


@pytest.mark.parametrize(
    "code", ["0499370898", "1111111111", "0000000000", "123456789", "12345678901", "abcdefghij"]
)
def test_invalid_national_codes(code):
    assert not validators.national_code_is_valid(code)


def test_national_code_accepts_persian_and_arabic_digits():
    assert validators.clean_national_code("۰۴۹۹۳۷۰۸۹۹") == "0499370899"
    assert validators.clean_national_code("٠٤٩٩٣٧٠٨٩٩") == "0499370899"
    with pytest.raises(ValidationError):
        validators.clean_national_code("۱۱۱۱۱۱۱۱۱۱")


@pytest.mark.parametrize(
    "raw", ["09121234567", "+989121234567", "00989121234567", "۰۹۱۲۱۲۳۴۵۶۷", "0912 123 4567"]
)
def test_mobile_forms_normalise(raw):
    assert validators.clean_mobile(raw) == "09121234567"


@pytest.mark.parametrize("raw", ["0912123456", "08121234567", "9121234567890", "تلفن"])
def test_bad_mobiles_refused(raw):
    with pytest.raises(ValidationError):
        validators.clean_mobile(raw)


def test_landline_needs_area_code():
    assert validators.clean_landline("۰۲۱-۸۸۷۷۶۶۵۵") == "02188776655"
    with pytest.raises(ValidationError):
        validators.clean_landline("88776655")


def test_jalali_dates_in_any_digits():
    assert parse_jalali("1380/05/12") == dt.date(2001, 8, 3)
    assert parse_jalali("۱۳۸۰/۰۵/۱۲") == dt.date(2001, 8, 3)
    assert parse_jalali("١٣٨٠-٠٥-١٢") == dt.date(2001, 8, 3)
    for bad in ("1380/13/01", "1380/05", "۱۳۸۰/۱۲/۳۱۱", "hello"):
        with pytest.raises(ValidationError):
            validators.clean_jalali_date(bad)


def test_birth_date_must_be_sane():
    today = dt.date(2026, 11, 25)
    assert validators.check_birth_date(dt.date(2001, 8, 3), today=today)
    for date in (dt.date(2020, 1, 1), dt.date(1900, 1, 1)):
        with pytest.raises(ValidationError):
            validators.check_birth_date(date, today=today)


def test_text_normalisation():
    assert normalize_text("علي  كريمي") == "علی کریمی"
    assert ascii_digits("۱۲۳٤٥") == "12345"
    with pytest.raises(ValidationError):
        validators.clean_persian_name("Ali Karimi")


@pytest.mark.parametrize(
    "typed",
    ["００８４５７５９４８", "¹²³⁴⁵⁶⁷⁸⁹⁰", "٠٠٨٤٥٧٥٩٤٨".replace("٠", "߀")],
)
def test_digits_of_other_scripts_are_refused_not_stored_as_typed(typed):
    with pytest.raises(ValidationError):
        validators.clean_national_code(typed)
    with pytest.raises(ValidationError):
        validators.clean_mobile("０９１２１２３４５６７")


def test_one_check_digit_rule_validates_and_generates():
    for serial in (1, 42, 1_000_007):
        code = make_national_code(serial)
        assert validators.national_code_is_valid(code)
        assert code[9] == validators.national_code_check_digit(code)
