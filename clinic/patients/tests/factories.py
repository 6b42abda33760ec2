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
