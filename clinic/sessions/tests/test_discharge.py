"""Discharge from the chair: every criterion checked (observation time, modified Aldrete score,
infusion ended, recent vital signs within limits, no open alert, escort, instructions), the
scores kept even when discharge is refused, and a clinician's documented override.

Time passes through `factories.dosed(..., at=...)` (a dose given N minutes ago), never frozen."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from clinic.audit.choices import AuditEventType, AuditOutcome
from clinic.audit.models import AuditEvent
from clinic.core.exceptions import ClinicError, InvalidTransitionError, PermissionDeniedError
from clinic.monitoring.models import MonitoringProtocol
from clinic.scheduling.models import Appointment
from clinic.sessions import services
from clinic.sessions.choices import SessionStatus
from clinic.sessions.models import TreatmentSession
from clinic.sessions.tests import factories

pytestmark = pytest.mark.django_db

ALL_TWOS = {
    "activity": 2,
    "respiration": 2,
    "circulation": 2,
    "consciousness": 2,
    "oxygen_saturation": 2,
}
OBSERVATION_IV = "Observation time: 60 minutes after the end of the infusion are required"
INFUSION_RUNNING = "The infusion has not been stopped or completed."
NO_VITALS = "Take a set of vital signs after dosing, before discharge."
OLD_VITALS = "The latest vital signs are more than 15 minutes old; take them again."
NO_BP = "The latest vital signs have no blood pressure."
NO_ESCORT = "No escort is present to take the patient home."
NO_INSTRUCTIONS = "The after-care sheet has not been handed over."


def ago(minutes: float):
    return timezone.now() - timedelta(minutes=minutes)


def scores(**changes) -> dict:
    return {**ALL_TWOS, **changes}


def fresh(session) -> TreatmentSession:
    return TreatmentSession.objects.get(pk=session.pk)


def dosed_iv(
    clinician,
    nurse,
    patient,
    *,
    minutes_ago: int = 110,
    complete: bool = True,
    reading: dict | None = None,
    reading_minutes_ago: float = 3,
):
    """An IV dose given `minutes_ago`, the 40-minute infusion completed (unless not), and a good
    set of vital signs `reading_minutes_ago` (unless `reading` is {}: none). Observation counts
    from the infusion's end: the default (110 minutes ago) ended 70 minutes ago."""
    session = factories.dosed(clinician, nurse, patient, at=ago(minutes_ago))
    if complete and minutes_ago > 40:
        services.record_infusion_event(
            actor=nurse, session=session, kind="complete", at=ago(minutes_ago - 40)
        )
    elif complete:
        # Less than the 40 minutes ago: the infusion cannot have completed, it was stopped early
        # (a "Completed" this soon is refused).
        services.record_infusion_event(
            actor=nurse, session=session, kind="stop", at=ago(1), reason="Stopped early"
        )
    values = dict(factories.GOOD_DURING) if reading is None else reading
    if values:
        services.record_reading(
            actor=nurse, session=session, values=values, taken_at=ago(reading_minutes_ago)
        )
    return fresh(session)


def discharge(actor, session, *, aldrete=None, escort=True, instructions=True, override=""):
    return services.discharge(
        actor=actor,
        session=session,
        aldrete=aldrete or dict(ALL_TWOS),
        escort_present=escort,
        instructions_given=instructions,
        override_reason=override,
    )


def assert_refused(result, *expected):
    assert not result.discharged
    for reason in expected:
        assert any(reason in r for r in result.reasons), (reason, result.reasons)
    stored = fresh(result.session)
    assert stored.status == SessionStatus.IN_PROGRESS and stored.discharged_at is None
    assert stored.ready_for_discharge_at is None
    assert Appointment.objects.get(pk=stored.appointment_id).status == "checked_in"


# --- met -----------------------------------------------------------------------------------
def test_a_patient_who_meets_every_criterion_is_discharged(clinician, nurse, patient_alice):
    session = dosed_iv(clinician, nurse, patient_alice)
    before = timezone.now()
    result = discharge(nurse, session)

    assert result.discharged and result.reasons == []
    stored = fresh(session)
    assert stored.status == SessionStatus.DISCHARGED
    assert stored.discharged_by == nurse and stored.discharged_at >= before
    # Ready from the first moment the data met every criterion: the good reading 3 minutes ago
    # (the observation time had ended before it), not this click.
    reading = session.readings.get(pre_dose=False)
    assert stored.ready_for_discharge_at == reading.taken_at < before
    assert stored.aldrete_total == 10 and stored.aldrete_consciousness == 2
    assert stored.escort_present is True and stored.instructions_given is True
    assert stored.discharge_override_reason == "" and stored.discharge_override_by is None
    assert Appointment.objects.get(pk=session.appointment_id).status == "completed"
    event = AuditEvent.objects.get(
        event_type=AuditEventType.SESSION_DISCHARGED, patient_id=patient_alice.pk
    )
    assert event.actor == nurse and event.details["unmet"] == []
    assert event.details["aldrete"] == 10


