from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from clinic.core.validators import (
    BOOKING_DATES,
    BROWSE_DATES,
    ENTRY_DATES,
    VIAL_EXPIRY_DATES,
    age_in_years,
    validate_birth_date,
    validate_phone_number,
)


@pytest.mark.parametrize(
    "number", ["(617) 555-0100", "+1 617 555 0100", "617.555.0100", "+44 20 7946 0958"]
)
def test_phone_numbers_people_type_are_accepted(number):
    validate_phone_number(number)


@pytest.mark.parametrize(
    "number",
    [
        "call me",
        "555-01",
        "+1 (617) 555-0100 ext 12",
        "1234567890123456",
        "",
        # Seven digits without the area code: no text message could reach it.
        "5550100",
        # Not a US area code (libphonenumber knows the numbering plan).
        "(055) 123-4567",
    ],
)
def test_impossible_phone_numbers_are_refused(number):
    with pytest.raises(ValidationError):
        validate_phone_number(number)


@pytest.mark.parametrize(
    ("birth", "on", "age"),
    [
        (date(2000, 5, 10), date(2018, 5, 9), 17),
        (date(2000, 5, 10), date(2018, 5, 10), 18),
        (date(2000, 2, 29), date(2018, 2, 28), 17),
        (date(2000, 2, 29), date(2018, 3, 1), 18),
    ],
)
def test_age_turns_over_on_the_birthday(birth, on, age):
    assert age_in_years(birth, on) == age


def test_a_birth_date_in_the_future_is_refused():
    with pytest.raises(ValidationError, match="future"):
        validate_birth_date(date(2030, 1, 1), today=date(2026, 11, 25))


def test_minimum_age_is_enforced_to_the_day():
    validate_birth_date(date(2008, 11, 25), today=date(2026, 11, 25), minimum_age_years=18)
    with pytest.raises(ValidationError, match="at least 18"):
        validate_birth_date(date(2008, 11, 26), today=date(2026, 11, 25), minimum_age_years=18)


@given(
    st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 1, 1)),
    st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 1, 1)),
)
def test_age_is_never_negative_after_birth(birth, on):
    if on >= birth:
        assert age_in_years(birth, on) >= 0


def test_a_birth_date_before_1900_is_refused_even_within_120_years():
    validate_birth_date(date(1900, 1, 1), today=date(2010, 1, 1))
    with pytest.raises(ValidationError, match="before 1900"):
        validate_birth_date(date(1899, 12, 31), today=date(2010, 1, 1))


TODAY = date(2026, 11, 25)


@pytest.mark.parametrize(
    ("date_range", "inside", "outside"),
    [
        (ENTRY_DATES, [TODAY, date(2025, 11, 25), date(2026, 11, 26)], [date(2025, 11, 23)]),
        (BOOKING_DATES, [TODAY, date(2026, 11, 24), date(2029, 11, 24)], [date(2029, 11, 26)]),
        (BROWSE_DATES, [date(2017, 1, 1), date(2029, 11, 24)], [date(2016, 1, 1)]),
        (VIAL_EXPIRY_DATES, [date(2026, 1, 1), date(2031, 11, 1)], [date(2032, 1, 1)]),
    ],
)
def test_each_date_range_takes_years_around_today_not_millennia(date_range, inside, outside):
    for value in inside:
        date_range(value, today=TODAY)
    for value in [*outside, date.min, date.max]:
        with pytest.raises(ValidationError):
            date_range(value, today=TODAY)


def test_a_far_date_is_refused_with_a_message_that_says_what_to_do():
    with pytest.raises(ValidationError, match="within the next 3 years"):
        BOOKING_DATES(date(9999, 12, 31), today=TODAY)
    with pytest.raises(ValidationError, match="today or a later date"):
        BOOKING_DATES(date(1, 1, 1), today=TODAY)


def test_a_datetime_is_judged_by_its_own_date_without_overflowing():
    far = datetime(9999, 12, 31, 23, 59, tzinfo=timezone(timedelta(hours=-5)))
    with pytest.raises(ValidationError):
        ENTRY_DATES(far, today=TODAY)
    with pytest.raises(ValueError, match="in the future"):
        ENTRY_DATES.check(far)
    assert ENTRY_DATES.check(datetime(2026, 11, 25, 9, tzinfo=UTC)) is not None


@given(st.text(max_size=40))
def test_parsing_a_query_date_never_fails(text):
    day = BROWSE_DATES.parse(text, today=TODAY)
    assert day is None or BROWSE_DATES.contains(day, today=TODAY)


@pytest.mark.parametrize("text", ["9999-12-31", "0001-01-01", "2026-02-30", "20261125", "", None])
def test_a_query_date_out_of_range_or_malformed_is_no_date(text):
    assert BROWSE_DATES.parse(text, today=TODAY) is None
    assert BROWSE_DATES.parse("2026-11-25", today=TODAY) == TODAY


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("(617) 555-0100", "+16175550100"),
        ("617.555.0100", "+16175550100"),
        ("+1 617 555 0100", "+16175550100"),
        ("+44 20 7946 0958", "+442079460958"),
    ],
)
def test_numbers_are_stored_in_e164(typed, stored):
    from clinic.core.phone import for_display, to_e164

    assert to_e164(typed) == stored
    assert for_display(stored) in {"(617) 555-0100", "+44 20 7946 0958"}
