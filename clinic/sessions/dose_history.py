"""Tells the treatment app which doses a patient has been given (clinic.treatment.dose_history)."""

from __future__ import annotations

from decimal import Decimal

from clinic.sessions.models import TreatmentSession
from clinic.treatment.dose_history import (
    GivenDose,
    register_dose_times_reader,
    register_doses_given_reader,
)


def doses_given_mg(*, patient, route: str) -> list[Decimal]:

    doses = TreatmentSession.objects.filter(
        patient=patient, route=route, dosed_at__isnull=False, dose_mg__isnull=False
    ).values_list("dose_mg", flat=True)
    return [dose for dose in doses if dose is not None]


def doses_given(*, patient):
    """Every dose given to the patient (any route, any session), for the booking's warning."""

    rows = TreatmentSession.objects.filter(patient=patient, dosed_at__isnull=False).values_list(
        "dosed_at", "route", "appointment_id"
    )
    return [
        GivenDose(at, route, appointment_id) for at, route, appointment_id in rows if at is not None
    ]


def register() -> None:

    register_doses_given_reader(doses_given_mg)
    register_dose_times_reader(doses_given)
