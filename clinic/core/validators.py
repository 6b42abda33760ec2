"""Validators shared by every form and API schema that takes contact details."""

from __future__ import annotations

import re
from datetime import date

from django.core.exceptions import ValidationError

# Digits with the separators people type: spaces, dots, dashes, brackets and a leading +.
_PHONE_ALLOWED = re.compile(r"^\+?[\d\s().\-]+$")


def validate_phone_number(value: str) -> None:
    """Accept an international or North American number of 7 to 15 digits (ITU-T E.164 allows at
    most 15 digits)."""
    if not _PHONE_ALLOWED.match(value or ""):
        raise ValidationError(
            "Enter a phone number using digits, spaces, dashes or brackets, e.g. (555) 123-4567.",
            code="invalid_phone",
        )
    digits = re.sub(r"\D", "", value)
    if not 7 <= len(digits) <= 15:
        raise ValidationError(
            "A phone number has between 7 and 15 digits; check the number.", code="invalid_phone"
        )


def age_in_years(date_of_birth: date, on: date) -> int:
    had_birthday = (on.month, on.day) >= (date_of_birth.month, date_of_birth.day)
    return on.year - date_of_birth.year - (0 if had_birthday else 1)


def validate_birth_date(value: date, *, today: date, minimum_age_years: int | None = None) -> None:
    if value > today:
        raise ValidationError(
            "The date of birth cannot be in the future.", code="future_birth_date"
        )
    if value.year < today.year - 120:
        raise ValidationError(
            "Check the year of birth: it is more than 120 years ago.", code="too_old"
        )
    if minimum_age_years is not None and age_in_years(value, today) < minimum_age_years:
        raise ValidationError(
            f"Our clinic treats adults only: you must be at least {minimum_age_years} years old.",
            code="under_age",
        )
