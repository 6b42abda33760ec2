from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from icalendar import Calendar

from clinic.accounts.choices import Role
from clinic.accounts.tests.factories import UserFactory
from clinic.audit.choices import AuditEventType
from clinic.audit.models import AuditEvent
from clinic.core.exceptions import NotFoundError, PermissionDeniedError
from clinic.scheduling import ical, services
from clinic.scheduling.models import AppointmentType, CalendarFeed, Room
from conftest import on_duty_all_week

NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture
def infusion(db):
    return AppointmentType.objects.get(code="iv-infusion")


@pytest.fixture
def chair(location):
    return Room.objects.create(location=location, name="Chair 1")


@pytest.fixture
def other_nurse(location):
    user = UserFactory(role=Role.NURSE, full_name="Nurse Other", credentials="RN")
    user.locations.set([location])
    return on_duty_all_week(user, location)


def local(*args) -> datetime:
    return timezone.make_aware(datetime(*args), NEW_YORK)


def soon(days: int, hour: int = 9) -> datetime:
    day = timezone.localtime(timezone.now(), NEW_YORK).date() + timedelta(days=days)
    return local(day.year, day.month, day.day, hour)


def book(clinician, patient, infusion, chair, staff, starts_at):
    return services.book_appointment(
        actor=clinician,
        patient=patient,
        appointment_type=infusion,
        starts_at=starts_at,
        room=chair,
        staff=staff,
    )


def events(body: bytes):
    return Calendar.from_ical(body).walk("VEVENT")


def test_patient_ics_has_one_event_with_the_appointment(
    clinician, patient_alice, infusion, chair, nurse
):
    appointment = book(clinician, patient_alice, infusion, chair, nurse, soon(3))

    calendar = Calendar.from_ical(ical.patient_ics(appointment))

    assert str(calendar["PRODID"]) == "-//Ketamine Clinic//EN"
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["METHOD"]) == "PUBLISH"
    [event] = calendar.walk("VEVENT")
    assert str(event["UID"]) == f"{appointment.public_id}@ketamine-clinic"
    assert event["DTSTART"].dt == appointment.starts_at.astimezone(UTC)
    assert event["DTSTART"].dt.utcoffset() == timedelta(0)
    assert event["DTEND"].dt == appointment.ends_at
    assert event.decoded("SEQUENCE") == 0
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["SUMMARY"]) == "IV ketamine infusion"
    assert "Boston" in str(event["LOCATION"]) and "1 Main Street" in str(event["LOCATION"])
    assert infusion.preparation in str(event["DESCRIPTION"])


def test_a_moved_appointment_has_a_higher_sequence(
    clinician, patient_alice, infusion, chair, nurse
):
    appointment = book(clinician, patient_alice, infusion, chair, nurse, soon(3))
    before = events(ical.patient_ics(appointment))[0].decoded("SEQUENCE")

    moved = services.move_appointment(actor=clinician, appointment=appointment, starts_at=soon(4))

    [event] = events(ical.patient_ics(moved))
    assert event.decoded("SEQUENCE") > before
    assert str(event["UID"]) == f"{appointment.public_id}@ketamine-clinic"
    assert event["DTSTART"].dt == soon(4)


def test_staff_feed_lists_only_the_nurses_appointments_by_mrn_never_by_name(
    clinician, patient_alice, patient_bob, infusion, chair, nurse, other_nurse
):
    other_chair = Room.objects.create(location=chair.location, name="Chair 2")
    mine = book(clinician, patient_alice, infusion, chair, nurse, soon(2))
    theirs = book(clinician, patient_bob, infusion, other_chair, other_nurse, soon(2))

    body = ical.staff_feed(nurse)

    calendar = Calendar.from_ical(body)
    assert str(calendar["X-PUBLISHED-TTL"]) == "PT1H"
    [event] = calendar.walk("VEVENT")
    assert str(event["UID"]) == f"{mine.public_id}@ketamine-clinic"
    assert patient_alice.mrn in str(event["SUMMARY"])
    for name in [
        patient_alice.legal_first_name,
        patient_alice.legal_last_name,
        patient_bob.legal_last_name,
    ]:
        assert name.encode() not in body
    assert str(theirs.public_id).encode() not in body
    assert str(event["CLASS"]) == "CONFIDENTIAL"


