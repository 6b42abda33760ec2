"""A monitor's batch arriving while the nurse records "Stopped" on the infusion, in real concurrent
transactions: both are kept, and the dose given is worked out once, from the events as they stand
under the session's lock. PostgreSQL only (see test_concurrency.py)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from clinic.accounts.services import issue_device_token
from clinic.sessions import services
from clinic.sessions.models import SessionReading, TreatmentSession
from clinic.sessions.tests import factories
from clinic.sessions.tests.test_concurrency import run_together

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrent transactions need PostgreSQL"
    ),
]


def test_a_monitor_batch_while_the_nurse_stops_the_infusion_keeps_both(
    clinician, nurse, medical_director, patient_alice, location
):
    session = factories.dosed(
        clinician, nurse, patient_alice, at=timezone.now() - timedelta(minutes=30)
    )
    started = TreatmentSession.objects.get(pk=session.pk).dosed_at
    stopped_at = started + timedelta(minutes=20)
    device, _ = issue_device_token(actor=medical_director, name="Chair 1", location=location)
    now = timezone.now()
    batch = [
        services.DeviceReading(
            reading_id=f"r-{n}",
            taken_at=now - timedelta(seconds=20 * (12 - n)),
            values={"systolic_mmhg": 128 + n, "diastolic_mmhg": 80, "heart_rate_bpm": 76},
        )
        for n in range(12)
    ]
    before = TreatmentSession.objects.get(pk=session.pk).version

    def post():
        services.ingest_device_readings(
            device=device, session_public_id=session.public_id, readings=batch
        )

    def stop():
        services.record_infusion_event(
            actor=nurse, session=session, kind="stop", at=stopped_at, reason="Patient asked to stop"
        )

    errors = run_together(post, stop, post)
    assert errors == []
    recorded = TreatmentSession.objects.get(pk=session.pk)
    assert SessionReading.objects.filter(session=session, device=device).count() == 12
    assert recorded.infusion_events.filter(kind="stop").count() == 1
    # 52.5 mg/h × 20 min ÷ 60 = 17.5 mg, whichever transaction went first.
    assert recorded.dose_given_mg == Decimal("17.5")
    assert recorded.dose_given_working.startswith("Stopped early:")
    # Each write counted under the lock: none overwrote another's version.
    assert recorded.version > before