def test_an_aldrete_score_of_9_is_enough_by_default(clinician, nurse, patient_alice):
    session = dosed_iv(clinician, nurse, patient_alice)
    result = discharge(nurse, session, aldrete=scores(activity=1))
    assert result.discharged and fresh(session).aldrete_total == 9


def test_a_patient_cannot_be_discharged_twice(clinician, nurse, patient_alice):
    session = dosed_iv(clinician, nurse, patient_alice)
    assert discharge(nurse, session).discharged
    with pytest.raises(InvalidTransitionError, match="discharged"):
        discharge(clinician, session)
    assert fresh(session).discharged_by == nurse


def test_a_session_not_yet_dosed_cannot_be_discharged(clinician, nurse, patient_alice):
    session = factories.ready_to_dose(clinician, nurse, patient_alice)
    with pytest.raises(InvalidTransitionError, match="preparing"):
        discharge(nurse, session)
    with pytest.raises(InvalidTransitionError):
        discharge(clinician, session, override="Override for a patient never dosed.")
    assert fresh(session).status == SessionStatus.PREPARATION


# --- refused, with the reasons --------------------------------------------------------------
def test_too_recent_a_dose_is_refused_for_the_observation_time(clinician, nurse, patient_alice):
    session = dosed_iv(clinician, nurse, patient_alice, minutes_ago=70)
    result = discharge(nurse, session)
    assert result.reasons == [result.reasons[0]]
    assert_refused(result, OBSERVATION_IV)
    assert "min to go" in result.reasons[0]


def test_observation_just_over_the_minimum_is_enough(clinician, nurse, patient_alice):
    session = dosed_iv(clinician, nurse, patient_alice, minutes_ago=101)
    assert discharge(nurse, session).discharged


@pytest.mark.parametrize(
    ("aldrete", "total"),
    [
        (scores(activity=1, respiration=1), 8),
        (scores(activity=0, consciousness=1), 7),
        (scores(activity=0, respiration=0, consciousness=0), 4),
    ],
)
def test_an_aldrete_score_below_9_is_refused(clinician, nurse, patient_alice, aldrete, total):
    session = dosed_iv(clinician, nurse, patient_alice)
    result = discharge(nurse, session, aldrete=aldrete)
    assert result.reasons == [f"Modified Aldrete score {total} is below 9."]
    assert_refused(result)


@pytest.mark.parametrize(
    "aldrete",
    [
        scores(activity=3),
        scores(respiration=-1),
        scores(circulation=True),
        scores(consciousness="2"),
        {k: v for k, v in ALL_TWOS.items() if k != "oxygen_saturation"},
        scores(mood=2),
    ],
)
def test_aldrete_items_must_each_be_scored_0_1_or_2(clinician, nurse, patient_alice, aldrete):
    session = dosed_iv(clinician, nurse, patient_alice)
    with pytest.raises(ClinicError, match="Score every Aldrete item") as error:
        discharge(nurse, session, aldrete=aldrete)
    assert error.value.field == "aldrete"
    assert fresh(session).aldrete_total is None


def test_a_running_iv_infusion_is_refused(clinician, nurse, patient_alice):
    session = dosed_iv(clinician, nurse, patient_alice, complete=False)
    result = discharge(nurse, session)
    assert result.reasons == [f"{OBSERVATION_IV} (the infusion has not ended).", INFUSION_RUNNING]
    assert_refused(result)


def test_a_paused_iv_infusion_is_refused(clinician, nurse, patient_alice):
    session = dosed_iv(clinician, nurse, patient_alice, complete=False)
    services.record_infusion_event(
        actor=nurse, session=session, kind="pause", at=ago(10), reason="Nausea"
    )
    assert_refused(discharge(nurse, session), INFUSION_RUNNING)


