"""The pre-dose checklist worked out from the record: one test (or a few) per gate, each checking
that the gate fails, says why, and passes once the problem is fixed; then the overrides and the
dose steps that refuse to go ahead while a gate blocks."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from clinic.assessments import services as assessment_services
from clinic.assessments.choices import AlertReason
from clinic.assessments.models import SafetyAlert
from clinic.assessments.tests.factories import record_phq9
from clinic.core.exceptions import ClinicError, PermissionDeniedError
from clinic.monitoring.models import MonitoringProtocol
from clinic.patients.tests.factories import register_test_patient
from clinic.scheduling.models import PreVisitCheckIn
from clinic.sessions import selectors, services
from clinic.sessions.choices import OVERRIDABLE_GATES, AlertStatus, Gate, SessionStatus
from clinic.sessions.models import GateOverride, MonitoringAlert, TreatmentSession
from clinic.sessions.rules import GateResult
from clinic.sessions.tests.factories import (
    ESKETAMINE,
    GOOD_PRE_DOSE,
    checked_in_appointment,
    complete_checklist,
    plan_for,
    ready_to_dose,
    started_session,
)
from clinic.treatment import services as treatment_services
from conftest import PASSWORD

# Doses confirmed with the lot typed (the register off): drawing from the register is tested in
# clinic/inventory/tests/test_chairside.py.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("typed_lots")]

OVERRIDE_REASON = "Rested 10 minutes; anxious about the needle, no cardiac history."


def gate(session: TreatmentSession, name: str) -> GateResult:
    fresh = TreatmentSession.objects.get(pk=session.pk)
    return next(g for g in selectors.checklist(fresh).gates if g.gate == name)


def failing(session: TreatmentSession) -> set[str]:
    fresh = TreatmentSession.objects.get(pk=session.pk)
    return {g.gate for g in selectors.checklist(fresh).blocking}


def reading(nurse, session, **changes):
    values = {**GOOD_PRE_DOSE, **changes}
    return services.record_reading(
        actor=nurse,
        session=session,
        values={k: v for k, v in values.items() if v is not None},
    )


def dose_mg(session) -> Decimal:
    fresh = TreatmentSession.objects.get(pk=session.pk)
    return selectors.compute_dose(fresh, fresh.plan_version, fresh.weight_kg).dose_mg


def confirm(nurse, session):
    return services.confirm_dose(
        actor=nurse,
        session=session,
        expected_dose_mg=dose_mg(session),
        vial_lot="KT-2291",
        vial_expiry=timezone.localdate() + timedelta(days=200),
    )


def verify(clinician, session):
    fresh = TreatmentSession.objects.get(pk=session.pk)
    return services.verify_dose(
        actor=clinician,
        session=fresh,
        dose_mg=fresh.dose_mg,
        vial_lot="KT-2291",
        password=PASSWORD,
    )


# --- the whole checklist -------------------------------------------------------------------
def test_a_new_session_lists_every_gate_in_order(clinician, nurse, patient_alice):
    session = started_session(clinician, nurse, patient_alice)
    checklist = selectors.checklist(session)
    # The esketamine REMS gate is only for esketamine (clinic/sessions/tests/test_rems_gate.py),
    # the minor's gate only for a patient under 18 (tests/integration/test_minor_patients.py).
    assert [g.gate for g in checklist.gates] == [
        g for g in Gate.values if g not in (Gate.REMS, Gate.MINOR)
    ]
    assert not checklist.ready_to_dose
    assert {g.gate for g in checklist.blocking} == {
        Gate.IDENTITY,
        Gate.FASTING,
        Gate.ESCORT,
        Gate.PREGNANCY,
        Gate.VITALS,
        Gate.BLOOD_PRESSURE,
    }


def test_ready_to_dose_passes_every_gate(clinician, nurse, patient_alice):
    session = ready_to_dose(clinician, nurse, patient_alice)
    checklist = selectors.checklist(session)
    assert checklist.ready_to_dose
    assert all(g.passed and g.override is None for g in checklist.gates)


# --- identity ------------------------------------------------------------------------------
def test_identity_gate(clinician, nurse, patient_alice):
    session = ready_to_dose(clinician, nurse, patient_alice)
    services.update_checklist(actor=nurse, session=session, changes={"identity_confirmed": False})
    result = gate(session, Gate.IDENTITY)
    assert not result.passed
    assert "name and date of birth" in result.reason
    assert failing(session) == {Gate.IDENTITY}

    services.update_checklist(actor=nurse, session=session, changes={"identity_confirmed": True})
    result = gate(session, Gate.IDENTITY)
    assert result.passed
    assert result.reason == "Confirmed."
    fresh = TreatmentSession.objects.get(pk=session.pk)
    assert fresh.identity_confirmed_by == nurse


# --- consent -------------------------------------------------------------------------------
def test_consent_gate_fails_without_a_signed_consent(clinician, nurse, patient_alice):
    session = ready_to_dose(clinician, nurse, patient_alice, consent=False)
    result = gate(session, Gate.CONSENT)
    assert not result.passed
    assert "No signed current consent" in result.reason
    assert "iv infusion" in result.reason
    assert failing(session) == {Gate.CONSENT}


def test_consent_gate_passes_with_a_signed_consent(clinician, nurse, patient_alice):
    session = started_session(clinician, nurse, patient_alice)
    result = gate(session, Gate.CONSENT)
    assert result.passed
    assert result.reason == "Current version signed."


# --- plan ----------------------------------------------------------------------------------
def test_plan_gate_fails_once_the_plan_has_ended(clinician, nurse, patient_alice):
    session = ready_to_dose(clinician, nurse, patient_alice)
    assert gate(session, Gate.PLAN).passed
    treatment_services.end_plan(
        actor=clinician,
        plan=session.plan_version.plan,
        status="stopped",
        reason="Patient asked to stop treatment.",
    )
    result = gate(session, Gate.PLAN)
    assert not result.passed
    assert "no active treatment plan" in result.reason
    assert failing(session) == {Gate.PLAN}


def test_plan_gate_fails_when_a_different_plan_is_now_active(clinician, nurse, patient_alice):
    session = ready_to_dose(clinician, nurse, patient_alice)
    treatment_services.end_plan(
        actor=clinician, plan=session.plan_version.plan, status="completed", reason="Course done."
    )
    plan_for(clinician, patient_alice, consent=False)
    result = gate(session, Gate.PLAN)
    assert not result.passed
    assert "no longer active" in result.reason


def test_plan_gate_fails_when_the_plan_starts_in_the_future(clinician, nurse, patient_alice):
    tomorrow = timezone.localdate(timezone.now(), patient_alice.location.zone) + timedelta(days=1)
    session = ready_to_dose(clinician, nurse, patient_alice, start_date=tomorrow)
    result = gate(session, Gate.PLAN)
    assert not result.passed
    assert result.reason.startswith("The plan starts on")
    assert str(tomorrow.year) in result.reason
    assert failing(session) == {Gate.PLAN}


def test_plan_gate_fails_when_the_plan_changed_route(clinician, nurse, patient_alice):
    session = ready_to_dose(clinician, nurse, patient_alice)
    version = plan_for(
        clinician,
        patient_alice,
        protocol_name=ESKETAMINE,
        change_reason="patient_preference",
        consent=False,
    )
    assert version.number == 2
    result = gate(session, Gate.PLAN)
    assert not result.passed
    assert "route is now intranasal esketamine" in result.reason


def test_plan_gate_passes_names_the_version(clinician, nurse, patient_alice):
    session = started_session(clinician, nurse, patient_alice)
    result = gate(session, Gate.PLAN)
    assert result.passed
    assert result.reason == "Plan version 1."


# --- fasting -------------------------------------------------------------------------------
def test_fasting_gate(clinician, nurse, patient_alice):
    session = ready_to_dose(clinician, nurse, patient_alice)
    services.update_checklist(actor=nurse, session=session, changes={"fasting_confirmed": False})
    result = gate(session, Gate.FASTING)
    assert not result.passed
    assert result.reason.startswith("Not confirmed.")
    assert failing(session) == {Gate.FASTING}

    services.update_checklist(actor=nurse, session=session, changes={"fasting_confirmed": None})
    assert not gate(session, Gate.FASTING).passed

    services.update_checklist(actor=nurse, session=session, changes={"fasting_confirmed": True})
    result = gate(session, Gate.FASTING)
    assert result.passed
    assert result.reason == "Confirmed."


def test_fasting_gate_shows_the_patients_pre_visit_answer(clinician, nurse, patient_alice):
    session = started_session(clinician, nurse, patient_alice)
    PreVisitCheckIn.objects.create(
        appointment=session.appointment,
        location=session.location,
        token_sha256="0" * 64,
        answered_at=timezone.now(),
        fasting_as_instructed=False,
    )
    result = gate(session, Gate.FASTING)
    assert not result.passed
    assert result.reason == "Not confirmed. The patient said: NOT fasting."


def test_fasting_gate_can_be_overridden_by_a_clinician(clinician, nurse, patient_alice):
    session = ready_to_dose(clinician, nurse, patient_alice)
    services.update_checklist(actor=nurse, session=session, changes={"fasting_confirmed": False})
    services.override_gate(
        actor=clinician, session=session, gate=Gate.FASTING, reason="Only clear fluids at 7am."
    )
    result = gate(session, Gate.FASTING)
    assert not result.passed
    assert result.satisfied
    assert selectors.checklist(TreatmentSession.objects.get(pk=session.pk)).ready_to_dose


# --- escort --------------------------------------------------------------------------------
def test_escort_confirmed_without_a_name_is_refused(clinician, nurse, patient_alice):
    session = started_session(clinician, nurse, patient_alice)
    with pytest.raises(ClinicError) as error:
        services.update_checklist(
            actor=nurse, session=session, changes={"escort_confirmed": True, "escort_name": "   "}
        )
    assert error.value.field == "escort_name"
    assert TreatmentSession.objects.get(pk=session.pk).escort_confirmed is None


def test_escort_gate(clinician, nurse, patient_alice):
    session = started_session(clinician, nurse, patient_alice)
    result = gate(session, Gate.ESCORT)
    assert not result.passed
    assert "who takes the patient home" in result.reason

    services.update_checklist(actor=nurse, session=session, changes={"escort_name": "Sam Moreno"})
    assert not gate(session, Gate.ESCORT).passed  # named, but not confirmed

    services.update_checklist(actor=nurse, session=session, changes={"escort_confirmed": True})
    result = gate(session, Gate.ESCORT)
    assert result.passed
    assert "Sam Moreno will take the patient home" in result.reason

    with pytest.raises(ClinicError) as error:
        services.update_checklist(actor=nurse, session=session, changes={"escort_name": ""})
    assert error.value.field == "escort_name"
    assert gate(session, Gate.ESCORT).passed


# --- pregnancy -----------------------------------------------------------------------------
def test_the_pregnancy_gate_asks_a_male_patient_too(clinician, nurse, location):
    # The sex recorded for dosing says nothing of pregnancy potential (a transgender man may
    # be pregnant): the gate asks every patient (Fricke et al., INAHTA).
    patient = register_test_patient(
        actor=clinician, location=location, first_name="Carl", sex="male", portal=True
    )
    session = started_session(clinician, nurse, patient)
    result = gate(session, Gate.PREGNANCY)
    assert not result.passed
    assert "Ask whether the patient could be pregnant" in result.reason

    services.update_checklist(
        actor=nurse,
        session=session,
        changes={"pregnancy_potential": "not_possible", "pregnancy_potential_reason": "no_uterus"},
    )
    result = gate(session, Gate.PREGNANCY)
    assert result.passed
    assert result.reason.startswith("Cannot be pregnant: No uterus (anatomy) (recorded by Nurse")


def test_pregnancy_gate_fails_until_recorded(clinician, nurse, patient_alice):
    session = started_session(clinician, nurse, patient_alice)
    result = gate(session, Gate.PREGNANCY)
    assert not result.passed
    assert "Ask whether the patient could be pregnant" in result.reason

    services.update_checklist(
        actor=nurse, session=session, changes={"pregnancy_potential": "possible"}
    )
    result = gate(session, Gate.PREGNANCY)
    assert not result.passed
    assert result.reason == "Could be pregnant: record a negative test, or why no test is done."


def test_pregnancy_gate_passes_when_negative(clinician, nurse, patient_alice):
    session = started_session(clinician, nurse, patient_alice)
    services.update_checklist(actor=nurse, session=session, changes={"pregnancy_test": "negative"})
    result = gate(session, Gate.PREGNANCY)
    assert result.passed
    assert result.reason == "Negative test."


def test_positive_pregnancy_test_fails_and_cannot_be_overridden(clinician, nurse, patient_alice):
    session = ready_to_dose(clinician, nurse, patient_alice)
    services.update_checklist(actor=nurse, session=session, changes={"pregnancy_test": "positive"})
    result = gate(session, Gate.PREGNANCY)
    assert not result.passed
    assert "Positive" in result.reason
    assert "not given in pregnancy" in result.reason
    with pytest.raises(ClinicError) as error:
        services.override_gate(
            actor=clinician, session=session, gate=Gate.PREGNANCY, reason=OVERRIDE_REASON
        )
    assert error.value.field == "gate"
    assert "cannot be overridden" in error.value.message
    assert failing(session) == {Gate.PREGNANCY}


def test_pregnancy_not_applicable_needs_a_note(clinician, nurse, patient_alice):
    session = started_session(clinician, nurse, patient_alice)
    with pytest.raises(ClinicError) as error:
        services.update_checklist(
            actor=nurse, session=session, changes={"pregnancy_test": "not_applicable"}
        )
    assert error.value.field == "pregnancy_test_note"
    assert not gate(session, Gate.PREGNANCY).passed

    services.update_checklist(
        actor=nurse,
        session=session,
        changes={"pregnancy_test": "not_applicable", "pregnancy_test_note": "Post-menopausal."},
    )
    result = gate(session, Gate.PREGNANCY)
    assert result.passed
    assert result.reason == "No test: Post-menopausal."


def test_unknown_pregnancy_result_is_refused(clinician, nurse, patient_alice):
    session = started_session(clinician, nurse, patient_alice)
    with pytest.raises(ClinicError) as error:
        services.update_checklist(actor=nurse, session=session, changes={"pregnancy_test": "maybe"})
    assert error.value.field == "pregnancy_test"


# --- questionnaires ------------------------------------------------------------------------
def test_questionnaires_gate_needs_a_completed_phq9(clinician, nurse, patient_alice):
    session = ready_to_dose(clinician, nurse, patient_alice, instruments=["phq9"])
    result = gate(session, Gate.QUESTIONNAIRES)
    assert not result.passed
    assert result.reason == "Not answered: Patient Health Questionnaire-9."
    assert failing(session) == {Gate.QUESTIONNAIRES}

    record_phq9(actor=nurse, patient=patient_alice, total=12, days_ago=1)
    result = gate(session, Gate.QUESTIONNAIRES)
    assert result.passed
    assert result.reason == "Done."


def test_questionnaire_answered_more_than_three_days_before_does_not_count(
    clinician, nurse, patient_alice
):
    session = ready_to_dose(clinician, nurse, patient_alice, instruments=["phq9"])
    record_phq9(actor=nurse, patient=patient_alice, total=12, days_ago=4)
    result = gate(session, Gate.QUESTIONNAIRES)
    assert not result.passed
    assert "Patient Health Questionnaire-9" in result.reason

    # Exactly three days before now is still within three days of the appointment (which
    # started ten minutes ago).
    record_phq9(actor=nurse, patient=patient_alice, total=12, days_ago=3)
    assert gate(session, Gate.QUESTIONNAIRES).passed


def test_questionnaire_entered_in_error_does_not_count(clinician, nurse, patient_alice):
    session = started_session(clinician, nurse, patient_alice, instruments=["phq9"])
    response = record_phq9(actor=nurse, patient=patient_alice, total=12)
    assert gate(session, Gate.QUESTIONNAIRES).passed
    assessment_services.mark_response_entered_in_error(
        actor=nurse, response=response, reason="Entered for the wrong patient."
    )
    assert not gate(session, Gate.QUESTIONNAIRES).passed


def test_questionnaire_names_only_the_missing_ones(clinician, nurse, patient_alice):
    session = started_session(clinician, nurse, patient_alice, instruments=["phq9", "gad7"])
    record_phq9(actor=nurse, patient=patient_alice, total=5)
    result = gate(session, Gate.QUESTIONNAIRES)
    assert not result.passed
    assert result.reason == "Not answered: Generalized Anxiety Disorder-7."


def test_questionnaires_gate_can_be_overridden(clinician, nurse, patient_alice):
    session = ready_to_dose(clinician, nurse, patient_alice, instruments=["phq9"])
    services.override_gate(
        actor=clinician,
        session=session,
        gate=Gate.QUESTIONNAIRES,
        reason="Asked the PHQ-9 questions verbally; will enter afterwards.",
    )
    assert gate(session, Gate.QUESTIONNAIRES).satisfied
    assert not failing(session)


# --- side effects reported between visits --------------------------------------------------
def _report_side_effect(patient, symptoms):
    import uuid

    report, _created, _alerts = assessment_services.report_side_effect(
        actor=patient.user,
        patient=patient,
        submission_key=uuid.uuid4(),
        symptoms=symptoms,
        started_on=timezone.localdate(),
        severity="mild",
        still_going=True,
    )
    return report


def test_a_reported_side_effect_is_in_the_checklist_and_holds_until_reviewed(
    clinician, nurse, patient_alice
):
    session = ready_to_dose(clinician, nurse, patient_alice)
    assert gate(session, Gate.SIDE_EFFECTS).reason == "None reported."
    report = _report_side_effect(patient_alice, ["urinary_frequency"])

    result = gate(session, Gate.SIDE_EFFECTS)
    assert not result.passed
    assert "Needing to pass urine more often or urgently (not reviewed)" in result.reason
    assert failing(session) == {Gate.SIDE_EFFECTS}
    with pytest.raises(ClinicError):
        services.override_gate(
            actor=clinician, session=session, gate=Gate.SIDE_EFFECTS, reason=OVERRIDE_REASON
        )

    assessment_services.review_side_effect_report(
        actor=clinician, report=report, note="Urine dip clear; reviewed at the chair."
    )
    result = gate(session, Gate.SIDE_EFFECTS)
    assert result.passed and "Reviewed." in result.reason
    assert not failing(session)


def test_a_red_flag_report_also_holds_the_safety_gate(clinician, nurse, patient_alice):
    session = ready_to_dose(clinician, nurse, patient_alice)
    _report_side_effect(patient_alice, ["blood_in_urine"])
    assert failing(session) == {Gate.SIDE_EFFECTS, Gate.SAFETY}


# --- safety --------------------------------------------------------------------------------
def test_open_safety_alert_blocks_until_resolved(clinician, nurse, patient_alice):
    session = ready_to_dose(clinician, nurse, patient_alice)
    record_phq9(actor=nurse, patient=patient_alice, total=10, item9=1)
    alert = SafetyAlert.objects.get(patient=patient_alice, status="open")

    result = gate(session, Gate.SAFETY)
    assert not result.passed
    assert "safety flag" in result.reason
    assert failing(session) == {Gate.SAFETY}

    with pytest.raises(ClinicError) as error:
        services.override_gate(
            actor=clinician, session=session, gate=Gate.SAFETY, reason=OVERRIDE_REASON
        )
    assert error.value.field == "gate"
    assert not GateOverride.objects.filter(session=session).exists()

    assessment_services.resolve_safety_alert(
        actor=clinician,
        alert=alert,
        actions=["assessment", "safety_plan"],
        note="Passive thoughts only; safety plan reviewed.",
    )
    result = gate(session, Gate.SAFETY)
    assert result.passed
    assert result.reason == "None open."


def test_another_patients_safety_alert_does_not_block(clinician, nurse, patient_alice, patient_bob):
    session = ready_to_dose(clinician, nurse, patient_alice)
    record_phq9(actor=nurse, patient=patient_bob, total=10, item9=2)
    assert gate(session, Gate.SAFETY).passed


# --- vitals --------------------------------------------------------------------------------
def test_vitals_gate_fails_without_spo2(clinician, nurse, patient_alice):
    session = started_session(clinician, nurse, patient_alice)
    complete_checklist(nurse, session)
    reading(nurse, session, spo2_pct=None)
    result = gate(session, Gate.VITALS)
    assert not result.passed
    assert "SpO₂" in result.reason
    assert failing(session) == {Gate.VITALS}

    reading(nurse, session, weight_kg=None)
    result = gate(session, Gate.VITALS)
    assert result.passed
    assert "weight 70.0 kg" in result.reason


def test_vitals_gate_fails_without_weight_for_a_mg_per_kg_plan(clinician, nurse, patient_alice):
    session = started_session(clinician, nurse, patient_alice)
    assert session.plan_version.dose_unit == "mg_per_kg"
    complete_checklist(nurse, session)
    reading(nurse, session, weight_kg=None)
    result = gate(session, Gate.VITALS)
    assert not result.passed
    assert "weight" in result.reason
    assert failing(session) == {Gate.VITALS}


def test_fixed_dose_esketamine_needs_no_weight(clinician, nurse, patient_alice):
    session = started_session(clinician, nurse, patient_alice, protocol_name=ESKETAMINE)
    assert session.plan_version.dose_unit == "fixed_mg"
    complete_checklist(nurse, session)
    reading(nurse, session, weight_kg=None)
    result = gate(session, Gate.VITALS)
    assert result.passed
    assert "weight" not in result.reason
    assert not failing(session)


def test_low_pre_dose_spo2_raises_an_alert_that_fails_vitals_until_acknowledged(
    clinician, nurse, patient_alice
):
    session = started_session(clinician, nurse, patient_alice)
    complete_checklist(nurse, session)
    outcome = reading(nurse, session, spo2_pct=90)
    assert [(a.parameter, a.blocks_dosing, a.status) for a in outcome.alerts] == [
        ("spo2_pct", False, AlertStatus.OPEN)
    ]
    result = gate(session, Gate.VITALS)
    assert not result.passed
    assert "Acknowledge the pre-dose vital-sign alert" in result.reason
    assert gate(session, Gate.BLOOD_PRESSURE).passed  # a non-blocking alert is not a BP breach

    # A better reading does not clear it: someone must look at the alert.
    reading(nurse, session, weight_kg=None)
    assert not gate(session, Gate.VITALS).passed
    with pytest.raises(ClinicError):
        services.override_gate(
            actor=clinician, session=session, gate=Gate.VITALS, reason=OVERRIDE_REASON
        )

    alert = MonitoringAlert.objects.get(session=session)
    services.acknowledge_alert(actor=nurse, alert=alert, action_taken="Re-sited probe; 98 %.")
    assert gate(session, Gate.VITALS).passed
    assert not failing(session)


# --- blood pressure ------------------------------------------------------------------------
def test_blood_pressure_gate_fails_without_a_reading(clinician, nurse, patient_alice):
    session = started_session(clinician, nurse, patient_alice)
    result = gate(session, Gate.BLOOD_PRESSURE)
    assert not result.passed
    assert "No pre-dose blood pressure" in result.reason


def test_blood_pressure_above_the_limit_fails_naming_it(clinician, nurse, patient_alice):
    session = started_session(clinician, nurse, patient_alice)
    complete_checklist(nurse, session)
    outcome = reading(nurse, session, systolic_mmhg=141, diastolic_mmhg=80)
    assert [(a.parameter, a.blocks_dosing) for a in outcome.alerts] == [("systolic_mmhg", True)]
    result = gate(session, Gate.BLOOD_PRESSURE)
    assert not result.passed
    assert "Systolic 141 mmHg is above the pre-dose limit of 140." in result.reason
    assert "Re-measure" in result.reason
    # The blocking BP alert is the blood-pressure gate's business, not the vitals gate's.
    assert failing(session) == {Gate.BLOOD_PRESSURE}


def test_diastolic_above_the_limit_fails_naming_it(clinician, nurse, patient_alice):
    session = started_session(clinician, nurse, patient_alice)
    reading(nurse, session, systolic_mmhg=130, diastolic_mmhg=91)
    result = gate(session, Gate.BLOOD_PRESSURE)
    assert not result.passed
    assert "Diastolic 91 mmHg is above the pre-dose limit of 90." in result.reason


def test_blood_pressure_exactly_at_the_limit_passes(clinician, nurse, patient_alice):
    session = started_session(clinician, nurse, patient_alice)
    outcome = reading(nurse, session, systolic_mmhg=140, diastolic_mmhg=90)
    assert outcome.alerts == []
    result = gate(session, Gate.BLOOD_PRESSURE)
    assert result.passed
    assert result.reason == "140/90 mmHg."


def test_re_measured_blood_pressure_passes_without_override(clinician, nurse, patient_alice):
    session = started_session(clinician, nurse, patient_alice)
    complete_checklist(nurse, session)
    reading(nurse, session, systolic_mmhg=141, diastolic_mmhg=80)
    assert not gate(session, Gate.BLOOD_PRESSURE).passed
    reading(nurse, session, systolic_mmhg=132, diastolic_mmhg=84, weight_kg=None)
    result = gate(session, Gate.BLOOD_PRESSURE)
    assert result.passed
    assert result.override is None
    assert result.reason == "132/84 mmHg."
    assert not failing(session)


def test_clinician_override_satisfies_the_blood_pressure_gate(clinician, nurse, patient_alice):
    session = started_session(clinician, nurse, patient_alice)
    complete_checklist(nurse, session)
    reading(nurse, session, systolic_mmhg=141, diastolic_mmhg=80)
    override = services.override_gate(
        actor=clinician, session=session, gate=Gate.BLOOD_PRESSURE, reason="  White coat HTN.  "
    )
    assert override.reason == "White coat HTN."
    assert override.by == clinician
    result = gate(session, Gate.BLOOD_PRESSURE)
    assert not result.passed  # still above the limit …
    assert result.override == override
    assert result.satisfied  # … but a clinician documented why dosing may go ahead
    assert selectors.checklist(TreatmentSession.objects.get(pk=session.pk)).ready_to_dose

    with pytest.raises(ClinicError) as error:
        services.override_gate(
            actor=clinician, session=session, gate=Gate.BLOOD_PRESSURE, reason=OVERRIDE_REASON
        )
    assert "already overridden" in error.value.message


def test_medical_director_may_override(clinician, nurse, medical_director, patient_alice):
    session = started_session(clinician, nurse, patient_alice)
    reading(nurse, session, systolic_mmhg=150, diastolic_mmhg=80)
    services.override_gate(
        actor=medical_director, session=session, gate=Gate.BLOOD_PRESSURE, reason=OVERRIDE_REASON
    )
    assert gate(session, Gate.BLOOD_PRESSURE).satisfied


def test_a_nurse_cannot_override(clinician, nurse, patient_alice):
    session = started_session(clinician, nurse, patient_alice)
    reading(nurse, session, systolic_mmhg=141, diastolic_mmhg=80)
    with pytest.raises(PermissionDeniedError):
        services.override_gate(
            actor=nurse, session=session, gate=Gate.BLOOD_PRESSURE, reason=OVERRIDE_REASON
        )
    assert not GateOverride.objects.filter(session=session).exists()
    assert not gate(session, Gate.BLOOD_PRESSURE).satisfied


@pytest.mark.parametrize("reason", ["", "   ", "Too short", "  123456789  "])
def test_a_short_override_reason_is_refused(clinician, nurse, patient_alice, reason):
    session = started_session(clinician, nurse, patient_alice)
    reading(nurse, session, systolic_mmhg=141, diastolic_mmhg=80)
    with pytest.raises(ClinicError) as error:
        services.override_gate(
            actor=clinician, session=session, gate=Gate.BLOOD_PRESSURE, reason=reason
        )
    assert error.value.field == "reason"
    assert not GateOverride.objects.filter(session=session).exists()


def test_a_ten_character_override_reason_is_enough(clinician, nurse, patient_alice):
    session = started_session(clinician, nurse, patient_alice)
    reading(nurse, session, systolic_mmhg=141, diastolic_mmhg=80)
    services.override_gate(
        actor=clinician, session=session, gate=Gate.BLOOD_PRESSURE, reason="1234567890"
    )
    assert gate(session, Gate.BLOOD_PRESSURE).satisfied


@pytest.mark.parametrize(
    "name",
    [Gate.CONSENT, Gate.IDENTITY, Gate.SAFETY, Gate.VITALS, Gate.PREGNANCY, Gate.PLAN],
)
def test_a_gate_that_must_be_met_cannot_be_overridden(clinician, nurse, patient_alice, name):
    assert name not in OVERRIDABLE_GATES
    session = started_session(clinician, nurse, patient_alice)
    with pytest.raises(ClinicError) as error:
        services.override_gate(actor=clinician, session=session, gate=name, reason=OVERRIDE_REASON)
    assert error.value.field == "gate"
    assert "cannot be overridden" in error.value.message
    assert not GateOverride.objects.filter(session=session).exists()


def test_an_unknown_gate_cannot_be_overridden(clinician, nurse, patient_alice):
    session = started_session(clinician, nurse, patient_alice)
    with pytest.raises(ClinicError) as error:
        services.override_gate(
            actor=clinician, session=session, gate="weather", reason=OVERRIDE_REASON
        )
    assert error.value.field == "gate"


def test_limits_come_from_the_monitoring_protocol(clinician, nurse, patient_alice):
    session = started_session(clinician, nurse, patient_alice)
    complete_checklist(nurse, session)
    reading(nurse, session, systolic_mmhg=145, diastolic_mmhg=80)
    result = gate(session, Gate.BLOOD_PRESSURE)
    assert not result.passed
    assert "pre-dose limit of 140" in result.reason

    MonitoringProtocol.objects.filter(route="iv").update(pre_dose_systolic_max=150)
    result = gate(session, Gate.BLOOD_PRESSURE)
    assert result.passed
    assert result.reason == "145/80 mmHg."

    outcome = reading(nurse, session, systolic_mmhg=145, diastolic_mmhg=80, weight_kg=None)
    assert outcome.alerts == []
    assert not failing(session)

    reading(nurse, session, systolic_mmhg=151, diastolic_mmhg=80, weight_kg=None)
    assert "pre-dose limit of 150" in gate(session, Gate.BLOOD_PRESSURE).reason


def test_another_routes_protocol_does_not_apply(clinician, nurse, patient_alice):
    MonitoringProtocol.objects.filter(route="intranasal").update(pre_dose_systolic_max=150)
    session = started_session(clinician, nurse, patient_alice)
    reading(nurse, session, systolic_mmhg=145, diastolic_mmhg=80)
    assert not gate(session, Gate.BLOOD_PRESSURE).passed


# --- dosing refuses while a gate blocks ----------------------------------------------------
def test_confirm_dose_refuses_with_the_blocking_reasons(clinician, nurse, patient_alice):
    session = ready_to_dose(clinician, nurse, patient_alice, consent=False)
    reading(nurse, session, systolic_mmhg=141, diastolic_mmhg=80, weight_kg=None)
    with pytest.raises(ClinicError) as error:
        confirm(nurse, session)
    message = error.value.message
    assert message.startswith("Not ready to dose.")
    assert "Consent signed for this route: No signed current consent" in message
    assert "Blood pressure within the pre-dose limit: Systolic 141 mmHg" in message
    fresh = TreatmentSession.objects.get(pk=session.pk)
    assert fresh.dose_confirmed_at is None
    assert fresh.dose_mg is None


def test_confirm_dose_goes_ahead_with_an_overridden_gate(clinician, nurse, patient_alice):
    session = ready_to_dose(clinician, nurse, patient_alice)
    reading(nurse, session, systolic_mmhg=141, diastolic_mmhg=80, weight_kg=None)
    with pytest.raises(ClinicError, match="Not ready to dose"):
        confirm(nurse, session)
    services.override_gate(
        actor=clinician, session=session, gate=Gate.BLOOD_PRESSURE, reason=OVERRIDE_REASON
    )
    confirmed = confirm(nurse, session)
    assert confirmed.dose_confirmed_at is not None
    assert confirmed.dose_mg == Decimal("35.0")  # 0.5 mg/kg × 70 kg


def test_verify_dose_checks_the_gates_again(clinician, nurse, patient_alice):
    session = ready_to_dose(clinician, nurse, patient_alice)
    confirm(nurse, session)
    record_phq9(actor=nurse, patient=patient_alice, total=10, item9=1)
    with pytest.raises(ClinicError) as error:
        verify(clinician, session)
    assert "Not ready to dose" in error.value.message
    assert "No open safety flag" in error.value.message
    assert TreatmentSession.objects.get(pk=session.pk).dose_verified_at is None


def test_dose_cannot_be_given_before_it_is_verified(clinician, nurse, patient_alice):
    session = ready_to_dose(clinician, nurse, patient_alice)
    with pytest.raises(ClinicError) as error:
        services.record_infusion_event(actor=nurse, session=session, kind="start")
    assert "confirmed and verified" in error.value.message

    confirm(nurse, session)
    with pytest.raises(ClinicError) as error:
        services.record_infusion_event(actor=nurse, session=session, kind="start")
    assert "confirmed and verified" in error.value.message
    fresh = TreatmentSession.objects.get(pk=session.pk)
    assert fresh.dosed_at is None
    assert fresh.status == "preparation"
    assert not fresh.infusion_events.exists()


def test_starting_the_infusion_checks_the_gates_again(clinician, nurse, patient_alice):
    session = ready_to_dose(clinician, nurse, patient_alice)
    confirm(nurse, session)
    verify(clinician, session)
    reading(nurse, session, systolic_mmhg=160, diastolic_mmhg=95, weight_kg=None)
    with pytest.raises(ClinicError) as error:
        services.record_infusion_event(actor=nurse, session=session, kind="start")
    assert "Not ready to dose" in error.value.message
    assert "Systolic 160 mmHg" in error.value.message
    assert TreatmentSession.objects.get(pk=session.pk).dosed_at is None

    reading(nurse, session, systolic_mmhg=128, diastolic_mmhg=80, weight_kg=None)
    services.record_infusion_event(actor=nurse, session=session, kind="start")
    fresh = TreatmentSession.objects.get(pk=session.pk)
    assert fresh.dosed_at is not None
    assert fresh.status == SessionStatus.IN_PROGRESS


def test_ready_esketamine_session_can_be_dosed(clinician, nurse, patient_alice):
    session = started_session(clinician, nurse, patient_alice, protocol_name=ESKETAMINE)
    complete_checklist(nurse, session)
    reading(nurse, session, weight_kg=None)
    confirmed = confirm(nurse, session)
    assert confirmed.dose_mg == session.plan_version.dose_mg


def test_overrides_belong_to_one_session(clinician, nurse, patient_alice):
    """Overrides belong to one session: a later session starts with none."""
    session = started_session(clinician, nurse, patient_alice)
    reading(nurse, session, systolic_mmhg=141, diastolic_mmhg=80)
    services.override_gate(
        actor=clinician, session=session, gate=Gate.BLOOD_PRESSURE, reason=OVERRIDE_REASON
    )
    services.stop_before_dosing(actor=nurse, session=session, reason="Patient felt unwell.")
    appointment = checked_in_appointment(patient_alice, booked_by=clinician)
    second = services.start_session(actor=nurse, appointment=appointment)
    assert second.pk != session.pk
    result = gate(second, Gate.BLOOD_PRESSURE)
    assert result.override is None
    assert not result.satisfied


def test_a_cssrs_review_flag_blocks_dosing_until_a_clinician_clears_it(
    clinician, nurse, patient_alice
):
    session = ready_to_dose(clinician, nurse, patient_alice)
    # Q1 "yes" only (wish to be dead): low risk in Columbia's triage, a review flag, not urgent.
    _response, alerts = assessment_services.record_staff_response(
        actor=nurse,
        patient=patient_alice,
        instrument_code="cssrs_screen",
        answers={"cssrs_1": 1, "cssrs_2": 0, "cssrs_6": 0},
        taken_at=timezone.now(),
        context="pre_session",
    )
    assert [(alert.reason, alert.is_urgent) for alert in alerts] == [("cssrs_low", False)]
    assert failing(session) == {Gate.SAFETY}

    assessment_services.resolve_safety_alert(
        actor=clinician,
        alert=alerts[0],
        actions=["assessment", "cleared_for_dosing"],
        note="Passive wish to be dead last month, none now; fit for today's dose.",
    )
    assert gate(session, Gate.SAFETY).passed


def test_an_asrm_at_its_cut_off_holds_dosing_until_a_clinician_clears_it(
    clinician, nurse, patient_alice
):
    session = ready_to_dose(clinician, nurse, patient_alice)
    # 2 + 1 + 1 + 1 + 1 = 6: the ASRM's cut-off for probable mania (Altman 1997).
    _response, alerts = assessment_services.record_staff_response(
        actor=nurse,
        patient=patient_alice,
        instrument_code="asrm",
        answers={"asrm_1": 2, "asrm_2": 1, "asrm_3": 1, "asrm_4": 1, "asrm_5": 1},
        taken_at=timezone.now(),
        context="pre_session",
    )
    assert [alert.reason for alert in alerts] == [AlertReason.ASRM_MANIA]
    assert failing(session) == {Gate.SAFETY}

    assessment_services.resolve_safety_alert(
        actor=clinician,
        alert=alerts[0],
        actions=["assessment", "cleared_for_dosing"],
        note="Seen: bright and talkative but sleeping 7 hours; no mania; fit for today's dose.",
    )
    assert gate(session, Gate.SAFETY).passed
