"""Patients are made through the registration service, so tests see the same audit trail and
MRNs as real use."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

from clinic.accounts.choices import Role
from clinic.accounts.models import User
from clinic.patients.models import Patient
from clinic.patients.services import register_patient

_sequence = itertools.count(1)


def patient_details(**overrides) -> dict:
    n = next(_sequence)
    details = {
        "legal_first_name": f"First{n}",
        "legal_last_name": f"Last{n}",
        "date_of_birth": date(1985, 3, 14),
        "sex": "female",
        "phone": "(617) 555-0199",
        "email": f"patient{n}@example.com",
        "primary_conditions": ["trd"],
        "height_cm": Decimal("170.0"),
        "weight_kg": Decimal("70.0"),
    }
    details.update(overrides)
    return details


def register_test_patient(
    *,
    actor,
    location,
    first_name: str | None = None,
    last_name: str | None = None,
    portal: bool = False,
    **overrides,
) -> Patient:
    if first_name:
        overrides["legal_first_name"] = first_name
    if last_name:
        overrides["legal_last_name"] = last_name
    patient = register_patient(actor=actor, location=location, details=patient_details(**overrides))
    if portal:
        # A portal account with a known password (the invitation flow is tested on its own).
        user = User.objects.create_user(
            f"{patient.legal_first_name.lower()}.{patient.pk}@patients.test",
            "correct-horse-battery-staple",
            full_name=patient.display_name,
            role=Role.PATIENT,
        )
        Patient.objects.filter(pk=patient.pk).update(user=user)
        patient.refresh_from_db()
    return patient


def years_ago(years: int, *, days: int = 0) -> date:
    """A birth date that makes a person `years` old today (and `days` past that birthday)."""
    from datetime import timedelta

    from django.utils import timezone

    today = timezone.localdate()
    try:
        birthday = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        birthday = today.replace(year=today.year - years, day=28)
    return birthday - timedelta(days=days)


def allow_minors(minimum_age_years: int = 12):
    """The medical director's setting: the clinic sees patients from this age."""
    from clinic.patients.models import PatientPolicy

    policy, _ = PatientPolicy.objects.update_or_create(
        singleton=True, defaults={"minimum_age_years": minimum_age_years}
    )
    return policy


def register_test_minor(*, actor, location, age_years: int = 16, **overrides) -> Patient:
    """A minor patient (the clinic's minimum age lowered first)."""
    allow_minors()
    return register_test_patient(
        actor=actor, location=location, date_of_birth=years_ago(age_years, days=40), **overrides
    )


def guardian_details(**overrides) -> dict:
    n = next(_sequence)
    details = {
        "full_name": f"Jordan Guardian{n}",
        "relationship": "parent",
        "phone": "(617) 555-0123",
        "email": f"guardian{n}@example.com",
        "authority_proof": "birth_certificate",
        "authority_proof_note": "Birth certificate seen at the front desk.",
    }
    details.update(overrides)
    return details


def add_test_guardian(*, actor, patient, portal: bool = False, **overrides):
    from clinic.patients.services import add_guardian

    guardian = add_guardian(actor=actor, patient=patient, details=guardian_details(**overrides))
    if portal:
        user = User.objects.create_user(
            guardian.email,
            "correct-horse-battery-staple",
            full_name=guardian.full_name,
            role=Role.GUARDIAN,
        )
        type(guardian).objects.filter(pk=guardian.pk).update(user=user)
        guardian.refresh_from_db()
    return guardian
