"""Follow-ups fall due after each session and after an induction series; none slips."""

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from clinic.scheduling import services
from clinic.scheduling.models import AppointmentType, FollowUp
from clinic.scheduling.tests.factories import at, infusion, make_chair
from clinic.treatment.rules import propose_induction_dates
from conftest import client_for


def test_a_series_creates_its_reassessment_a_week_after_the_last_session(
    front_desk, patient_alice, nurse, location
):
    chair = make_chair(location)
    dates = propose_induction_dates(date(2027, 3, 8), 6, 3)
    starts = [services.local_start(d, time(9), location) for d in dates]
    services.book_series(
        actor=front_desk,
        patient=patient_alice,
        appointment_type=infusion(),
        starts=starts,
        room=chair,
        staff=nurse,
    )
    reassessment = FollowUp.objects.get(patient=patient_alice, kind="reassessment")
    assert reassessment.due_on == dates[-1] + timedelta(days=7) and reassessment.status == "open"


def test_checking_in_a_session_makes_a_follow_up_due_the_next_day(
    front_desk, patient_alice, nurse, location, monkeypatch
):
    # Midday at the location: check-in is open on the appointment's own day only, and a session
    # booked late in the evening would run past midnight, outside the nurse's hours.
    midday = timezone.make_aware(
        datetime.combine(timezone.localdate(timezone=location.zone), time(12)), location.zone
    )
    monkeypatch.setattr(timezone, "now", lambda: midday)
    appointment = services.book_appointment(
        actor=front_desk,
        patient=patient_alice,
        appointment_type=infusion(),
        starts_at=midday + timedelta(minutes=10),
        room=make_chair(location),
        staff=nurse,
    )
    services.check_in(actor=front_desk, appointment=appointment)
    follow_up = FollowUp.objects.get(patient=patient_alice, kind="follow_up")
    assert follow_up.due_on == timezone.localtime(
        appointment.starts_at, location.zone
    ).date() + timedelta(days=1)


def test_the_list_shows_what_is_due_and_overdue_and_booking_settles_it(
    front_desk, clinician, patient_alice, location
):
    from clinic.scheduling.follow_ups import create_follow_up

    overdue = create_follow_up(
        patient=patient_alice,
        kind="follow_up",
        due_on=timezone.localdate() - timedelta(days=2),
        reason="Call after infusion",
    )
    page = client_for(front_desk).get("/follow-ups/").content.decode()
    assert "Call after infusion" in page and "Overdue" in page
    services.book_appointment(
        actor=front_desk,
        patient=patient_alice,
        appointment_type=AppointmentType.objects.get(code="follow-up"),
        starts_at=at(location, 2027, 1, 12, 10),
        room=make_chair(location, "Room B"),
        staff=clinician,
    )
    overdue.refresh_from_db()
    assert overdue.status == "booked"
    assert "Call after infusion" not in client_for(front_desk).get("/follow-ups/").content.decode()


def test_marking_done(front_desk, patient_alice):
    from clinic.scheduling.follow_ups import create_follow_up

    item = create_follow_up(
        patient=patient_alice,
        kind="reassessment",
        due_on=timezone.localdate(),
        reason="Reassessment",
    )
    client_for(front_desk).post("/follow-ups/", {"follow_up": str(item.public_id)})
    item.refresh_from_db()
    assert item.status == "done" and item.completed_by == front_desk
