"""Phone numbers, read with Google's libphonenumber (the `phonenumbers` package) and stored in
E.164 form (ITU-T Recommendation E.164: `+`, country code, national number, at most 15 digits),
the form an SMS provider takes. A number typed without `+country code` is read as a number of
`CLINIC_PHONE_REGION` (the US unless set)."""

from __future__ import annotations

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

INVALID = (
    "Enter a phone number that can be called, with its area code, e.g. (617) 555-0100, or "
    "with + and the country code for a number abroad, e.g. +44 20 7946 0958."
)


def parse_phone_number(value: str) -> phonenumbers.PhoneNumber | None:
    """The number `value` names, or None if it is not a valid, callable number."""
    text = (value or "").strip()
    if not text or len(text) > 40:
        return None
    try:
        number = phonenumbers.parse(text, settings.CLINIC_PHONE_REGION)
    except phonenumbers.NumberParseException:
        return None
    # An extension ("ext 12") cannot be dialled by an SMS provider or kept in E.164: refused.
    if number.extension or not phonenumbers.is_valid_number(number):
        return None
    return number


def to_e164(value: str) -> str:
    """`value` in E.164 form (`+16175550100`); ValidationError if it is not a valid number."""
    number = parse_phone_number(value)
    if number is None:
        raise ValidationError(INVALID, code="invalid_phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def for_display(value: str) -> str:
    """How a stored number is shown: national form for the clinic's country, international for
    others; a value that is not a number (an old row) is shown as it was typed."""
    number = parse_phone_number(value)
    if number is None:
        return value or ""
    region = phonenumbers.region_code_for_number(number)
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if region == settings.CLINIC_PHONE_REGION
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, style)


class PhoneNumberField(models.CharField):
    """A CharField that holds E.164: cleaning (forms, `full_clean()`) turns what was typed into
    E.164 and refuses what is not a number; saving stores E.164 for any value that is one."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 40)
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if value in (None, ""):
            return value
        return to_e164(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value:
            number = parse_phone_number(value)
            if number is not None:
                return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        return value
