"""Bookings the front desk is warned of, and makes only with a reason: a member of staff with no
working hours on record, and a treatment outside the patient's plan."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.utils import timezone

from clinic.accounts.choices import Role
from clinic.accounts.tests.factories import UserFactory
from clinic.audit.models import AuditEvent
from clinic.scheduling import services
from clinic.scheduling.models import AppointmentType
from clinic.scheduling.tests.factories import infusion, make_chair
from clinic.sessions.tests.factories import plan_for
from conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def new_nurse(location):
    """A nurse whose working hours nobody has entered yet."""
    user = UserFactory(role=Role.NURSE, full_name="Nurse New", credentials="RN")
    user.locations.set([location])
    return user


def _in_days(patient, days: int):
    return services.local_start(
        timezone.localdate() + timedelta(days=days), time(10), patient.location
    )


_chairs = iter(range(1, 1000))


def _book(actor, patient, days, *, staff=None, kind=None, reason=""):
    return services.book_appointment(
        actor=actor,
        patient=patient,
        appointment_type=kind or infusion(),
        starts_at=_in_days(patient, days),
        room=make_chair(patient.location, f"Chair {next(_chairs)}"),
        staff=staff,
        override_reason=reason,
    )


def test_a_nurse_without_working_hours_needs_a_reason_which_the_booking_keeps(
    front_desk, patient_alice, new_nurse
):
    with pytest.raises(services.WarningsNeedReasonError, match="Nurse New has no working hours"):
        _book(front_desk, patient_alice, 3, staff=new_nurse)
    booked = _book(
        front_desk, patient_alice, 3, staff=new_nurse, reason="Agency nurse, hours not entered yet"
    )
    assert "Nurse New has no working hours" in booked.booking_warnings
    assert booked.override_reason == "Agency nurse, hours not entered yet"
    event = AuditEvent.objects.filter(target_id=str(booked.pk)).latest("pk")
    assert event.details["override_reason"] == "Agency nurse, hours not entered yet"
    assert "no working hours" in event.details["warnings"]


def test_a_nurse_with_hours_and_a_booking_without_staff_are_not_warned(
    front_desk, patient_alice, nurse
):
    assert _book(front_desk, patient_alice, 3, staff=nurse).booking_warnings == ""
    assert _book(front_desk, patient_alice, 6).booking_warnings == ""


def test_a_reason_of_only_spaces_is_no_reason(front_desk, patient_alice, new_nurse):
    with pytest.raises(services.WarningsNeedReasonError):
        _book(front_desk, patient_alice, 3, staff=new_nurse, reason="   ")


def test_an_extra_treatment_after_the_induction_and_before_maintenance_needs_a_reason(
    clinician, front_desk, patient_alice
):
    plan_for(
        clinician, patient_alice, consent=False, induction_sessions=2, maintenance_interval_days=28
    )
    _book(front_desk, patient_alice, 2)
    _book(front_desk, patient_alice, 5)
    with pytest.raises(services.WarningsNeedReasonError, match="induction of 2 sessions"):
        _book(front_desk, patient_alice, 8)
    extra = _book(front_desk, patient_alice, 8, reason="Dr. Clinician asked for a third")
    assert "an extra session outside the plan" in extra.booking_warnings
    # A maintenance session, the plan's interval after the last: no warning.
    assert _book(front_desk, patient_alice, 8 + 28).booking_warnings == ""


def test_a_treatment_by_another_route_than_the_plans_needs_a_reason(
    clinician, front_desk, patient_alice
):
    plan_for(clinician, patient_alice, consent=False)
    injection = AppointmentType.objects.get(code="im-injection")
    with pytest.raises(services.WarningsNeedReasonError, match="The plan gives ketamine by iv"):
        _book(front_desk, patient_alice, 3, kind=injection)


def test_without_a_plan_nothing_is_outside_it(front_desk, patient_alice):
    assert _book(front_desk, patient_alice, 3).booking_warnings == ""


def test_a_move_to_a_nurse_without_hours_needs_a_reason(front_desk, patient_alice, new_nurse):
    booked = _book(front_desk, patient_alice, 3)
    with pytest.raises(services.WarningsNeedReasonError):
        services.move_appointment(
            actor=front_desk,
            appointment=booked,
            starts_at=_in_days(patient_alice, 4),
            staff=new_nurse,
        )
    moved = services.move_appointment(
        actor=front_desk,
        appointment=booked,
        starts_at=_in_days(patient_alice, 4),
        staff=new_nurse,
        override_reason="Covering for Nurse Nora",
    )
    assert moved.override_reason == "Covering for Nurse Nora"


def test_the_booking_page_shows_the_warning_at_the_reason_box_and_books_with_one(
    front_desk, patient_alice, new_nurse
):
    client = client_for(front_desk)
    chair = make_chair(patient_alice.location, "Chair 9")
    data = {
        "appointment_type": infusion().pk,
        "day": (timezone.localdate() + timedelta(days=3)).isoformat(),
        "at": "10:00",
        "room": chair.pk,
        "staff": new_nurse.pk,
    }
    url = f"/patients/{patient_alice.public_id}/appointments/book/"
    refused = client.post(url, data)
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "Nurse New has no working hours" in page
    assert "Reason to book despite a warning" in page
    booked = client.post(url, {**data, "override_reason": "Hours not entered yet"})
    assert booked.status_code == 302
    shown = client.get(f"/appointments/{patient_alice.appointments.get().public_id}/")
    assert "Booked despite a warning" in shown.content.decode()
    assert "Hours not entered yet" in shown.content.decode()
