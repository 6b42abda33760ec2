"""Age rules of the patient record: who is a minor, and the clinic's minimum age (pure rules and
the one read of the clinic's setting)."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from clinic.core.validators import age_in_years

# The age at which a person consents to their own treatment: 18 in most US states (state law
# decides, with exceptions for emancipated minors) [UNVERIFIED clinic policy]. Below it a patient
# needs a guardian, whose consent is signed beside the patient's own assent (American Academy of
# Pediatrics, "Informed Consent in Decision-Making in Pediatric Practice", Pediatrics
# 2016;138:e20161484: the parent's permission and the child's assent).
AGE_OF_MAJORITY_YEARS = 18


def is_minor(date_of_birth: date, on: date) -> bool:
    return age_in_years(date_of_birth, on) < AGE_OF_MAJORITY_YEARS


def patient_today(patient) -> date:
    """Today in the patient's home location's zone when the location is already loaded (no
    query), else in the clinic's default zone: a birthday is off by at most the hours between
    the two."""
    location = patient._state.fields_cache.get("location")
    if location is not None:
        return timezone.localdate(timezone.now(), location.zone)
    return timezone.localdate()


def patient_is_minor_today(patient) -> bool:
    return is_minor(patient.date_of_birth, patient_today(patient))


def under_age_message(minimum_age_years: int) -> str:
    """The refusal shown when someone younger than the clinic's minimum age asks or is
    registered."""
    if minimum_age_years >= AGE_OF_MAJORITY_YEARS:
        return f"Our clinic treats adults only: you must be at least {minimum_age_years} years old."
    return f"Our clinic treats patients aged {minimum_age_years} and over."
