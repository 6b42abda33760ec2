"""Booking: conflicts of patient, room, nurse capacity and working hours are explained and never
silently resolved; a whole series books together across a daylight-saving change."""

from datetime import date, time, timedelta

import pytest

from clinic.audit.choices import AuditEventType
from clinic.audit.models import AuditEvent
from clinic.core.exceptions import ClinicError, InvalidTransitionError, PermissionDeniedError
from clinic.scheduling import services
from clinic.scheduling.models import Appointment, SchedulingPolicy
from clinic.scheduling.tests.factories import at, infusion, make_chair, working_week
from clinic.treatment.rules import propose_induction_dates


@pytest.fixture
def chair(location):
    return make_chair(location)


@pytest.fixture
def other_chair(location):
    return make_chair(location, "Chair 2")


def book(actor, patient, starts_at, room, staff, **extra):
    return services.book_appointment(
        actor=actor,
        patient=patient,
        appointment_type=infusion(),
        starts_at=starts_at,
        room=room,
        staff=staff,
        **extra,
    )


def test_a_booking_holds_the_chair_for_the_session_and_recovery(
    front_desk, patient_alice, chair, nurse, location
):
    appointment = book(front_desk, patient_alice, at(location, 2027, 1, 11, 9), chair, nurse)
    assert appointment.ends_at - appointment.starts_at == timedelta(minutes=120)
    assert (
        AuditEvent.objects.filter(
            event_type=AuditEventType.APPOINTMENT_BOOKED, patient_id=patient_alice.pk
        ).count()
        == 1
    )


def test_the_same_chair_cannot_be_double_booked_and_the_reason_is_given(
    front_desk, patient_alice, patient_bob, chair, nurse, location
):
    book(front_desk, patient_alice, at(location, 2027, 1, 11, 9), chair, nurse)
    with pytest.raises(services.ConflictError) as caught:
        book(front_desk, patient_bob, at(location, 2027, 1, 11, 10), chair, nurse)
    kinds = {c.kind for c in caught.value.conflicts}
    assert "room" in kinds
    assert "Chair 1 is booked Mon, Jan 11, 2027, 9:00 AM–11:00 AM" in caught.value.message
    assert caught.value.alternatives and all(
        alt >= at(location, 2027, 1, 11, 8) for alt in caught.value.alternatives
    )
    assert Appointment.objects.count() == 1


def test_back_to_back_sessions_do_not_collide(
    front_desk, patient_alice, patient_bob, chair, nurse, location
):
    book(front_desk, patient_alice, at(location, 2027, 1, 11, 9), chair, nurse)
    book(front_desk, patient_bob, at(location, 2027, 1, 11, 11), chair, nurse)


def test_a_patient_cannot_be_in_two_places(
    front_desk, patient_alice, chair, other_chair, nurse, location
):
    book(front_desk, patient_alice, at(location, 2027, 1, 11, 9), chair, nurse)
    with pytest.raises(services.ConflictError, match="The patient already has"):
        book(front_desk, patient_alice, at(location, 2027, 1, 11, 10), other_chair, nurse)


def test_a_nurse_watches_up_to_the_chair_side_capacity(
    front_desk, clinician, location, nurse, chair, other_chair
):
    from clinic.patients.tests.factories import register_test_patient

    patients = [register_test_patient(actor=clinician, location=location) for _ in range(3)]
    third = make_chair(location, "Chair 3")
    book(front_desk, patients[0], at(location, 2027, 1, 11, 9), chair, nurse)
    book(front_desk, patients[1], at(location, 2027, 1, 11, 9), other_chair, nurse)
    with pytest.raises(services.ConflictError, match="chair-side limit of 2"):
        book(front_desk, patients[2], at(location, 2027, 1, 11, 9), third, nurse)
    SchedulingPolicy.objects.update(nurse_chair_capacity=3)
    book(front_desk, patients[2], at(location, 2027, 1, 11, 9), third, nurse)


def test_outside_working_hours_is_a_conflict(front_desk, patient_alice, chair, nurse, location):
    working_week(nurse, location)
    with pytest.raises(services.ConflictError, match="outside Nurse Nora's working hours"):
        book(front_desk, patient_alice, at(location, 2027, 1, 11, 17), chair, nurse)
    with pytest.raises(services.ConflictError, match="working hours"):
        book(front_desk, patient_alice, at(location, 2027, 1, 16, 9), chair, nurse)  # a Saturday


