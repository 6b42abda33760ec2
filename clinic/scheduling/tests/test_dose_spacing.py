"""Booking warns of a treatment too close to another dose (the protocol's days between doses and
most doses in any 7 days), records the warning with the booking, and books it all the same."""

from __future__ import annotations

from datetime import date, time

import pytest

from clinic.audit.choices import AuditEventType
from clinic.audit.models import AuditEvent
from clinic.scheduling import services
from clinic.scheduling.models import AppointmentType
from clinic.scheduling.tests.factories import at, infusion, make_chair
from clinic.sessions.tests.factories import plan_for
from clinic.treatment import dose_history
from clinic.treatment.dose_history import GivenDose
from conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def chair(location):
    return make_chair(location)


@pytest.fixture
def planned(clinician, patient_alice):
    """Alice's IV plan: at least 2 calendar days between doses, at most 3 in any 7 days."""
    return plan_for(clinician, patient_alice)


def book(actor, patient, starts_at, room, staff, appointment_type=None):
    return services.book_appointment(
        actor=actor,
        patient=patient,
        appointment_type=appointment_type or infusion(),
        starts_at=starts_at,
        room=room,
        staff=staff,
    )


def test_a_treatment_the_day_after_another_booking_is_booked_with_a_warning(
    front_desk, patient_alice, planned, chair, nurse, location
):
    book(front_desk, patient_alice, at(location, 2027, 1, 11, 9), chair, nurse)
    tuesday = book(front_desk, patient_alice, at(location, 2027, 1, 12, 9), chair, nurse)

    assert tuesday.pk is not None
    assert tuesday.dose_spacing_warning.startswith(
        "Fewer than 2 calendar days from another dose: booked Mon, Jan 11, 2027 at 9:00 AM."
    )
    assert "at least 2 calendar day(s) between doses, at most 3 in any 7 days" in (
        tuesday.dose_spacing_warning
    )
    event = AuditEvent.objects.get(
        event_type=AuditEventType.APPOINTMENT_BOOKED, target_id=str(tuesday.pk)
    )
    assert event.details["dose_spacing_warning"] == tuesday.dose_spacing_warning


def test_a_well_spaced_week_has_no_warning_until_the_fourth(
    front_desk, patient_alice, planned, chair, nurse, location
):
    for day in (11, 13, 15):  # Mon, Wed, Fri
        booked = book(front_desk, patient_alice, at(location, 2027, 1, day, 9), chair, nurse)
        assert booked.dose_spacing_warning == ""
    # Sunday would be the fourth in the 7 days from Monday.
    sunday = services.spacing_warning(
        patient=patient_alice, appointment_type=infusion(), starts_at=at(location, 2027, 1, 17, 9)
    )
    assert "3 other doses in the 7 days Mon, Jan 11, 2027 to Sun, Jan 17, 2027" in sunday
    assert "at most 3 in any 7 days" in sunday


def test_a_booking_before_an_existing_one_is_warned_too(
    front_desk, patient_alice, planned, chair, nurse, location
):
    book(front_desk, patient_alice, at(location, 2027, 1, 12, 9), chair, nurse)
    monday = book(front_desk, patient_alice, at(location, 2027, 1, 11, 9), chair, nurse)
    assert "booked Tue, Jan 12, 2027 at 9:00 AM" in monday.dose_spacing_warning


def test_a_dose_given_counts_whatever_its_route(
    front_desk, patient_alice, planned, chair, nurse, location, monkeypatch
):
    given = GivenDose(at(location, 2027, 1, 11, 18, 30), "intranasal", None)
    monkeypatch.setattr(dose_history, "_time_readers", [lambda *, patient: [given]])
    tuesday = book(front_desk, patient_alice, at(location, 2027, 1, 12, 9), chair, nurse)
    assert (
        "given Mon, Jan 11, 2027 at 6:30 PM (intranasal esketamine)" in tuesday.dose_spacing_warning
    )


def test_the_booking_of_a_dosed_session_is_not_counted_twice(
    front_desk, patient_alice, planned, chair, nurse, location, monkeypatch
):
    monday = book(front_desk, patient_alice, at(location, 2027, 1, 11, 9), chair, nurse)
    given = GivenDose(at(location, 2027, 1, 11, 9, 20), "iv", monday.pk)
    monkeypatch.setattr(dose_history, "_time_readers", [lambda *, patient: [given]])
    warning = services.spacing_warning(
        patient=patient_alice, appointment_type=infusion(), starts_at=at(location, 2027, 1, 12, 9)
    )
    assert "given Mon, Jan 11, 2027 at 9:20 AM" in warning
    assert "booked Mon, Jan 11" not in warning


def test_no_warning_without_a_plan_or_for_another_kind_of_visit(
    front_desk, patient_alice, chair, nurse, location
):
    # No plan yet: nothing to weigh against.
    assert (
        services.spacing_warning(
            patient=patient_alice,
            appointment_type=infusion(),
            starts_at=at(location, 2027, 1, 12, 9),
        )
        == ""
    )
    follow_up = AppointmentType.objects.exclude(kind="treatment").first()
    assert (
        services.spacing_warning(
            patient=patient_alice,
            appointment_type=follow_up,
            starts_at=at(location, 2027, 1, 12, 9),
        )
        == ""
    )


def test_moving_a_booking_next_to_another_records_the_warning(
    front_desk, patient_alice, planned, chair, nurse, location
):
    book(front_desk, patient_alice, at(location, 2027, 1, 11, 9), chair, nurse)
    friday = book(front_desk, patient_alice, at(location, 2027, 1, 15, 9), chair, nurse)
    assert friday.dose_spacing_warning == ""
    moved = services.move_appointment(
        actor=front_desk, appointment=friday, starts_at=at(location, 2027, 1, 12, 9)
    )
    assert "booked Mon, Jan 11, 2027 at 9:00 AM" in moved.dose_spacing_warning


def test_a_series_shows_each_sessions_warning_and_books_them_all(
    front_desk, patient_alice, planned, chair, nurse, location
):
    dates = [date(2027, 1, 11), date(2027, 1, 12), date(2027, 1, 14)]
    slots = services.plan_series_slots(
        patient=patient_alice,
        appointment_type=infusion(),
        dates=dates,
        at=time(9),
        room=chair,
        staff=nurse,
    )
    assert "in this series Tue, Jan 12, 2027 at 9:00 AM" in slots[0].dose_spacing_warning
    assert "in this series Mon, Jan 11, 2027 at 9:00 AM" in slots[1].dose_spacing_warning
    booked = services.book_series(
        actor=front_desk,
        patient=patient_alice,
        appointment_type=infusion(),
        starts=[s.starts_at for s in slots],
        room=chair,
        staff=nurse,
    )
    assert len(booked) == 3
    # Thursday is 2 days after Tuesday: spaced as the protocol asks.
    assert [bool(a.dose_spacing_warning) for a in booked] == [True, True, False]


def test_the_booking_form_books_and_shows_the_warning(
    front_desk, patient_alice, planned, chair, nurse, location
):
    book(front_desk, patient_alice, at(location, 2027, 1, 11, 9), chair, nurse)
    data = {
        "appointment_type": infusion().pk,
        "day": "2027-01-12",
        "at": "09:00",
        "room": chair.pk,
        "staff": nurse.pk,
    }
    response = client_for(front_desk).post(
        f"/patients/{patient_alice.public_id}/appointments/book/", data, follow=True
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Booked:" in page
    assert "Too close to another dose: Fewer than 2 calendar days" in page
    assert patient_alice.appointments.filter(status="booked").count() == 2