def test_a_stopped_iv_infusion_may_be_discharged(clinician, nurse, patient_alice):
    session = dosed_iv(clinician, nurse, patient_alice, complete=False)
    services.record_infusion_event(
        actor=nurse, session=session, kind="stop", at=ago(61), reason="Patient asked to stop"
    )
    assert discharge(nurse, session).discharged


def test_no_vital_signs_after_dosing_is_refused(clinician, nurse, patient_alice):
    session = dosed_iv(clinician, nurse, patient_alice, reading={})
    result = discharge(nurse, session)
    assert result.reasons == [NO_VITALS]
    assert_refused(result)


def test_vital_signs_older_than_15_minutes_are_refused(clinician, nurse, patient_alice):
    session = dosed_iv(clinician, nurse, patient_alice, reading_minutes_ago=20)
    result = discharge(nurse, session)
    assert result.reasons == [OLD_VITALS]
    assert_refused(result)


def test_vital_signs_without_a_blood_pressure_are_refused(clinician, nurse, patient_alice):
    session = dosed_iv(clinician, nurse, patient_alice, reading={"heart_rate_bpm": 76})
    result = discharge(nurse, session)
    assert result.reasons == [NO_BP]
    assert_refused(result)


def test_vital_signs_outside_the_limits_are_refused_even_when_the_alert_is_acknowledged(
    clinician, nurse, patient_alice
):
    session = dosed_iv(
        clinician, nurse, patient_alice, reading={"systolic_mmhg": 185, "diastolic_mmhg": 95}
    )
    # 185 against 124 before the dose: circulation 1 (49 %), as the record scores it.
    first = discharge(nurse, session, aldrete=scores(circulation=1))
    assert_refused(
        first,
        "Not back within limits: Systolic 185 mmHg",
        "1 vital-sign alert(s) not yet acknowledged.",
    )
    alert = session.alerts.get()
    services.acknowledge_alert(actor=clinician, alert=alert, action_taken="Reviewed at the chair.")
    second = discharge(nurse, session, aldrete=scores(circulation=1))
    assert len(second.reasons) == 1
    assert second.reasons[0].startswith("Not back within limits: Systolic 185 mmHg")
    assert_refused(second)


def test_a_rise_over_baseline_in_the_latest_vitals_is_refused(clinician, nurse, patient_alice):
    # Baseline 124: 165 is a 33 % rise, below the absolute limit of 180.
    session = dosed_iv(
        clinician, nurse, patient_alice, reading={"systolic_mmhg": 165, "diastolic_mmhg": 85}
    )
    services.acknowledge_alert(
        actor=nurse, alert=session.alerts.get(), action_taken="Rest, re-measure."
    )
    result = discharge(nurse, session, aldrete=scores(circulation=1))
    assert len(result.reasons) == 1 and result.reasons[0].startswith("Not back within limits:")
    assert "pre-dose 124" in result.reasons[0]


def test_an_open_alert_is_refused_although_the_latest_vitals_are_good(
    clinician, nurse, patient_alice
):
    session = dosed_iv(clinician, nurse, patient_alice)
    services.record_reading(
        actor=nurse, session=session, values={"heart_rate_bpm": 118}, taken_at=ago(20)
    )
    result = discharge(nurse, session)
    assert result.reasons == ["1 vital-sign alert(s) not yet acknowledged."]
    assert_refused(result)

    services.acknowledge_alert(
        actor=nurse, alert=session.alerts.get(), action_taken="Settled to 88 after reassurance."
    )
    assert discharge(nurse, session).discharged


def test_an_unacknowledged_pre_dose_alert_also_holds_discharge(clinician, nurse, patient_alice):
    session = dosed_iv(clinician, nurse, patient_alice)
    # A low SpO₂ noted before the dose (timed before it) is still open.
    services.record_reading(
        actor=nurse, session=session, values={"spo2_pct": 90}, taken_at=ago(112)
    )
    assert_refused(discharge(nurse, session), "1 vital-sign alert(s) not yet acknowledged.")


def test_no_escort_is_refused(clinician, nurse, patient_alice):
    session = dosed_iv(clinician, nurse, patient_alice)
    result = discharge(nurse, session, escort=False)
    assert result.reasons == [NO_ESCORT]
    assert_refused(result)


def test_no_instructions_is_refused(clinician, nurse, patient_alice):
    session = dosed_iv(clinician, nurse, patient_alice)
    result = discharge(nurse, session, instructions=False)
    assert result.reasons == [NO_INSTRUCTIONS]
    assert_refused(result)


