"""A course of care on a known data set: a PHQ-9 baseline, a signed IV plan (six induction
sessions), sessions given, side effects and alerts at known times, and follow-up scores.

Questionnaires, the evaluation, the plan and the reviews go through their services. The sessions
are written as the chair-side services leave them (dosed, with a side effect or an alert): the
walk through those services is tested in clinic/sessions, and a review only reads the result."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from clinic.assessments.tests.factories import record_phq9
from clinic.patients.models import VitalSigns
from clinic.reviews import services
from clinic.scheduling.models import Appointment, AppointmentType
from clinic.sessions.models import MonitoringAlert, SessionReading, SideEffect, TreatmentSession
from clinic.sessions.tests.factories import plan_for
from conftest import PASSWORD


def given_session(version, *, nurse, at, status="signed", appointment_status="completed"):
    """A treatment session of `version` dosed at `at`."""
    patient = version.plan.patient
    kind_type = AppointmentType.objects.filter(
        kind="treatment", route=version.route, is_active=True
    ).first()
    appointment = Appointment.objects.create(
        patient=patient,
        location=patient.location,
        appointment_type=kind_type,
        starts_at=at - timedelta(minutes=30),
        ends_at=at + timedelta(minutes=kind_type.duration_minutes),
        status=appointment_status,
        booked_by=nurse,
    )
    return TreatmentSession.objects.create(
        patient=patient,
        location=patient.location,
        appointment=appointment,
        plan_version=version,
        route=version.route,
        status=status,
        started_by=nurse,
        dose_mg=version.dose_mg,
        dose_given_mg=version.dose_mg if status != "not_done" else None,
        dosed_at=at if status != "not_done" else None,
        dose_confirmed_by=nurse if status != "not_done" else None,
        dose_confirmed_at=at - timedelta(minutes=5) if status != "not_done" else None,
        dose_verified_by=version.signed_by if status != "not_done" else None,
        dose_verified_at=at - timedelta(minutes=4) if status != "not_done" else None,
        not_done_reason="Blood pressure too high." if status == "not_done" else "",
    )


def missed_appointment(patient, *, booked_by, at, status="cancelled"):
    kind_type = AppointmentType.objects.filter(kind="treatment", is_active=True).first()
    return Appointment.objects.create(
        patient=patient,
        location=patient.location,
        appointment_type=kind_type,
        starts_at=at,
        ends_at=at + timedelta(minutes=kind_type.duration_minutes),
        status=status,
        booked_by=booked_by,
        cancel_reason="illness" if status == "cancelled" else "",
        cancelled_at=at - timedelta(days=1) if status == "cancelled" else None,
    )


def side_effect(session, *, nurse, kind="nausea_vomiting", severity="mild"):
    return SideEffect.objects.create(
        session=session,
        kind=kind,
        severity=severity,
        onset_at=session.dosed_at + timedelta(minutes=20),
        interventions=["reassurance"],
        outcome="resolved",
        recorded_by=nurse,
    )


def vital_sign_alert(session, *, nurse, systolic=172):
    at = session.dosed_at + timedelta(minutes=15)
    vitals = VitalSigns.objects.create(
        patient=session.patient,
        location=session.location,
        context="monitoring",
        taken_at=at,
        systolic_mmhg=systolic,
        diastolic_mmhg=95,
        recorded_by=nurse,
    )
    reading = SessionReading.objects.create(
        session=session, vital_signs=vitals, source="manual", taken_at=at
    )
    return MonitoringAlert.objects.create(
        session=session,
        reading=reading,
        parameter="systolic_mmhg",
        value=Decimal(systolic),
        limit="160",
        message=f"Systolic {systolic} mmHg is above 160.",
        raised_at=at,
    )


def days_ago(days: float):
    return timezone.now() - timedelta(days=days)


def induction_course(clinician, nurse, patient, *, sessions=6, goals=()):
    """PHQ-9 20 at baseline (30 days ago), an IV plan, `sessions` sessions given over the last
    13 days (the 2nd with nausea, the 4th with a blood-pressure alert), one cancelled, and PHQ-9
    14 (10 days ago) and 8 (2 days ago): a 60 % fall, a response, not remission (< 5)."""
    record_phq9(actor=clinician, patient=patient, total=20, days_ago=30, context="baseline")
    version = plan_for(clinician, patient, goals=tuple(goals))
    given = []
    for number in range(sessions):
        given.append(given_session(version, nurse=nurse, at=days_ago(13 - 2 * number)))
    if sessions >= 2:
        side_effect(given[1], nurse=nurse)
    if sessions >= 4:
        vital_sign_alert(given[3], nurse=nurse)
    missed_appointment(patient, booked_by=nurse, at=days_ago(6))
    record_phq9(actor=clinician, patient=patient, total=14, days_ago=10)
    record_phq9(actor=clinician, patient=patient, total=8, days_ago=2)
    return version, given


def written_review(clinician, patient, *, decision="continue", **values):
    review = services.open_review(actor=clinician, patient=patient, kind="video")
    return services.update_review(
        actor=clinician,
        review=review,
        changes={
            "concerns": "Worried the effect wears off by day five.",
            "assessment": "Responding well; tolerating the infusions.",
            "decision": decision,
            "decision_reason": "Meets the response definition after the induction series.",
            **values,
        },
    )


def signed_review(clinician, patient, *, decision="continue", **values):
    review = written_review(clinician, patient, decision=decision, **values)
    return services.sign_review(actor=clinician, review=review, password=PASSWORD)
