"""No second dose too soon: the same-day and interval gates over the record, checked when the dose
is confirmed, verified and given, with the protocol's values and a prescriber's override."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from clinic.core.dates import show_time, show_weekday_date
from clinic.core.exceptions import ClinicError
from clinic.sessions import selectors, services
from clinic.sessions.choices import Gate, SessionStatus
from clinic.sessions.models import TreatmentSession
from clinic.sessions.tests.factories import (
    ESKETAMINE,
    GOOD_PRE_DOSE,
    checked_in_appointment,
    complete_checklist,
    dosed,
    give_dose,
    plan_for,
    ready_to_dose,
)
from clinic.treatment.models import ProtocolTemplate
from conftest import PASSWORD

# Doses confirmed with the lot typed (the register off): drawing from the register is tested in
# clinic/inventory/tests/test_chairside.py.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("typed_lots")]

OVERRIDE_REASON = "Thursday's session moved to Wednesday for the holiday; discussed with her."


def second_session(nurse, clinician, first: TreatmentSession) -> TreatmentSession:
    """Another session of the same patient under the same plan, ready to dose in every other way."""
    appointment = checked_in_appointment(first.patient, booked_by=clinician, route=first.route)
    session = services.start_session(actor=nurse, appointment=appointment)
    complete_checklist(nurse, session)
    services.record_reading(actor=nurse, session=session, values=dict(GOOD_PRE_DOSE))
    session.refresh_from_db()
    return session


def gate(session, name):
    fresh = TreatmentSession.objects.get(pk=session.pk)
    return next(g for g in selectors.checklist(fresh).gates if g.gate == name)


def local_label(session, at: datetime) -> str:
    local = timezone.localtime(at, session.location.zone)
    return f"{show_weekday_date(local)} at {show_time(local)}"


def move_dose(session: TreatmentSession, *, days_ago: int, at: time) -> datetime:
    """Record the session's dose as given `days_ago` calendar days before today, at a local time."""
    zone = session.location.zone
    day = timezone.localdate(timezone.now(), zone) - timedelta(days=days_ago)
    when = timezone.make_aware(datetime.combine(day, at), zone)
    TreatmentSession.objects.filter(pk=session.pk).update(dosed_at=when)
    return when


def confirm(nurse, session):
    working = selectors.compute_dose(session, session.plan_version, session.weight_kg)
    return services.confirm_dose(
        actor=nurse,
        session=session,
        expected_dose_mg=working.dose_mg,
        vial_lot="KT-2291",
        vial_expiry=timezone.localdate() + timedelta(days=200),
    )


def test_a_second_dose_the_same_day_is_refused_with_the_time_of_the_first(
    clinician, nurse, patient_alice
):
    first = dosed(clinician, nurse, patient_alice)
    second = second_session(nurse, clinician, first)

    result = gate(second, Gate.SAME_DAY)
    assert not result.passed
    assert f"given {local_label(first, first.dosed_at)} (iv infusion)" in result.reason
    with pytest.raises(ClinicError) as error:
        confirm(nurse, second)
    assert "No other dose today: Another dose today: given" in error.value.message
    assert local_label(first, first.dosed_at) in error.value.message
    # Nobody may document it away.
    with pytest.raises(ClinicError) as refused:
        services.override_gate(
            actor=clinician, session=second, gate=Gate.SAME_DAY, reason=OVERRIDE_REASON
        )
    assert "cannot be overridden" in refused.value.message


def test_a_dose_confirmed_in_another_session_blocks_this_one_until_withdrawn(
    clinician, nurse, patient_alice
):
    first = ready_to_dose(clinician, nurse, patient_alice)
    confirm(nurse, first)
    first.refresh_from_db()
    second = second_session(nurse, clinician, first)

    with pytest.raises(ClinicError) as error:
        confirm(nurse, second)
    assert "in another session not yet given or stopped" in error.value.message

    services.withdraw_dose_confirmation(actor=nurse, session=first)
    assert gate(second, Gate.SAME_DAY).passed
    # Now the second goes ahead, and the first is the one held back.
    give_dose(clinician, nurse, second)
    assert not gate(first, Gate.SAME_DAY).passed


def test_the_gates_are_checked_again_when_the_dose_is_given(clinician, nurse, patient_alice):
    other = ready_to_dose(clinician, nurse, patient_alice)
    session = second_session(nurse, clinician, other)
    confirm(nurse, session)
    session.refresh_from_db()
    services.verify_dose(
        actor=clinician,
        session=TreatmentSession.objects.get(pk=session.pk),
        dose_mg=TreatmentSession.objects.get(pk=session.pk).dose_mg,
        vial_lot="KT-2291",
        password=PASSWORD,
    )
    # Meanwhile the other session's dose is recorded as given (written to the row directly: the
    # services themselves would have refused it, which is what the other tests show).
    given_at = timezone.now() - timedelta(minutes=30)
    TreatmentSession.objects.filter(pk=other.pk).update(
        dose_mg=session.dose_mg if session.dose_mg else 35,
        dose_confirmed_by=nurse,
        dose_confirmed_at=given_at,
        dose_verified_by=clinician,
        dose_verified_at=given_at,
        dosed_at=given_at,
        status=SessionStatus.IN_PROGRESS,
    )

    with pytest.raises(ClinicError) as error:
        services.record_infusion_event(
            actor=nurse, session=TreatmentSession.objects.get(pk=session.pk), kind="start"
        )
    assert local_label(other, given_at) in error.value.message
    assert TreatmentSession.objects.get(pk=session.pk).dosed_at is None


