"""Suggested free times are buttons: one click books (or moves) at that time, through the same
checks, with the rest of what was posted kept."""

import re
from datetime import time

import pytest
from django.utils import timezone

from clinic.audit.choices import AuditEventType
from clinic.audit.models import AuditEvent
from clinic.scheduling import services
from clinic.scheduling.models import Appointment
from clinic.scheduling.tests.factories import infusion, make_chair, working_week
from clinic.scheduling.tests.test_day_grid import next_weekday
from conftest import client_for

pytestmark = pytest.mark.django_db


def buttons(page: str) -> list[dict[str, str]]:
    """Each suggested time's form in the conflict box, as the data its button posts."""
    box = page.split('class="rebook-choices"', 1)[1].split("</ul>", 1)[0]
    return [
        dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form))
        for form in box.split("<form")[1:]
    ]


@pytest.fixture
def busy_chair(location, nurse, front_desk, patient_bob):
    working_week(nurse, location)
    chair = make_chair(location)
    day = next_weekday(location)
    services.book_appointment(
        actor=front_desk,
        patient=patient_bob,
        appointment_type=infusion(),
        starts_at=services.local_start(day, time(9), location),
        room=chair,
        staff=nurse,
    )
    return chair, day


def test_a_suggested_time_books_in_one_click(busy_chair, front_desk, nurse, patient_alice):
    chair, day = busy_chair
    client = client_for(front_desk)
    url = f"/patients/{patient_alice.public_id}/appointments/book/"
    posted = {
        "appointment_type": infusion().pk,
        "day": day.isoformat(),
        "at": "09:00",
        "room": chair.pk,
        "staff": nurse.pk,
        "override_reason": "",
    }
    response = client.post(url, posted)
    assert response.status_code == 409
    choices = buttons(response.content.decode())
    assert choices and "Book " in response.content.decode()
    first = choices[0]
    assert first["room"] == str(chair.pk) and first["staff"] == str(nurse.pk)
    assert first["at"] != "09:00" or first["day"] != day.isoformat()
    assert client.post(url, first).status_code == 302
    booked = Appointment.objects.get(patient=patient_alice)
    local = timezone.localtime(booked.starts_at, patient_alice.location.zone)
    assert (local.date().isoformat(), local.strftime("%H:%M")) == (first["day"], first["at"])
    assert booked.room == chair


def test_a_suggested_time_moves_in_one_click(busy_chair, front_desk, nurse, patient_alice):
    chair, day = busy_chair
    mine = services.book_appointment(
        actor=front_desk,
        patient=patient_alice,
        appointment_type=infusion(),
        starts_at=services.local_start(day, time(13), patient_alice.location),
        room=chair,
        staff=nurse,
    )
    client = client_for(front_desk)
    url = f"/appointments/{mine.public_id}/"
    response = client.post(url, {"action": "move", "move-day": day.isoformat(), "move-at": "09:30"})
    assert response.status_code == 409
    first = buttons(response.content.decode())[0]
    assert first["action"] == "move" and "Move to " in response.content.decode()
    assert client.post(url, first).status_code == 302
    mine.refresh_from_db()
    assert (
        timezone.localtime(mine.starts_at, mine.location.zone).strftime("%H:%M") == first["move-at"]
    )
    assert AuditEvent.objects.filter(
        event_type=AuditEventType.APPOINTMENT_CHANGED, target_id=str(mine.pk)
    ).exists()


def test_a_suggested_time_taken_meanwhile_is_refused_again(
    busy_chair, front_desk, nurse, patient_alice, patient_bob
):
    chair, day = busy_chair
    client = client_for(front_desk)
    url = f"/patients/{patient_alice.public_id}/appointments/book/"
    posted = {
        "appointment_type": infusion().pk,
        "day": day.isoformat(),
        "at": "09:00",
        "room": chair.pk,
        "staff": nurse.pk,
    }
    first = buttons(client.post(url, posted).content.decode())[0]
    # The chair is free again from 11:00, when Bob's infusion ends.
    assert (first["day"], first["at"]) == (day.isoformat(), "11:00")
    services.book_appointment(
        actor=front_desk,
        patient=patient_bob,
        appointment_type=infusion(),
        starts_at=services.local_start(day, time(11), patient_bob.location),
        room=chair,
        staff=nurse,
    )
    again = client.post(url, first)
    assert again.status_code == 409 and not Appointment.objects.filter(patient=patient_alice)