def test_every_unmet_criterion_is_listed_at_once(clinician, nurse, patient_alice):
    session = dosed_iv(clinician, nurse, patient_alice, minutes_ago=20, complete=False, reading={})
    result = discharge(
        nurse,
        session,
        aldrete=scores(activity=0, respiration=1),
        escort=False,
        instructions=False,
    )
    assert result.reasons[0].startswith(OBSERVATION_IV)
    assert result.reasons[1:] == [
        INFUSION_RUNNING,
        "Modified Aldrete score 7 is below 9.",
        NO_VITALS,
        NO_ESCORT,
        NO_INSTRUCTIONS,
    ]
    assert_refused(result)


# --- nothing lost ---------------------------------------------------------------------------
def test_the_scores_are_kept_when_discharge_is_refused(clinician, nurse, patient_alice):
    session = dosed_iv(clinician, nurse, patient_alice, minutes_ago=70)
    result = discharge(
        nurse,
        session,
        aldrete=scores(activity=1, consciousness=1),
        escort=True,
        instructions=False,
    )
    assert not result.discharged
    stored = fresh(session)
    assert (
        stored.aldrete_activity,
        stored.aldrete_respiration,
        stored.aldrete_circulation,
        stored.aldrete_consciousness,
        stored.aldrete_oxygen_saturation,
        stored.aldrete_total,
    ) == (1, 2, 2, 1, 2, 8)
    assert stored.escort_present is True and stored.instructions_given is False
    refused = AuditEvent.objects.get(
        event_type=AuditEventType.SESSION_DISCHARGE_REFUSED, patient_id=patient_alice.pk
    )
    assert refused.actor == nurse and refused.details["aldrete"] == 8
    assert refused.details["reasons"] == result.reasons
    assert not AuditEvent.objects.filter(event_type=AuditEventType.SESSION_DISCHARGED).exists()


def test_a_later_attempt_discharges_and_records_when_the_patient_was_ready(
    clinician, nurse, patient_alice
):
    session = dosed_iv(clinician, nurse, patient_alice)
    assert not discharge(nurse, session, aldrete=scores(activity=0, respiration=1)).discharged
    assert fresh(session).ready_for_discharge_at is None
    result = discharge(nurse, session)
    assert result.discharged
    stored = fresh(session)
    assert stored.aldrete_total == 10
    assert stored.ready_for_discharge_at is not None
    assert stored.ready_for_discharge_at <= stored.discharged_at


# --- who may discharge and override --------------------------------------------------------
def test_front_desk_cannot_discharge(clinician, nurse, front_desk, patient_alice):
    session = dosed_iv(clinician, nurse, patient_alice)
    with pytest.raises(PermissionDeniedError):
        discharge(front_desk, session)
    assert fresh(session).status == SessionStatus.IN_PROGRESS
    assert AuditEvent.objects.filter(
        event_type=AuditEventType.SESSION_DISCHARGED,
        actor=front_desk,
        outcome=AuditOutcome.DENIED,
    ).exists()


def test_a_clinician_at_another_location_cannot_discharge(
    clinician, nurse, other_location_clinician, patient_alice
):
    from clinic.core.exceptions import NotFoundError

    session = dosed_iv(clinician, nurse, patient_alice)
    with pytest.raises(NotFoundError):
        discharge(other_location_clinician, session)
    assert fresh(session).status == SessionStatus.IN_PROGRESS


def test_a_nurse_cannot_override_the_discharge_criteria(clinician, nurse, patient_alice):
    session = dosed_iv(clinician, nurse, patient_alice, minutes_ago=70)
    with pytest.raises(
        PermissionDeniedError, match="does not allow you to override the discharge criteria"
    ):
        discharge(nurse, session, override="Escort waiting, patient well.")
    stored = fresh(session)
    assert stored.status == SessionStatus.IN_PROGRESS and stored.discharged_at is None
    assert stored.discharge_override_reason == ""