def test_a_dose_late_yesterday_is_too_soon_for_a_two_day_protocol(clinician, nurse, patient_alice):
    first = dosed(clinician, nurse, patient_alice)
    when = move_dose(first, days_ago=1, at=time(23, 59))
    second = second_session(nurse, clinician, first)

    assert gate(second, Gate.SAME_DAY).passed
    result = gate(second, Gate.DOSE_INTERVAL)
    assert not result.passed
    assert result.reason.startswith(f"Last dose given {local_label(first, when)}")
    assert "Fewer than 2 calendar days" in result.reason
    with pytest.raises(ClinicError):
        confirm(nurse, second)

    # A prescriber documents why it is given a day early; the dose then goes ahead.
    services.override_gate(
        actor=clinician, session=second, gate=Gate.DOSE_INTERVAL, reason=OVERRIDE_REASON
    )
    given = give_dose(clinician, nurse, TreatmentSession.objects.get(pk=second.pk))
    assert given.dosed_at is not None


def test_exactly_the_gap_is_allowed(clinician, nurse, patient_alice):
    first = dosed(clinician, nurse, patient_alice)
    when = move_dose(first, days_ago=2, at=time(0, 1))
    second = second_session(nurse, clinician, first)
    result = gate(second, Gate.DOSE_INTERVAL)
    assert result.passed
    assert result.reason == f"Last dose given {local_label(first, when)} (iv infusion), 2 days ago."


def test_the_gap_and_the_weekly_count_are_the_protocols(clinician, nurse, patient_alice):
    first = dosed(clinician, nurse, patient_alice)
    move_dose(first, days_ago=1, at=time(9, 0))
    second = second_session(nurse, clinician, first)
    assert not gate(second, Gate.DOSE_INTERVAL).passed

    protocol = second.plan_version.protocol
    ProtocolTemplate.objects.filter(pk=protocol.pk).update(minimum_days_between_doses=1)
    assert gate(second, Gate.DOSE_INTERVAL).passed
    ProtocolTemplate.objects.filter(pk=protocol.pk).update(maximum_doses_per_7_days=1)
    result = gate(second, Gate.DOSE_INTERVAL)
    assert not result.passed
    assert "at most 1 in any 7 days" in result.reason


def test_a_dose_by_another_route_counts(clinician, nurse, patient_alice):
    first = dosed(clinician, nurse, patient_alice)
    # The patient moves to esketamine the same day: the IV dose still counts.
    plan_for(
        clinician,
        patient_alice,
        protocol_name=ESKETAMINE,
        change_reason="other",
        change_details="Switched to the nasal spray.",
    )
    appointment = checked_in_appointment(patient_alice, booked_by=clinician, route="intranasal")
    session = services.start_session(actor=nurse, appointment=appointment)
    result = gate(session, Gate.SAME_DAY)
    assert not result.passed
    assert f"given {local_label(first, first.dosed_at)} (iv infusion)" in result.reason


def test_a_session_stopped_before_its_dose_does_not_count(clinician, nurse, patient_alice):
    first = ready_to_dose(clinician, nurse, patient_alice)
    services.stop_before_dosing(actor=nurse, session=first, reason="Felt unwell; rebooked.")
    second = second_session(nurse, clinician, first)
    assert gate(second, Gate.SAME_DAY).passed
    assert gate(second, Gate.DOSE_INTERVAL).reason == "No earlier dose on record."


# --- the protocol's values, as the medical director edits them -----------------------------
def test_the_seeded_protocols_carry_their_floor():
    values = {
        p.name: (p.minimum_days_between_doses, p.maximum_doses_per_7_days)
        for p in ProtocolTemplate.objects.all()
    }
    assert values["IV ketamine — treatment-resistant depression"] == (2, 3)
    assert values["IV ketamine — CRPS"] == (1, 5)
    assert values[ESKETAMINE] == (2, 2)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"maximum_doses_per_7_days": 2}, "maximum_doses_per_7_days", "3 sessions a week"),
        ({"minimum_days_between_doses": 3}, "minimum_days_between_doses", "2 day(s) apart"),
        (
            {"minimum_days_between_doses": 2, "maximum_doses_per_7_days": 5},
            "maximum_doses_per_7_days",
            "at most 4 fit in 7 days",
        ),
        ({"minimum_days_between_doses": 0}, "minimum_days_between_doses", "greater than or equal"),
        ({"maximum_doses_per_7_days": 8}, "maximum_doses_per_7_days", "less than or equal"),
    ],
)
def test_the_protocol_editor_refuses_a_floor_that_contradicts_itself(changes, field, message):
    protocol = ProtocolTemplate.objects.get(name="IV ketamine — treatment-resistant depression")
    for name, value in changes.items():
        setattr(protocol, name, value)
    with pytest.raises(ValidationError) as error:
        protocol.full_clean()
    assert message in " ".join(error.value.message_dict[field])


def test_the_protocol_editor_shows_the_floor(client, medical_director):
    protocol = ProtocolTemplate.objects.get(name="IV ketamine — treatment-resistant depression")
    client.force_login(medical_director)
    response = client.get(f"/configuration/protocol/{protocol.pk}/draft/")
    assert response.status_code == 200
    assert b'name="minimum_days_between_doses"' in response.content
    assert b'name="maximum_doses_per_7_days"' in response.content
