"""Discharge agrees with the data: the Aldrete items the record answers are checked against it
(each contradiction refused until the nurse writes why, the reason kept under the signatures),
an IV infusion's observation counts from its end, esketamine needs its 40-minute blood pressure,
the time ready is the first moment the data met every criterion, and the after-care sheet
handed over is recorded."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from clinic.audit.choices import AuditEventType
from clinic.audit.models import AuditEvent
from clinic.sessions import services
from clinic.sessions.aftercare import sheet_for
from clinic.sessions.choices import AlertStatus, SessionStatus
from clinic.sessions.models import TreatmentSession
from clinic.sessions.tests import factories

pytestmark = pytest.mark.django_db

ALL_TWOS = dict.fromkeys(
    ("activity", "respiration", "circulation", "consciousness", "oxygen_saturation"), 2
)


def ago(minutes: float):
    return timezone.now() - timedelta(minutes=minutes)


def fresh(session) -> TreatmentSession:
    return TreatmentSession.objects.get(pk=session.pk)


def acknowledge_all(nurse, session) -> None:
    for alert in session.alerts.filter(status=AlertStatus.OPEN):
        services.acknowledge_alert(actor=nurse, alert=alert, action_taken="Reviewed at the chair.")


def iv_session(clinician, nurse, patient, *, dosed_minutes_ago=110, ended_minutes_ago=70):
    session = factories.dosed(clinician, nurse, patient, at=ago(dosed_minutes_ago))
    services.record_infusion_event(
        actor=nurse, session=session, kind="complete", at=ago(ended_minutes_ago)
    )
    return fresh(session)


def reading(nurse, session, minutes_ago=3, **changes):
    services.record_reading(
        actor=nurse,
        session=session,
        values={**factories.GOOD_DURING, **changes},
        taken_at=ago(minutes_ago),
    )
    acknowledge_all(nurse, session)


def discharge(actor, session, *, reasons=None, **changes):
    return services.discharge(
        actor=actor,
        session=session,
        aldrete={**ALL_TWOS, **changes},
        escort_present=True,
        instructions_given=True,
        aldrete_reasons=reasons,
    )


# --- each contradiction is refused ----------------------------------------------------------
@pytest.mark.parametrize(
    ("values", "item", "derived", "basis"),
    [
        # The patient: 92 % on oxygen, scored 2 by the nurse.
        (
            {"spo2_pct": 92, "on_supplemental_oxygen": True},
            "oxygen_saturation",
            1,
            "SpO₂ 92 % on oxygen",
        ),
        # 160 against 124 before the dose: a 29 % change.
        (
            {"systolic_mmhg": 160, "diastolic_mmhg": 88},
            "circulation",
            1,
            "systolic 160 mmHg against 124 before the dose",
        ),
        ({"consciousness": "voice"}, "consciousness", 1, "ACVPU responds to voice"),
    ],
)
def test_an_entry_the_record_contradicts_is_refused_until_the_nurse_writes_why(
    clinician, nurse, patient_alice, values, item, derived, basis
):
    session = iv_session(clinician, nurse, patient_alice)
    reading(nurse, session, **values)

    refused = discharge(nurse, session)
    assert not refused.discharged
    label = {"oxygen_saturation": "O₂ saturation"}.get(item, item.capitalize())
    contradiction = [r for r in refused.reasons if r.startswith(f"{label}: scored 2")]
    assert len(contradiction) == 1 and f"the record gives {derived} ({basis}" in contradiction[0]
    stored = fresh(session)
    assert stored.status == SessionStatus.IN_PROGRESS
    assert stored.aldrete_from_data[item]["derived"] == derived
    assert stored.aldrete_from_data[item]["entered"] == 2

    # Scored as the record says, the contradiction is gone.
    agreed = discharge(nurse, session, **{item: derived})
    assert not any(r.startswith(f"{label}:") for r in agreed.reasons)


def test_a_written_reason_is_kept_in_the_record_and_under_the_signatures(
    clinician, nurse, patient_alice
):
    session = iv_session(clinician, nurse, patient_alice)
    reading(nurse, session, spo2_pct=92, on_supplemental_oxygen=True)
    why = "Oxygen off for 10 minutes at the bedside: 96 % on room air."
    result = discharge(nurse, session, reasons={"oxygen_saturation": f"  {why} "})
    assert result.discharged, result.reasons

    stored = fresh(session)
    entry = stored.aldrete_from_data["oxygen_saturation"]
    assert entry["derived"] == 1 and entry["entered"] == 2 and entry["reason"] == why
    assert entry["basis"].startswith("SpO₂ 92 % on oxygen at ")
    signed = services.session_content(stored)["session"]["aldrete_from_data"]
    assert signed["oxygen_saturation"]["reason"] == why
    event = AuditEvent.objects.get(
        event_type=AuditEventType.SESSION_DISCHARGED, patient_id=patient_alice.pk
    )
    assert event.details["aldrete_from_data"]["oxygen_saturation"]["reason"] == why


def test_a_reason_for_an_entry_that_agrees_is_not_kept(clinician, nurse, patient_alice):
    session = iv_session(clinician, nurse, patient_alice)
    reading(nurse, session)
    assert discharge(nurse, session, reasons={"circulation": "Not needed."}).discharged
    assert fresh(session).aldrete_from_data["circulation"]["reason"] == ""


# --- observation from the end of the infusion ------------------------------------------------
def test_iv_observation_counts_from_the_end_of_the_infusion(clinician, nurse, patient_alice):
    # The case: 61 minutes after the start of a 40-minute infusion, 21 after its end.
    session = iv_session(
        clinician, nurse, patient_alice, dosed_minutes_ago=61, ended_minutes_ago=21
    )
    reading(nurse, session)
    result = discharge(nurse, session)
    assert result.reasons == [
        "Observation time: 60 minutes after the end of the infusion are required (39 min to go)."
    ]


# --- esketamine: the blood pressure at about 40 minutes --------------------------------------
def esketamine_session(clinician, nurse, patient, *, dosed_minutes_ago=125):
    return factories.dosed(
        clinician, nurse, patient, at=ago(dosed_minutes_ago), protocol_name=factories.ESKETAMINE
    )


def test_esketamine_without_the_40_minute_blood_pressure_is_refused(
    clinician, nurse, patient_alice
):
    session = esketamine_session(clinician, nurse, patient_alice)
    reading(nurse, session, minutes_ago=60)  # 65 minutes after the dose: outside 30–50
    reading(nurse, session, minutes_ago=3)
    result = discharge(nurse, session)
    assert result.reasons == [
        "No blood pressure at about 40 minutes after dosing (between 30 and 50 minutes): the "
        "protocol asks for one there and one before discharge."
    ]


def test_esketamine_needs_a_final_blood_pressure(clinician, nurse, patient_alice):
    session = esketamine_session(clinician, nurse, patient_alice)
    reading(nurse, session, minutes_ago=85)  # 40 minutes after the dose
    services.record_reading(
        actor=nurse, session=session, values={"heart_rate_bpm": 74, "spo2_pct": 97}
    )
    assert discharge(nurse, session).reasons == ["The latest vital signs have no blood pressure."]


def test_esketamine_with_both_blood_pressures_goes_and_is_ready_when_the_data_were(
    clinician, nurse, patient_alice
):
    session = esketamine_session(clinician, nurse, patient_alice)
    reading(nurse, session, minutes_ago=85)
    reading(nurse, session, minutes_ago=8)  # 117 minutes after the dose
    reading(nurse, session, minutes_ago=2)
    result = discharge(nurse, session)
    assert result.discharged, result.reasons
    stored = fresh(session)
    # The observation time ended 5 minutes ago with the reading at 8 minutes ago still fresh.
    expected = stored.dosed_at + timedelta(minutes=120)
    assert abs(stored.ready_for_discharge_at - expected) < timedelta(seconds=1)


# --- the after-care sheet --------------------------------------------------------------------
def test_the_after_care_sheet_handed_over_is_recorded(clinician, nurse, patient_alice):
    session = iv_session(clinician, nurse, patient_alice)
    reading(nurse, session)
    before = timezone.now()
    assert discharge(nurse, session).discharged
    stored = fresh(session)
    assert stored.aftercare_given_by == nurse and stored.aftercare_given_at >= before
    assert stored.aftercare_sheet_sha256 == sheet_for(route="iv", location=stored.location).sha256
    content = services.session_content(stored)["session"]
    assert content["aftercare_given_by_id"] == nurse.pk
    assert content["aftercare_sheet_sha256"] == stored.aftercare_sheet_sha256


def test_no_sheet_handed_over_is_refused_and_nothing_recorded(clinician, nurse, patient_alice):
    session = iv_session(clinician, nurse, patient_alice)
    reading(nurse, session)
    result = services.discharge(
        actor=nurse,
        session=session,
        aldrete=dict(ALL_TWOS),
        escort_present=True,
        instructions_given=False,
    )
    assert result.reasons == ["The after-care sheet has not been handed over."]
    stored = fresh(session)
    assert stored.aftercare_given_at is None and stored.aftercare_sheet_sha256 == ""
