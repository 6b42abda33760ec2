"""Two people (or a person and a monitor retrying) writing to one session at the same moment, in
real concurrent transactions. PostgreSQL only: SQLite serialises writers on the whole file, so the
race these tests look for cannot happen there."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from clinic.accounts.choices import Role
from clinic.accounts.services import issue_device_token
from clinic.accounts.tests.factories import UserFactory
from clinic.sessions import services
from clinic.sessions.models import SessionReading
from clinic.sessions.tests import factories

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrent transactions need PostgreSQL"
    ),
]


def run_together(*actions) -> list[BaseException]:
    """Start every action at the same instant, each in its own thread and database connection."""
    barrier = threading.Barrier(len(actions))
    errors: list[BaseException] = []

    def runner(action):
        from django.db import connections

        try:
            barrier.wait()
            action()
        except BaseException as error:  # reported by the test
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=runner, args=(a,)) for a in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


def test_two_nurses_recording_at_once_both_keep_every_entry(
    clinician, nurse, patient_alice, location
):
    second = UserFactory(role=Role.NURSE, email="nurse2@clinic.test", full_name="Nurse Two")
    second.locations.set([location])
    session = factories.dosed(clinician, nurse, patient_alice)

    def record(actor, systolic):
        def action():
            for n in range(8):
                services.record_reading(
                    actor=actor,
                    session=session,
                    values={"systolic_mmhg": systolic + n, "diastolic_mmhg": 80},
                )
                services.record_side_effect(
                    actor=actor,
                    session=session,
                    kind="dizziness",
                    severity="mild",
                    onset_at=None,
                    interventions=["reassurance"],
                    outcome="resolved",
                )

        return action

    errors = run_together(record(nurse, 120), record(second, 140))
    assert errors == []
    during = SessionReading.objects.filter(session=session, pre_dose=False)
    assert during.filter(vital_signs__recorded_by=nurse).count() == 8
    assert during.filter(vital_signs__recorded_by=second).count() == 8
    assert session.side_effects.count() == 16


def test_two_nurses_ticking_different_checklist_items_at_once_both_keep_theirs(
    clinician, nurse, patient_alice, location
):
    second = UserFactory(role=Role.NURSE, email="nurse2@clinic.test", full_name="Nurse Two")
    second.locations.set([location])
    session = factories.started_session(clinician, nurse, patient_alice)
    errors = run_together(
        lambda: services.update_checklist(
            actor=nurse, session=session, changes={"identity_confirmed": True}
        ),
        lambda: services.update_checklist(
            actor=second,
            session=session,
            changes={"escort_name": "Sam", "escort_confirmed": True},
        ),
    )
    assert errors == []
    session.refresh_from_db()
    assert session.identity_confirmed_by == nurse
    assert session.escort_name == "Sam" and session.escort_confirmed is True


def test_a_monitor_retrying_a_batch_while_the_first_is_in_flight_stores_it_once(
    clinician, nurse, medical_director, patient_alice, location
):
    session = factories.dosed(clinician, nurse, patient_alice)
    device, _ = issue_device_token(actor=medical_director, name="Chair 1", location=location)
    now = timezone.now()
    batch = [
        services.DeviceReading(
            reading_id=f"r-{n}",
            taken_at=now - timedelta(seconds=30 * (10 - n)),
            values={"systolic_mmhg": 130 + n, "diastolic_mmhg": 80, "heart_rate_bpm": 76},
        )
        for n in range(10)
    ]

    def post():
        services.ingest_device_readings(
            device=device, session_public_id=session.public_id, readings=batch
        )

    errors = run_together(post, post, post)
    assert errors == []
    assert SessionReading.objects.filter(session=session, device=device).count() == 10
