"""The pre-visit check-in: answers on the patient's phone; a worrying answer flags the visit."""

import re

import pytest
from django.db import transaction

from clinic.scheduling import checkin, services
from clinic.scheduling.tests.factories import at, infusion, make_chair
from conftest import client_for


@pytest.fixture
def appointment(front_desk, patient_alice, nurse, location):
    return services.book_appointment(
        actor=front_desk,
        patient=patient_alice,
        appointment_type=infusion(),
        starts_at=at(location, 2027, 1, 11, 9),
        room=make_chair(location),
        staff=nurse,
    )


def _link(appointment) -> str:
    with transaction.atomic():
        link = checkin.issue_check_in_link(appointment)
    return "/" + link.split("://", 1)[1].split("/", 1)[1]


def test_a_worrying_answer_flags_the_appointment_for_staff(client, appointment, front_desk):
    url = _link(appointment)
    page = client.get(url).content.decode()
    assert (
        "Before your visit" in page and "Have you arranged for an adult to take you home?" in page
    )
    response = client.post(
        url,
        {
            "fasting": "yes",
            "ride": "no",
            "medication_changed": "yes",
            "medication_change_details": "Started lorazepam 1 mg",
        },
    )
    assert response.status_code == 200 and "No ride home arranged" in response.content.decode()
    appointment.refresh_from_db()
    assert (
        appointment.flagged
        and "No ride home arranged" in appointment.flag_reason
        and "lorazepam" in appointment.flag_reason
    )
    staff_page = (
        client_for(front_desk).get(f"/appointments/{appointment.public_id}/").content.decode()
    )
    assert re.search(r"Ride home: no", staff_page) and "Started lorazepam" in staff_page
    assert client.get(url).status_code == 410  # answered once


def test_reassuring_answers_do_not_flag(client, appointment):
    client.post(_link(appointment), {"fasting": "yes", "ride": "yes", "medication_changed": "no"})
    appointment.refresh_from_db()
    assert not appointment.flagged


def test_a_medication_change_needs_details_and_keeps_the_answers(client, appointment):
    url = _link(appointment)
    response = client.post(url, {"fasting": "no", "ride": "yes", "medication_changed": "yes"})
    assert response.status_code == 400 and "which medicine changed" in response.content.decode()
    assert (
        'value="no" checked' in response.content.decode().replace("\n", " ")
        or "checked" in response.content.decode()
    )


def test_a_new_reminder_link_replaces_the_old_one(client, appointment):
    old = _link(appointment)
    new = _link(appointment)
    assert client.get(old).status_code == 404 and client.get(new).status_code == 200


def test_the_check_in_page_is_never_stored_by_a_browser_or_proxy(client, appointment):
    response = client.get(_link(appointment))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
