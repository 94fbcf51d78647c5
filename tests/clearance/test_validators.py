"""The form's server-side rules, one by one."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from clearance.demo import make_national_code
from persian import validators
from persian.text import ascii_digits, normalize_text, parse_int, parse_jalali


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
    ["００８４５７５９４８", "٠٠٨٤٥٧٥٩٤٨".replace("٠", "߀"), "००८४५७५९४८", "۰۰۸۴۵۷۵۹۴۸"],
)
def test_decimal_digits_of_every_script_are_stored_as_ascii(typed):
    # One digit rule: the same person's code is one value, whatever keyboard typed it.
    assert validators.clean_national_code(typed) == "0084575948"
    assert validators.clean_mobile("０９１２١٢٣४५६७") == "09121234567"
    assert validators.clean_digits(typed, min_length=5, max_length=12) == "0084575948"


@pytest.mark.parametrize("typed", ["¹²³⁴⁵⁶⁷⁸⁹⁰", "⓪⓪⑧④⑤⑦⑤⑨④⑧", "00845759４8²", "½"])
def test_digits_without_a_decimal_value_are_refused_not_stored_as_typed(typed):
    with pytest.raises(ValidationError):
        validators.clean_national_code(typed)
    with pytest.raises(ValidationError):
        validators.clean_digits(typed, min_length=1, max_length=12)
    with pytest.raises(ValidationError):
        validators.clean_mobile("09" + typed)
    assert parse_int(typed) is None


def test_a_name_holds_no_digit_of_any_script():
    for name in ("علی ۲", "علی ٢", "علی 2", "علی ²"):
        with pytest.raises(ValidationError):
            validators.clean_persian_name(name)
    assert validators.clean_persian_name("علي‌رضا") == "علی‌رضا"


def test_a_jalali_date_of_odd_digits_or_out_of_range_is_refused_not_a_crash():
    assert validators.clean_jalali_date("۱۳۸۰/۰۵/۱۲") == dt.date(2001, 8, 3)
    assert validators.clean_jalali_date("１３８０-０５-１２") == dt.date(2001, 8, 3)
    for typed in ("¹³⁸⁰/05/12", "9999/12/31", "1380/13/01", "1380/05/12/1", "1" * 5000):
        with pytest.raises(ValidationError):
            validators.clean_jalali_date(typed)


def test_one_check_digit_rule_validates_and_generates():
    for serial in (1, 42, 1_000_007):
        code = make_national_code(serial)
        assert validators.national_code_is_valid(code)
        assert code[9] == validators.national_code_check_digit(code)
