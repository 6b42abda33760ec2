"""Tells the treatment app which doses a patient has been given (clinic.treatment.dose_history)."""

from __future__ import annotations

from decimal import Decimal


def doses_given_mg(*, patient, route: str) -> list[Decimal]:
    from clinic.sessions.models import TreatmentSession

    return list(
        TreatmentSession.objects.filter(
            patient=patient, route=route, dosed_at__isnull=False, dose_mg__isnull=False
        ).values_list("dose_mg", flat=True)
    )


def register() -> None:
    from clinic.treatment.dose_history import register_doses_given_reader

    register_doses_given_reader(doses_given_mg)
