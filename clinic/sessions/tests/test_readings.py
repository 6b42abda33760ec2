"""What recording a reading costs, and that its cheaper checks judge as before: the session is
locked and read in one narrow statement with its limits and its pre-dose baseline (never every
reading again), a monitor's batch goes in with one insert per table, and a refused value is refused
with the message it was refused with before."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from clinic.accounts.services import issue_device_token
from clinic.monitoring.models import MonitoringProtocol
from clinic.patients.models import VitalSigns
from clinic.sessions import selectors, services
from clinic.sessions.locks import lock_session_for_reading
from clinic.sessions.models import SessionReading
from clinic.sessions.services.readings import _limits_of, _stored_baseline
from clinic.sessions.tests.factories import (
    GOOD_DURING,
    dosed,
    give_dose,
    ready_to_dose,
)
from conftest import service_statements

# By hand: the session locked and read (with its limits, baseline and signatures), the vital signs
# and the reading inserted, then the audit (the chain's head read, the row inserted).
READING_STATEMENTS = 5
# A monitor's batch of any size: the session, its reading ids looked up, one insert each for the
# vital signs and the readings, the monitor's last-seen time, the audit.
BATCH_STATEMENTS = 7


def ago(minutes: float):
    return timezone.now() - timedelta(minutes=minutes)


@pytest.fixture
def session(clinician, nurse, patient_alice):
    session = dosed(clinician, nurse, patient_alice, at=ago(60))
    # As a page has it: read with its patient (whom the permission check looks at).
    assert session.patient
    return session


@pytest.fixture
def device(medical_director, location):
    return issue_device_token(actor=medical_director, name="Chair 1 monitor", location=location)[0]


def post(device, session, count: int, *, start: int = 0, **values):
    return services.ingest_device_readings(
        device=device,
        session_public_id=session.public_id,
        readings=[
            services.DeviceReading(
                reading_id=f"r-{start + n}",
                taken_at=ago(50) + timedelta(seconds=start + n),
                values={**GOOD_DURING, **values},
            )
            for n in range(count)
        ],
    )


def as_read_with_the_lock(session):
    with transaction.atomic():
        locked = lock_session_for_reading(session.pk)
    return locked


def test_a_reading_by_hand_takes_a_fixed_few_statements(nurse, session, django_assert_num_queries):
    with django_assert_num_queries(service_statements(READING_STATEMENTS)):
        outcome = services.record_reading(actor=nurse, session=session, values=GOOD_DURING)
    assert outcome.alerts == []


def test_a_reading_that_alerts_adds_the_alert_and_audits_both_in_one_insert(
    nurse, session, django_assert_num_queries
):
    with django_assert_num_queries(service_statements(READING_STATEMENTS + 1)) as queries:
        outcome = services.record_reading(
            actor=nurse, session=session, values={**GOOD_DURING, "systolic_mmhg": 195}
        )
    assert outcome.alerts and outcome.alerts[0].stop_level
    inserts = [q for q in queries.captured_queries if q["sql"].startswith("INSERT")]
    assert sum('"audit_auditevent"' in q["sql"] for q in inserts) == 1


def test_the_cost_of_a_reading_does_not_grow_with_the_sessions_readings(
    nurse, session, device, django_assert_num_queries
):
    post(device, session, 300)
    with django_assert_num_queries(service_statements(READING_STATEMENTS)):
        services.record_reading(actor=nurse, session=session, values=GOOD_DURING)
    with django_assert_num_queries(service_statements(BATCH_STATEMENTS)):
        post(device, session, 1, start=1000)


# (Up to 50 readings: Django splits an insert at 999 values on SQLite, 62 rows of vital signs.)
@pytest.mark.parametrize("count", [1, 50])
def test_a_monitors_batch_takes_the_same_statements_whatever_its_size(
    session, device, count, django_assert_num_queries
):
    with django_assert_num_queries(service_statements(BATCH_STATEMENTS)):
        outcomes = post(device, session, count)
    assert len(outcomes) == count
    assert SessionReading.objects.filter(session=session, device=device).count() == count


def test_alerts_of_a_batch_go_in_with_one_insert(session, device, django_assert_num_queries):
    with django_assert_num_queries(service_statements(BATCH_STATEMENTS + 1)):
        outcomes = post(device, session, 10, systolic_mmhg=195)
    assert all(len(o.alerts) == 1 and o.alerts[0].pk for o in outcomes)
    assert {o.alerts[0].reading_id for o in outcomes} == {o.reading.pk for o in outcomes}


# --- the baseline and the limits read with the session are those read before -----------------
def baselines_agree(session) -> dict | None:
    reloaded = selectors.baseline(selectors.readings(session))
    assert _stored_baseline(as_read_with_the_lock(session)) == reloaded
    return reloaded


def test_the_baseline_is_the_latest_pre_dose_reading_with_a_pressure(
    clinician, nurse, patient_alice
):
    session = ready_to_dose(clinician, nurse, patient_alice, pre_dose_at=ago(20))
    assert baselines_agree(session)["systolic_mmhg"] == 124
    # A later pre-dose reading with a pressure is the new baseline; one without is not.
    services.record_reading(
        actor=nurse,
        session=session,
        values={"systolic_mmhg": 131, "diastolic_mmhg": 80},
        taken_at=ago(12),
    )
    services.record_reading(actor=nurse, session=session, values={"spo2_pct": 97}, taken_at=ago(10))
    assert baselines_agree(session)["systolic_mmhg"] == 131


def test_readings_the_dose_moved_after_it_are_no_longer_the_baseline(
    clinician, nurse, patient_alice
):
    session = ready_to_dose(clinician, nurse, patient_alice, pre_dose_at=ago(20))
    services.record_reading(
        actor=nurse,
        session=session,
        values={"systolic_mmhg": 133, "diastolic_mmhg": 81, "heart_rate_bpm": 70, "spo2_pct": 98},
        taken_at=ago(5),
    )
    assert baselines_agree(session)["systolic_mmhg"] == 133
    # The dose given at a time before that reading: it now counts as during the session.
    session = give_dose(clinician, nurse, session, at=ago(8))
    assert baselines_agree(session)["systolic_mmhg"] == 124
    services.record_reading(actor=nurse, session=session, values=GOOD_DURING)
    assert baselines_agree(session)["systolic_mmhg"] == 124


def test_a_pre_dose_reading_written_up_after_the_dose_can_be_the_baseline(nurse, session):
    services.record_reading(
        actor=nurse,
        session=session,
        values={"systolic_mmhg": 128, "diastolic_mmhg": 79},
        taken_at=session.dosed_at - timedelta(minutes=1),
    )
    assert baselines_agree(session)["systolic_mmhg"] == 128


def test_a_session_with_no_pre_dose_pressure_has_no_baseline(clinician, nurse, patient_alice):
    from clinic.sessions.tests.factories import started_session

    session = started_session(clinician, nurse, patient_alice)
    assert baselines_agree(session) is None


def test_the_limits_are_the_routes_protocol_or_its_defaults(session):
    assert _limits_of(as_read_with_the_lock(session)) == selectors.limits_for(session.route)
    MonitoringProtocol.objects.filter(route=session.route).update(
        systolic_max=170, stop_consciousness="voice"
    )
    limits = _limits_of(as_read_with_the_lock(session))
    assert limits == selectors.limits_for(session.route)
    assert (limits.systolic_max, limits.stop_consciousness) == (170, "voice")
    MonitoringProtocol.objects.filter(route=session.route).delete()
    assert _limits_of(as_read_with_the_lock(session)) == MonitoringProtocol().limits()


# --- refusals: as before ---------------------------------------------------------------------
@pytest.mark.parametrize(
    "values", [{"systolic_mmhg": 500}, {"systolic_mmhg": 80, "diastolic_mmhg": 95}]
)
def test_an_impossible_value_in_a_batch_refuses_it_with_the_message_it_had(session, device, values):
    before = VitalSigns(
        patient=session.patient,
        location_id=session.patient.location_id,
        context="monitoring",
        taken_at=ago(1),
        **{**GOOD_DURING, **values},
    )
    with pytest.raises(ValidationError) as expected:
        before.full_clean(validate_constraints=False)
    batch = [
        services.DeviceReading("good", ago(3), GOOD_DURING),
        services.DeviceReading("bad", ago(2), {**GOOD_DURING, **values}),
    ]
    with pytest.raises(ValidationError) as said:
        services.ingest_device_readings(
            device=device, session_public_id=session.public_id, readings=batch
        )
    assert said.value.message_dict == expected.value.message_dict
    assert not SessionReading.objects.filter(session=session, device=device).exists()


def test_each_stop_level_alert_of_a_batch_is_emailed_on_its_own(
    session, device, django_capture_on_commit_callbacks
):
    from django.core import mail

    session.location.on_call_email = "on-call@clinic.test"
    session.location.save(update_fields=["on_call_email"])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        outcomes = post(device, session, 3, systolic_mmhg=195)
    # One task for the batch, one e-mail for each alert.
    assert len(callbacks) == 1
    assert len(mail.outbox) == 3
    assert all(o.alerts[0].stop_level for o in outcomes)
    assert {m.to[0] for m in mail.outbox} == {"on-call@clinic.test"}


def test_an_alert_that_cannot_be_emailed_does_not_keep_the_others_from_being_sent(
    session, device, django_capture_on_commit_callbacks, monkeypatch
):
    from django.core import mail

    from clinic.sessions import tasks

    session.location.on_call_email = "on-call@clinic.test"
    session.location.save(update_fields=["on_call_email"])
    sent = tasks._notify
    failing = []

    def first_fails(alert_id):
        if not failing:
            failing.append(alert_id)
            raise OSError("the mail server is down")
        sent(alert_id)

    monkeypatch.setattr(tasks, "_notify", first_fails)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        post(device, session, 3, systolic_mmhg=195)
    # (The task itself fails, naming the alert not sent.)
    assert len(failing) == 1 and len(mail.outbox) == 2