def test_staff_feed_shows_cancelled_appointments_as_cancelled(
    clinician, patient_alice, infusion, chair, nurse
):
    appointment = book(clinician, patient_alice, infusion, chair, nurse, soon(5))
    services.cancel_appointment(actor=clinician, appointment=appointment, reason="patient_request")

    [event] = events(ical.staff_feed(nurse))

    assert str(event["STATUS"]) == "CANCELLED"
    assert event.decoded("SEQUENCE") == 1


def test_staff_feed_leaves_out_appointments_beyond_the_window(
    clinician, patient_alice, infusion, chair, nurse
):
    book(clinician, patient_alice, infusion, chair, nurse, soon(10))

    assert events(ical.staff_feed(nurse, days_ahead=5)) == []
    assert len(events(ical.staff_feed(nurse, days_ahead=15))) == 1


def test_feed_token_opens_the_feed_until_it_is_replaced_or_revoked(nurse):
    token = ical.create_feed_token(actor=nurse)

    assert ical.user_for_feed_token(token) == nurse
    assert CalendarFeed.objects.get(user=nurse).token_sha256 != token  # only the hash is stored

    replacement = ical.create_feed_token(actor=nurse)
    assert ical.user_for_feed_token(token) is None
    assert ical.user_for_feed_token(replacement) == nurse

    assert ical.revoke_feed(actor=nurse) is True
    assert ical.user_for_feed_token(replacement) is None
    assert ical.revoke_feed(actor=nurse) is False
    changes = AuditEvent.objects.filter(
        actor=nurse, event_type=AuditEventType.CALENDAR_FEED_CHANGED
    )
    assert [e.details["action"] for e in changes.order_by("pk")] == [
        "created",
        "replaced",
        "revoked",
    ]


def test_feed_token_of_a_deactivated_user_opens_nothing(nurse):
    token = ical.create_feed_token(actor=nurse)
    nurse.is_active = False
    nurse.save()

    assert ical.user_for_feed_token(token) is None
    assert ical.open_staff_feed(token) is None
    assert ical.user_for_feed_token("") is None
    assert ical.user_for_feed_token("x" * 500) is None


def test_patients_cannot_create_a_feed(patient_alice):
    with pytest.raises(PermissionDeniedError):
        ical.create_feed_token(actor=patient_alice.user)


def test_opening_the_feed_is_audited(clinician, patient_alice, infusion, chair, nurse):
    book(clinician, patient_alice, infusion, chair, nurse, soon(2))
    token = ical.create_feed_token(actor=nurse)

    body = ical.open_staff_feed(token)

    assert len(events(body)) == 1
    assert (
        AuditEvent.objects.filter(actor=nurse, event_type=AuditEventType.CALENDAR_VIEWED).count()
        == 1
    )


def test_patient_downloads_only_their_own_ics(
    clinician, patient_alice, patient_bob, infusion, chair, nurse
):
    appointment = book(clinician, patient_alice, infusion, chair, nurse, soon(2))

    found, body = ical.patient_ics_for(actor=patient_alice.user, public_id=appointment.public_id)

    assert found == appointment and len(events(body)) == 1
    assert AuditEvent.objects.filter(
        actor=patient_alice.user,
        event_type=AuditEventType.CALENDAR_VIEWED,
        patient_id=patient_alice.pk,
    ).exists()
    for outsider in [patient_bob.user, nurse]:
        with pytest.raises(NotFoundError):
            ical.patient_ics_for(actor=outsider, public_id=appointment.public_id)


@pytest.mark.parametrize(
    ("day", "utc_hour"),
    [
        ((2027, 3, 12), 14),  # Friday before the change: EST, UTC−5
        ((2027, 3, 15), 13),  # Monday after the change (Sunday 14 March 2027): EDT, UTC−4
    ],
)
def test_dtstart_is_utc_across_the_dst_change(
    clinician, patient_alice, infusion, chair, nurse, day, utc_hour
):
    appointment = book(clinician, patient_alice, infusion, chair, nurse, local(*day, 9, 0))

    [event] = events(ical.patient_ics(appointment))

    assert event["DTSTART"].dt == datetime(*day, utc_hour, 0, tzinfo=UTC)
    assert event["DTEND"].dt == datetime(*day, utc_hour + 2, 0, tzinfo=UTC)
    assert f"DTSTART:{day[0]}{day[1]:02}{day[2]:02}T{utc_hour}0000Z".encode() in ical.patient_ics(
        appointment
    )


def test_the_feed_opened_by_its_token_is_never_stored(client, nurse):
    response = client.get(f"/calendar/{ical.create_feed_token(actor=nurse)}.ics")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