def test_a_clinician_overrides_with_a_reason_and_the_unmet_criteria_are_audited(
    clinician, nurse, patient_alice
):
    session = dosed_iv(clinician, nurse, patient_alice, minutes_ago=85)
    reason = "Patient fully alert and at baseline; escort must leave. Reviewed at the chair."
    result = discharge(clinician, session, override=f"  {reason}  ")

    assert result.discharged
    assert len(result.reasons) == 1 and result.reasons[0].startswith(OBSERVATION_IV)
    stored = fresh(session)
    assert stored.status == SessionStatus.DISCHARGED and stored.discharged_by == clinician
    assert stored.discharge_override_reason == reason
    assert stored.discharge_override_by == clinician
    assert stored.ready_for_discharge_at is None
    assert Appointment.objects.get(pk=session.appointment_id).status == "completed"
    event = AuditEvent.objects.get(
        event_type=AuditEventType.SESSION_DISCHARGED, patient_id=patient_alice.pk
    )
    assert event.actor == clinician
    assert event.details["unmet"] == result.reasons
    assert event.details["override"] == reason


def test_an_override_reason_is_not_recorded_when_every_criterion_is_met(
    clinician, nurse, patient_alice
):
    session = dosed_iv(clinician, nurse, patient_alice)
    result = discharge(clinician, session, override="Just in case.")
    assert result.discharged and result.reasons == []
    stored = fresh(session)
    assert stored.discharge_override_reason == "" and stored.discharge_override_by is None
    assert stored.ready_for_discharge_at is not None


# --- the protocol's settings ----------------------------------------------------------------
def test_the_aldrete_threshold_comes_from_the_monitoring_protocol(clinician, nurse, patient_alice):
    MonitoringProtocol.objects.filter(route="iv").update(discharge_aldrete_threshold=10)
    session = dosed_iv(clinician, nurse, patient_alice)
    result = discharge(nurse, session, aldrete=scores(activity=1))
    assert result.reasons == ["Modified Aldrete score 9 is below 10."]
    assert_refused(result)
    assert discharge(nurse, session).discharged


def test_the_observation_time_comes_from_the_monitoring_protocol(clinician, nurse, patient_alice):
    MonitoringProtocol.objects.filter(route="iv").update(minimum_observation_minutes=90)
    session = dosed_iv(clinician, nurse, patient_alice)  # ended 70 minutes ago
    result = discharge(nurse, session)
    assert len(result.reasons) == 1
    assert result.reasons[0].startswith(
        "Observation time: 90 minutes after the end of the infusion are required (20 min to go)"
    )


def test_esketamine_is_observed_for_the_seeded_120_minutes(clinician, nurse, patient_alice):
    protocol = MonitoringProtocol.objects.get(route="intranasal")
    assert protocol.minimum_observation_minutes == 120
    session = factories.dosed(
        clinician, nurse, patient_alice, at=ago(90), protocol_name=factories.ESKETAMINE
    )
    for taken in (50, 3):
        services.record_reading(
            actor=nurse, session=session, values=dict(factories.GOOD_DURING), taken_at=ago(taken)
        )
    result = discharge(nurse, session)
    # Nothing else holds an intranasal dose: there is no infusion to end.
    assert len(result.reasons) == 1
    assert result.reasons[0].startswith("Observation time: 120 minutes after dosing are required")
    assert_refused(result)


def test_esketamine_may_go_after_120_minutes(clinician, nurse, patient_alice):
    session = factories.dosed(
        clinician, nurse, patient_alice, at=ago(125), protocol_name=factories.ESKETAMINE
    )
    # At 40 minutes after the dose and before discharge (the label's two readings).
    for taken in (85, 3):
        services.record_reading(
            actor=nurse, session=session, values=dict(factories.GOOD_DURING), taken_at=ago(taken)
        )
    result = discharge(nurse, session)
    assert result.discharged and result.reasons == []
    assert Appointment.objects.get(pk=session.appointment_id).status == "completed"


def test_vitals_above_the_protocols_discharge_limit_are_refused(clinician, nurse, patient_alice):
    # 150/84 is within the limits during the session (180/100, +30 % over 124) but above a
    # discharge limit the medical director set to 140.
    MonitoringProtocol.objects.filter(route="iv").update(discharge_systolic_max=140)
    session = dosed_iv(
        clinician,
        nurse,
        patient_alice,
        reading={**factories.GOOD_DURING, "systolic_mmhg": 150, "diastolic_mmhg": 84},
    )
    assert not session.alerts.exists()
    assert_refused(
        discharge(nurse, session), "Systolic 150 mmHg is above the discharge limit of 140."
    )
    services.record_reading(
        actor=nurse,
        session=session,
        values={**factories.GOOD_DURING, "systolic_mmhg": 138, "diastolic_mmhg": 84},
    )
    assert discharge(nurse, session).discharged
