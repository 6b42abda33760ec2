"""Every figure of the outcomes page against a small known clinic, worked out independently:
by hand here, and response and remission also by the per-patient rules of
clinic.assessments.progress (compute_progress) over the same scores."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from clinic.assessments.instruments import get_instrument
from clinic.assessments.models import AssessmentResponse
from clinic.assessments.progress import Point, compute_progress
from clinic.assessments.tests.factories import record_phq9
from clinic.intake.models import ConsultationRequest
from clinic.intake.tests.factories import submit_test_request
from clinic.outcomes.courses import rebuild_all as rebuild_course_summaries
from clinic.outcomes.selectors import (
    OutcomeFilters,
    funnel,
    response_at_session_6,
    session_rates,
)
from clinic.outcomes.statistics import quantile, wilson_interval
from clinic.patients.tests.factories import register_test_patient
from clinic.scheduling.models import Appointment, AppointmentType
from clinic.sessions.models import SideEffect, TreatmentSession
from clinic.sessions.tests.factories import plan_for
from clinic.treatment.models import ProtocolTemplate, TreatmentPlan
from conftest import client_for

# Each patient: PHQ-9 baseline, dosed sessions, the first PHQ-9 on or after the sixth dose.
PATIENTS = {
    "P1": {"baseline": 20, "sessions": 6, "after_sixth": 4},  # responds and remits
    "P2": {"baseline": 16, "sessions": 7, "after_sixth": 10},  # neither; in maintenance
    "P3": {"baseline": 4, "sessions": 6, "after_sixth": 2},  # responds; started below 5
    "P4": {"baseline": 18, "sessions": 1, "after_sixth": None, "stopped": True},
}
FIRST_DOSE_DAYS_AGO = 30


def dose_time(k: int):
    return timezone.now() - timedelta(days=FIRST_DOSE_DAYS_AGO - k)


def _sessions(patient, version, clinician, nurse, count):
    kind = AppointmentType.objects.filter(kind="treatment", route=version.route).first()
    for k in range(1, count + 1):
        appointment = Appointment.objects.create(
            patient=patient,
            location=patient.location,
            appointment_type=kind,
            starts_at=dose_time(k) - timedelta(minutes=30),
            ends_at=dose_time(k) + timedelta(minutes=90),
            status="completed",
            plan_version=version,
            booked_by=clinician,
        )
        TreatmentSession.objects.create(
            patient=patient,
            location=patient.location,
            appointment=appointment,
            plan_version=version,
            route=version.route,
            status="signed",
            started_by=nurse,
            dose_mg=version.dose_mg,
            dose_confirmed_by=nurse,
            dose_confirmed_at=dose_time(k),
            dose_verified_by=clinician,
            dose_verified_at=dose_time(k),
            dosed_at=dose_time(k),
            # Ready an hour after the dose, discharged 5 × k minutes later.
            ready_for_discharge_at=dose_time(k) + timedelta(minutes=60),
            discharged_at=dose_time(k) + timedelta(minutes=60 + 5 * k),
        )


@pytest.fixture
def clinic_data(clinician, nurse, location):
    patients = {}
    for name, facts in PATIENTS.items():
        request = submit_test_request(location=location, conditions=["trd"])
        patient = register_test_patient(
            actor=clinician, location=location, first_name=name, last_name="Known"
        )
        ConsultationRequest.objects.filter(pk=request.pk).update(
            patient=patient, status="converted"
        )
        record_phq9(
            actor=clinician,
            patient=patient,
            total=facts["baseline"],
            days_ago=40,
            context="baseline",
        )
        version = plan_for(clinician, patient, consent=False, induction_sessions=6)
        _sessions(patient, version, clinician, nurse, facts["sessions"])
        if facts["sessions"] >= 4:
            # A score before the sixth dose: not the one read at session 6.
            record_phq9(
                actor=clinician, patient=patient, total=15, days_ago=FIRST_DOSE_DAYS_AGO - 4
            )
        if facts["after_sixth"] is not None:
            record_phq9(
                actor=clinician,
                patient=patient,
                total=facts["after_sixth"],
                days_ago=FIRST_DOSE_DAYS_AGO - 7,
            )
        if facts.get("stopped"):
            TreatmentPlan.objects.filter(patient=patient).update(status="stopped")
        patients[name] = patient
    # A consultation that never became a patient, for another condition.
    submit_test_request(location=location, conditions=["ptsd"])
    # One side effect; attendance: a no-show, a late and an early cancellation by the patient.
    session = TreatmentSession.objects.filter(patient=patients["P1"]).first()
    SideEffect.objects.create(
        session=session,
        kind="nausea_vomiting",
        severity="mild",
        onset_at=session.dosed_at,
        interventions=[],
        outcome="resolved",
        recorded_by=clinician,
    )
    kind = AppointmentType.objects.filter(kind="treatment", route="iv").first()
    version = patients["P2"].treatment_plans.first().versions.first()
    for status, cancelled_hours_before in (("no_show", None), ("cancelled", 2), ("cancelled", 72)):
        starts_at = timezone.now() - timedelta(days=2)
        Appointment.objects.create(
            patient=patients["P2"],
            location=location,
            appointment_type=kind,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=2),
            status=status,
            plan_version=version,
            booked_by=clinician,
            cancel_reason="patient_request" if status == "cancelled" else "",
            cancelled_at=(
                starts_at - timedelta(hours=cancelled_hours_before)
                if cancelled_hours_before
                else None
            ),
        )
    # The sessions and the stopped plan above are written directly, not through the services
    # that keep the course summaries up to date: recompute them, as after an import.
    rebuild_course_summaries()
    return patients


def _counts(stages):
    return {stage.key: stage.count for stage in stages}


def _check_funnel_counts_each_stage_and_its_conversion(clinic_data):
    stages = funnel(OutcomeFilters())
    assert _counts(stages) == {
        "consultation": 5,
        "evaluated": 4,
        "suitable": 4,
        "plan_signed": 4,
        "session_1": 4,
        "session_6": 3,
        "maintenance": 1,
        "finished": 0,
        "stopped": 1,
    }
    conversion = {stage.key: stage.conversion_percent for stage in stages}
    assert conversion["consultation"] is None
    assert conversion["evaluated"] == Decimal("80.0")
    assert conversion["session_6"] == Decimal("75.0")
    assert conversion["maintenance"] == Decimal("33.3")
    # Finished and stopped are read against those who started.
    assert conversion["stopped"] == Decimal("25.0")


def _check_funnel_filters_by_condition_route_protocol_and_dates(clinic_data, location):
    ptsd = _counts(funnel(OutcomeFilters(condition="ptsd")))
    assert ptsd["consultation"] == 1 and ptsd["evaluated"] == 0
    assert _counts(funnel(OutcomeFilters(condition="trd")))["consultation"] == 4
    assert _counts(funnel(OutcomeFilters(route="intranasal")))["consultation"] == 0
    iv = ProtocolTemplate.objects.get(name__startswith="IV ketamine — treatment-resistant")
    assert _counts(funnel(OutcomeFilters(protocol=iv)))["consultation"] == 4
    tomorrow = timezone.localdate() + timedelta(days=1)
    assert _counts(funnel(OutcomeFilters(date_from=tomorrow)))["consultation"] == 0
    assert _counts(funnel(OutcomeFilters(location=location)))["consultation"] == 5


def _independent_progress():
    """Per patient, the rules of clinic.assessments.progress over baseline and the first score on
    or after the sixth dose, read row by row (the way the aggregate must not)."""
    phq9 = get_instrument("phq9")
    results = []
    for session_6 in TreatmentSession.objects.order_by("patient", "dosed_at"):
        dosed = list(
            TreatmentSession.objects.filter(patient=session_6.patient).order_by("dosed_at")
        )
        if len(dosed) < 6 or dosed[5].pk != session_6.pk:
            continue
        rows = AssessmentResponse.objects.filter(
            patient=session_6.patient, instrument_code="phq9", status="completed"
        ).order_by("taken_at")
        baseline = rows.filter(context="baseline").first()
        after = rows.filter(taken_at__gte=session_6.dosed_at).first()
        points = [Point(r.taken_at, r.total, r.severity, r.context) for r in (baseline, after)]
        results.append(compute_progress(phq9, points))
    return results


def _check_response_and_remission_at_session_6_match_the_per_patient_rules(clinic_data):
    (row,) = [r for r in response_at_session_6(OutcomeFilters()) if r.instrument == "phq9"]
    independent = _independent_progress()
    assert row.patients == len(independent) == 3
    assert row.assessed == 3
    assert row.responders == sum(p.response is True for p in independent) == 2
    eligible = [p for p in independent if not p.started_below]
    assert row.remission_eligible == len(eligible) == 2
    assert row.remitters == sum(p.remission is True for p in eligible) == 1
    assert row.response_ci == wilson_interval(2, 3)
    assert row.remission_ci == wilson_interval(1, 2)
    changes = sorted(p.change_points for p in independent)
    assert changes == [Decimal(-16), Decimal(-6), Decimal(-2)]
    assert row.median_change == quantile(changes, 0.5) == Decimal("-6.0")
    assert row.change_q1 == quantile(changes, 0.25) == Decimal("-11.0")
    assert row.change_q3 == quantile(changes, 0.75) == Decimal("-4.0")
    assert row.protocol.startswith("IV ketamine") and row.condition and row.route


def _check_an_empty_filter_says_why(clinic_data):
    assert response_at_session_6(OutcomeFilters(condition="ptsd")) == []
    stages = funnel(OutcomeFilters(condition="ocd"))
    assert {stage.empty_reason for stage in stages} == {"no patients yet"}
    rates = session_rates(OutcomeFilters(route="oral"))
    assert {rate.empty_reason for rate in rates} == {"no sessions yet"}


def _check_a_missing_baseline_is_named(clinic_data):
    AssessmentResponse.objects.filter(patient=clinic_data["P1"], context="baseline").update(
        status="entered_in_error"
    )
    from clinic.assessments.models import ProgressSummary

    ProgressSummary.objects.filter(patient=clinic_data["P1"]).update(baseline_total=None)
    rebuild_course_summaries()  # the rows above were changed directly, not by the services
    (row,) = [r for r in response_at_session_6(OutcomeFilters()) if r.instrument == "phq9"]
    assert row.baseline_missing == 1 and row.assessed == 2


def _check_session_and_attendance_rates(clinic_data):
    rates = {rate.key: rate for rate in session_rates(OutcomeFilters())}
    sessions = sum(p["sessions"] for p in PATIENTS.values())
    assert sessions == 20
    assert rates["sessions_per_patient"].value == Decimal("5.00")
    assert rates["side_effects_per_100"].value == Decimal("5.00")
    assert rates["alerts_per_100"].value == Decimal("0.00")
    # 20 completed + 1 no-show + 1 late cancellation; the early cancellation is not due.
    assert rates["no_show_percent"].denominator == 22
    assert rates["no_show_percent"].value == (Decimal(100) / 22).quantize(Decimal("0.01"))
    assert rates["late_cancellation_percent"].numerator == 1
    # Discharge delay: 5 × k minutes for each patient's k-th session, worked out here.
    delays = sorted(
        Decimal(5 * k) for facts in PATIENTS.values() for k in range(1, facts["sessions"] + 1)
    )
    delay = rates["discharge_delay_minutes"]
    assert (delay.numerator, delay.denominator) == (20, 20)
    assert delay.value == quantile(delays, 0.5).quantize(Decimal("0.1"))
    assert f"Interquartile range {quantile(delays, 0.25).quantize(Decimal('0.1'))}" in (
        delay.definition
    )


def _check_the_page_shows_each_figure_with_its_definition(director):
    page = client_for(director).get("/outcomes/?condition=trd")
    assert page.status_code == 200
    text = page.content.decode()
    assert "2/3 = 66.7 %" in text  # response
    assert "1/2 = 50.0 %" in text  # remission, of those at or above the cut-off
    assert "-6.0 (-11.0 to -4.0)" in text  # median change (Q1 to Q3)
    assert "Response: a fall of at least 50 % from baseline." in text
    assert "<svg" in text and 'id="funnel-table"' in text
    csv_rows = client_for(director).get("/outcomes/export/response.csv?condition=trd")
    assert "20.8–93.9" in csv_rows.content.decode()  # Wilson 95 % of 2/3, in percent


def test_every_figure_on_the_known_clinic(clinic_data, location, medical_director):
    """One build of the known clinic (it takes a while), each figure checked in turn."""
    _check_funnel_counts_each_stage_and_its_conversion(clinic_data)
    _check_funnel_filters_by_condition_route_protocol_and_dates(clinic_data, location)
    _check_response_and_remission_at_session_6_match_the_per_patient_rules(clinic_data)
    _check_session_and_attendance_rates(clinic_data)
    _check_an_empty_filter_says_why(clinic_data)
    _check_the_page_shows_each_figure_with_its_definition(medical_director)
    # Last: it takes P1's baseline away.
    _check_a_missing_baseline_is_named(clinic_data)
