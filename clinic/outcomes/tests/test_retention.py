"""The drop-off list: who is on it (mid-induction with nothing booked, or a missed session), who
is not (booked ahead, induction done and nothing missed, another location's), and the outreach
recorded from it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.audit.choices import AuditEventType
from clinic.audit.models import AuditEvent
from clinic.outcomes.models import OutreachAttempt
from clinic.outcomes.retention import drop_off_list
from clinic.patients.tests.factories import register_test_patient
from clinic.scheduling.models import Appointment, AppointmentType
from clinic.sessions.models import TreatmentSession
from clinic.sessions.tests.factories import plan_for
from conftest import client_for

pytestmark = pytest.mark.django_db


def _appointment(patient, version, booked_by, *, days, status):
    kind = AppointmentType.objects.filter(kind="treatment", route=version.route).first()
    starts_at = timezone.now() + timedelta(days=days)
    return Appointment.objects.create(
        patient=patient,
        location=patient.location,
        appointment_type=kind,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        status=status,
        plan_version=version,
        booked_by=booked_by,
    )


def _patient_with_doses(clinician, nurse, location, name, doses):
    patient = register_test_patient(
        actor=clinician, location=location, first_name=name, last_name="Stall"
    )
    version = plan_for(clinician, patient, consent=False, induction_sessions=6)
    for k in range(doses):
        at = timezone.now() - timedelta(days=20 - 2 * k)
        appointment = _appointment(
            patient, version, clinician, days=-(20 - 2 * k), status="completed"
        )
        TreatmentSession.objects.create(
            patient=patient,
            location=location,
            appointment=appointment,
            plan_version=version,
            route=version.route,
            status="signed",
            started_by=nurse,
            dose_mg=version.dose_mg,
            dose_confirmed_by=nurse,
            dose_confirmed_at=at,
            dose_verified_by=clinician,
            dose_verified_at=at,
            dosed_at=at,
        )
    return patient, version


@pytest.fixture
def stalled(clinician, nurse, location, other_location, other_location_clinician):
    mid, _ = _patient_with_doses(clinician, nurse, location, "Mid", 2)
    booked, booked_version = _patient_with_doses(clinician, nurse, location, "Booked", 2)
    _appointment(booked, booked_version, clinician, days=3, status="booked")
    missed, missed_version = _patient_with_doses(clinician, nurse, location, "Missed", 6)
    _appointment(missed, missed_version, clinician, days=-3, status="no_show")
    done, _ = _patient_with_doses(clinician, nurse, location, "Done", 6)
    elsewhere, _ = _patient_with_doses(
        other_location_clinician, nurse, other_location, "Elsewhere", 2
    )
    return {"mid": mid, "booked": booked, "missed": missed, "done": done, "elsewhere": elsewhere}


def test_the_list_holds_the_stalled_and_the_missed_at_the_viewers_locations(
    stalled, front_desk, medical_director
):
    rows = {row.patient: row for row in drop_off_list(front_desk)}
    assert set(rows) == {stalled["mid"], stalled["missed"]}
    assert rows[stalled["mid"]].mid_induction and rows[stalled["mid"]].sessions_given == 2
    assert rows[stalled["missed"]].missed_status == "no_show"
    assert not rows[stalled["missed"]].mid_induction
    # The medical director sees every location.
    assert stalled["elsewhere"] in {row.patient for row in drop_off_list(medical_director)}


def test_the_list_runs_a_fixed_number_of_queries(
    stalled, front_desk, django_assert_max_num_queries
):
    with django_assert_max_num_queries(4):
        drop_off_list(front_desk)


def test_the_front_desk_records_a_try_and_the_list_shows_it(stalled, front_desk, nurse):
    client = client_for(front_desk)
    page = client.get(reverse("outcomes:drop_offs"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "MidStall" in text.replace(" ", "") or stalled["mid"].display_name in text
    assert "2 of 6 induction sessions given" in text and "Not tried yet" in text
    assert stalled["booked"].display_name not in text
    url = reverse("outcomes:outreach", args=[stalled["mid"].public_id])
    refused = client.post(url, {"channel": "pigeon", "result": "", "note": "x" * 2000})
    assert refused.status_code == 400
    body = refused.content.decode()
    assert "Choose how you tried to reach the patient." in body
    assert "Choose what came of it." in body
    recorded = client.post(
        url, {"channel": "call", "result": "voicemail", "note": "Try again Thursday."}
    )
    assert recorded.status_code == 302
    attempt = OutreachAttempt.objects.get()
    assert (attempt.patient, attempt.made_by, attempt.result) == (
        stalled["mid"],
        front_desk,
        "voicemail",
    )
    assert (
        "Phone call, left a message" in client.get(reverse("outcomes:drop_offs")).content.decode()
    )
    assert "Try again Thursday." in client.get(url).content.decode()
    assert AuditEvent.objects.filter(
        event_type=AuditEventType.OUTREACH_RECORDED, patient_id=stalled["mid"].pk
    ).exists()
    assert AuditEvent.objects.filter(event_type=AuditEventType.DROP_OFF_LIST_VIEWED).exists()
    # Nurses do not work the list; another location's patient is not found.
    assert client_for(nurse).get(reverse("outcomes:drop_offs")).status_code == 403
    other = reverse("outcomes:outreach", args=[stalled["elsewhere"].public_id])
    assert client.get(other).status_code == 404
    assert client.post(other, {"channel": "call", "result": "no_answer"}).status_code == 404
    assert OutreachAttempt.objects.count() == 1


def test_a_booked_session_takes_the_patient_off_the_list(stalled, front_desk, clinician):
    version = stalled["mid"].treatment_plans.first().versions.first()
    _appointment(stalled["mid"], version, clinician, days=1, status="booked")
    assert stalled["mid"] not in {row.patient for row in drop_off_list(front_desk)}
