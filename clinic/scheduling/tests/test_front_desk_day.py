"""The front desk's day: check-in on the appointment's day only and undone when made by mistake;
a checked-in appointment is neither moved nor cancelled until its check-in is undone; no-show only
once the start time has passed."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.audit.models import AuditEvent
from clinic.core.exceptions import InvalidTransitionError
from clinic.scheduling import services
from clinic.scheduling.models import Appointment, FollowUp
from clinic.scheduling.tests.factories import infusion, make_chair
from conftest import client_for

pytestmark = pytest.mark.django_db


def booked(patient, front_desk, nurse, starts_at, room=None) -> Appointment:
    kind = infusion()
    return Appointment.objects.create(  # set-up: a booked appointment at any time
        patient=patient,
        location=patient.location,
        appointment_type=kind,
        room=room,
        staff=nurse,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=kind.duration_minutes),
        booked_by=front_desk,
    )


def test_check_in_is_refused_the_day_before_and_the_day_after(front_desk, nurse, patient_alice):
    tomorrow = booked(patient_alice, front_desk, nurse, timezone.now() + timedelta(days=1))
    with pytest.raises(InvalidTransitionError, match=r"appointment's day .* move the appointment"):
        services.check_in(actor=front_desk, appointment=tomorrow)
    yesterday = booked(patient_alice, front_desk, nurse, timezone.now() - timedelta(days=1))
    with pytest.raises(InvalidTransitionError, match="that day has passed"):
        services.check_in(actor=front_desk, appointment=yesterday)
    assert set(Appointment.objects.values_list("status", flat=True)) == {"booked"}
    assert not FollowUp.objects.exists()


def test_a_check_in_is_undone_with_its_follow_up_and_an_audit_entry(
    front_desk, nurse, patient_alice
):
    appointment = booked(patient_alice, front_desk, nurse, timezone.now())
    services.check_in(actor=front_desk, appointment=appointment)
    assert FollowUp.objects.filter(source_appointment=appointment).exists()

    undone = services.undo_check_in(actor=front_desk, appointment=appointment)
    assert undone.status == "booked" and undone.checked_in_at is None
    assert not FollowUp.objects.filter(source_appointment=appointment).exists()
    entry = AuditEvent.objects.filter(target_id=str(appointment.pk)).latest("id")
    assert entry.actor == front_desk and entry.details["undone"] == "check_in"
    assert AuditEvent.objects.filter(details__follow_up_withdrawn__isnull=False).exists()
    with pytest.raises(InvalidTransitionError, match="This appointment is booked"):
        services.undo_check_in(actor=front_desk, appointment=appointment)


def test_a_checked_in_appointment_is_moved_or_cancelled_only_after_undoing_it(
    front_desk, nurse, patient_alice
):
    chair = make_chair(patient_alice.location)
    appointment = booked(patient_alice, front_desk, nurse, timezone.now(), room=chair)
    services.check_in(actor=front_desk, appointment=appointment)
    with pytest.raises(InvalidTransitionError, match="Undo the check-in first"):
        services.cancel_appointment(actor=front_desk, appointment=appointment, reason="illness")
    with pytest.raises(InvalidTransitionError, match="Undo the check-in first"):
        services.move_appointment(
            actor=front_desk, appointment=appointment, starts_at=timezone.now() + timedelta(days=2)
        )
    services.undo_check_in(actor=front_desk, appointment=appointment)
    cancelled = services.cancel_appointment(
        actor=front_desk, appointment=appointment, reason="illness"
    )
    assert cancelled.status == "cancelled"


def test_no_show_only_after_the_start_time(front_desk, nurse, patient_alice):
    later = booked(patient_alice, front_desk, nurse, timezone.now() + timedelta(hours=1))
    with pytest.raises(InvalidTransitionError, match="has not started yet"):
        services.mark_no_show(actor=front_desk, appointment=later)
    started = booked(patient_alice, front_desk, nurse, timezone.now() - timedelta(minutes=20))
    assert services.mark_no_show(actor=front_desk, appointment=started).status == "no_show"


def test_the_appointment_page_offers_undo_and_undoes(front_desk, nurse, patient_alice):
    appointment = booked(patient_alice, front_desk, nurse, timezone.now())
    client = client_for(front_desk)
    url = reverse("scheduling:appointment", args=[appointment.public_id])
    assert client.post(url, {"action": "check_in"}).status_code == 302
    page = client.get(url).content.decode()
    assert "Undo check-in" in page and 'value="cancel"' not in page
    response = client.post(url, {"action": "undo_check_in"}, follow=True)
    assert "The check-in is undone" in response.content.decode()
    appointment.refresh_from_db()
    assert appointment.status == "booked"
