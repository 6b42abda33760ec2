"""Response and remission at 3 months: the first score in weeks 12–16 after the first dose,
only for patients whose first dose is at least 12 weeks ago; checked against a known set."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from clinic.assessments.tests.factories import record_phq9
from clinic.outcomes.selectors import OutcomeFilters, response_at_3_months
from clinic.patients.tests.factories import register_test_patient
from clinic.scheduling.models import Appointment, AppointmentType
from clinic.sessions.models import TreatmentSession
from clinic.sessions.tests.factories import plan_for
from conftest import client_for

pytestmark = pytest.mark.django_db


def _patient(clinician, nurse, location, name, *, first_dose_days_ago, scores):
    """Baseline PHQ-9 before the first dose, one dose, then `scores`: {days after the first
    dose: total}."""
    patient = register_test_patient(
        actor=clinician, location=location, first_name=name, last_name="Three"
    )
    record_phq9(
        actor=clinician,
        patient=patient,
        total=20,
        days_ago=first_dose_days_ago + 5,
        context="baseline",
    )
    version = plan_for(clinician, patient, consent=False)
    at = timezone.now() - timedelta(days=first_dose_days_ago)
    kind = AppointmentType.objects.filter(kind="treatment", route=version.route).first()
    appointment = Appointment.objects.create(
        patient=patient,
        location=location,
        appointment_type=kind,
        starts_at=at - timedelta(minutes=30),
        ends_at=at + timedelta(minutes=90),
        status="completed",
        plan_version=version,
        booked_by=clinician,
    )
    TreatmentSession.objects.create(
        patient=patient,
        location=location,
        appointment=appointment,
        plan_version=version,
        route=version.route,
        status="signed",
        started_by=nurse,
        dose_mg=version.dose_mg,
        dose_confirmed_by=nurse,
        dose_confirmed_at=at,
        dose_verified_by=clinician,
        dose_verified_at=at,
        dosed_at=at,
    )
    for days_after, total in scores.items():
        record_phq9(
            actor=clinician, patient=patient, total=total, days_ago=first_dose_days_ago - days_after
        )
    return patient


def test_response_at_3_months_reads_the_first_score_in_weeks_12_to_16(
    clinician, nurse, location, medical_director
):
    # Responds at 3 months (20 → 8, a fall of 60 %); the score at day 50 is not the one read,
    # nor the later one at day 100.
    _patient(
        clinician, nurse, location, "A", first_dose_days_ago=120, scores={50: 19, 90: 8, 100: 15}
    )
    # Only a score at day 60: at 3 months, but no score in the window.
    _patient(clinician, nurse, location, "B", first_dose_days_ago=120, scores={60: 9})
    # First dose 40 days ago: not yet at 3 months, not counted at all.
    _patient(clinician, nurse, location, "C", first_dose_days_ago=40, scores={20: 5})
    rows = [r for r in response_at_3_months(OutcomeFilters()) if r.instrument == "phq9"]
    assert len(rows) == 1
    row = rows[0]
    assert (row.patients, row.no_score_after, row.assessed, row.responders) == (2, 1, 1, 1)
    # Remission (PHQ-9 below 5): 8 is not.
    assert (row.remission_eligible, row.remitters) == (1, 0)
    assert row.median_change == -12
    page = client_for(medical_director).get("/outcomes/")
    text = page.content.decode()
    assert "Response and remission at 3 months" in text and "2 at 3 months" in text
    csv = client_for(medical_director).get("/outcomes/export/response-3-months.csv")
    assert csv.status_code == 200 and "Patients at 3 months" in csv.content.decode()
