"""NEWS2 beside each complete reading, the schedule of readings due, and the way in from the
appointment page."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from clinic.sessions import selectors, services
from clinic.sessions.models import TreatmentSession
from clinic.sessions.tests import factories

pytestmark = pytest.mark.django_db

COMPLETE = {
    "systolic_mmhg": 128,
    "diastolic_mmhg": 80,
    "heart_rate_bpm": 72,
    "respiratory_rate_per_min": 18,
    "spo2_pct": 96,
    "temperature_c": Decimal("36.8"),
    "consciousness": "alert",
}


def test_news2_is_complete_with_every_parameter_and_partial_without(
    clinician, nurse, patient_alice
):
    session = factories.dosed(clinician, nurse, patient_alice)
    complete = services.record_reading(actor=nurse, session=session, values=dict(COMPLETE))
    partial = services.record_reading(
        actor=nurse, session=session, values={"systolic_mmhg": 130, "diastolic_mmhg": 80}
    )
    assert selectors.news2_of(complete.reading).total == 0
    assert selectors.news2_of(complete.reading).risk == "low"
    assert selectors.news2_of(complete.reading).complete
    # The usual chair-side reading has no temperature: scored, and marked incomplete.
    no_temperature = services.record_reading(
        actor=nurse, session=session, values={**COMPLETE, "temperature_c": None}
    )
    result = selectors.news2_of(no_temperature.reading)
    assert not result.complete and result.missing == ("temperature",) and result.total == 0
    assert not selectors.news2_of(partial.reading).complete
    worse = services.record_reading(
        actor=nurse,
        session=session,
        values={**COMPLETE, "respiratory_rate_per_min": 25, "consciousness": "voice"},
    )
    result = selectors.news2_of(worse.reading)
    assert result.total == 6 and result.risk == "medium"


def test_the_schedule_names_the_reading_due_next_and_those_overdue(clinician, nurse, patient_alice):
    session = factories.dosed(
        clinician,
        nurse,
        patient_alice,
        protocol_name=factories.ESKETAMINE,
        at=timezone.now() - timedelta(minutes=60),
    )
    status = selectors.schedule_status(session, selectors.readings(session))
    # Esketamine: readings due at 40, 90 and 120 minutes after dosing; 40 is overdue at 60.
    assert [round((d - session.dosed_at).total_seconds() / 60) for d in status.overdue] == [40]
    assert round((status.next_due_at - session.dosed_at).total_seconds() / 60) == 90
    services.record_reading(
        actor=nurse,
        session=session,
        values={"systolic_mmhg": 130, "diastolic_mmhg": 80},
        taken_at=session.dosed_at + timedelta(minutes=41),
    )
    status = selectors.schedule_status(session, selectors.readings(session))
    assert status.overdue == []


def test_the_appointment_page_starts_or_opens_the_session(clinician, nurse, patient_alice):
    from django.urls import reverse

    from conftest import client_for

    version = factories.plan_for(clinician, patient_alice)
    appointment = factories.checked_in_appointment(
        patient_alice, booked_by=clinician, route=version.route
    )
    client = client_for(nurse)
    page = client.get(reverse("scheduling:appointment", args=[appointment.public_id]))
    assert reverse("sessions:start", args=[appointment.public_id]) in page.content.decode()
    response = client.post(reverse("sessions:start", args=[appointment.public_id]))
    session = TreatmentSession.objects.get(appointment=appointment)
    assert response["Location"] == reverse("sessions:detail", args=[session.public_id])
    page = client.get(reverse("scheduling:appointment", args=[appointment.public_id]))
    assert "Open the treatment session" in page.content.decode()