def test_cancelling_frees_the_chair_and_needs_a_reason(
    front_desk, patient_alice, patient_bob, chair, nurse, location
):
    first = book(front_desk, patient_alice, at(location, 2027, 1, 11, 9), chair, nurse)
    with pytest.raises(ClinicError, match="Describe the reason"):
        services.cancel_appointment(actor=front_desk, appointment=first, reason="other")
    services.cancel_appointment(actor=front_desk, appointment=first, reason="illness")
    book(front_desk, patient_bob, at(location, 2027, 1, 11, 9), chair, nurse)
    with pytest.raises(InvalidTransitionError):
        services.cancel_appointment(actor=front_desk, appointment=first, reason="illness")


def test_moving_checks_conflicts_and_raises_the_calendar_sequence(
    front_desk, patient_alice, patient_bob, chair, nurse, location
):
    first = book(front_desk, patient_alice, at(location, 2027, 1, 11, 9), chair, nurse)
    book(front_desk, patient_bob, at(location, 2027, 1, 12, 9), chair, nurse)
    with pytest.raises(services.ConflictError):
        services.move_appointment(
            actor=front_desk, appointment=first, starts_at=at(location, 2027, 1, 12, 10)
        )
    moved = services.move_appointment(
        actor=front_desk, appointment=first, starts_at=at(location, 2027, 1, 11, 13)
    )
    assert moved.sequence == 1 and moved.ends_at == at(location, 2027, 1, 11, 15)


def test_a_patient_cannot_book(patient_alice, chair, nurse, location):
    with pytest.raises(PermissionDeniedError):
        book(patient_alice.user, patient_alice, at(location, 2027, 1, 11, 9), chair, nurse)


def test_a_series_across_the_dst_change_keeps_the_local_time(
    front_desk, patient_alice, chair, nurse, location
):
    # US daylight saving starts on Sunday 2027-03-14: 09:00 in Boston is 14:00 UTC before and 13:00 UTC after.
    dates = propose_induction_dates(date(2027, 3, 8), 6, 3)
    slots = services.plan_series_slots(
        patient=patient_alice,
        appointment_type=infusion(),
        dates=dates,
        at=time(9),
        room=chair,
        staff=nurse,
    )
    booked = services.book_series(
        actor=front_desk,
        patient=patient_alice,
        appointment_type=infusion(),
        starts=[s.starts_at for s in slots],
        room=chair,
        staff=nurse,
    )
    utc_hours = [a.starts_at.astimezone(__import__("datetime").UTC).hour for a in booked]
    assert utc_hours == [14, 14, 14, 13, 13, 13]
    assert [a.series_number for a in booked] == [1, 2, 3, 4, 5, 6]
    assert all(a.starts_at.astimezone(location.zone).hour == 9 for a in booked)


def test_a_series_with_one_conflict_books_nothing_and_names_the_session(
    front_desk, patient_alice, patient_bob, chair, nurse, location
):
    book(front_desk, patient_bob, at(location, 2027, 3, 10, 9), chair, nurse)
    dates = propose_induction_dates(date(2027, 3, 8), 6, 3)
    slots = services.plan_series_slots(
        patient=patient_alice,
        appointment_type=infusion(),
        dates=dates,
        at=time(9),
        room=chair,
        staff=nurse,
    )
    assert [bool(s.conflicts) for s in slots] == [False, True, False, False, False, False]
    assert slots[1].alternatives
    with pytest.raises(services.ConflictError, match="Session 2"):
        services.book_series(
            actor=front_desk,
            patient=patient_alice,
            appointment_type=infusion(),
            starts=[s.starts_at for s in slots],
            room=chair,
            staff=nurse,
        )
    assert Appointment.objects.filter(patient=patient_alice).count() == 0
    starts = [s.alternatives[0] if s.conflicts else s.starts_at for s in slots]
    assert (
        len(
            services.book_series(
                actor=front_desk,
                patient=patient_alice,
                appointment_type=infusion(),
                starts=starts,
                room=chair,
                staff=nurse,
            )
        )
        == 6
    )


@pytest.mark.parametrize("year", [2200, 9999])
def test_a_booking_or_a_series_years_ahead_is_refused(
    front_desk, patient_alice, chair, nurse, year
):
    from django.utils import timezone

    starts_at = timezone.make_aware(timezone.datetime(year, 6, 1, 10), patient_alice.location.zone)
    with pytest.raises(ClinicError, match="within the next 3 years"):
        book(front_desk, patient_alice, starts_at, chair, nurse)
    with pytest.raises(ClinicError, match="within the next 3 years"):
        services.book_series(
            actor=front_desk,
            patient=patient_alice,
            appointment_type=infusion(),
            starts=[starts_at],
            room=chair,
            staff=nurse,
        )
    assert not Appointment.objects.exists()
