"""The clinic's registration and guardian policy, as the pages and services read it."""

from __future__ import annotations

from clinic.patients.models import PatientPolicy


def get_patient_policy() -> PatientPolicy:
    """The clinic's registration and guardian policy (its defaults before the medical director
    saves one)."""
    return PatientPolicy.objects.filter(singleton=True).first() or PatientPolicy()
