from datetime import date

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from clinic.core.validators import age_in_years, validate_birth_date, validate_phone_number


@pytest.mark.parametrize(
    "number", ["(617) 555-0100", "+1 617 555 0100", "617.555.0100", "+44 20 7946 0958", "5550100"]
)
def test_phone_numbers_people_type_are_accepted(number):
    validate_phone_number(number)


@pytest.mark.parametrize(
    "number", ["call me", "555-01", "+1 (617) 555-0100 ext 12", "1234567890123456", ""]
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
