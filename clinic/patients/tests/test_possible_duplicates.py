"""The registration form's live duplicate check: as the names and birth date are typed, the
records already on file that may be the same person, among those the viewer may see."""

from __future__ import annotations

import pytest

from clinic.audit.choices import AuditEventType
from clinic.audit.models import AuditEvent
from clinic.intake.tests.factories import submit_test_request
from clinic.patients.tests.factories import register_test_patient
from conftest import client_for

URL = "/patients/new/possible-duplicates/"


def typed(patient, **overrides) -> dict:
    return {
        "legal_first_name": patient.legal_first_name,
        "legal_last_name": patient.legal_last_name.upper(),
        "date_of_birth": patient.date_of_birth.isoformat(),
        **overrides,
    }


def test_front_desk_sees_the_same_person_already_on_record_with_a_link(front_desk, patient_alice):
    response = client_for(front_desk).get(URL, typed(patient_alice))
    page = response.content.decode()
    assert response.status_code == 200
    assert patient_alice.mrn in page and "This is the same person" in page
    assert f"/patients/{patient_alice.public_id}/" in page


def test_each_check_is_audited_with_what_it_showed(front_desk, patient_alice):
    client_for(front_desk).get(URL, typed(patient_alice))
    event = AuditEvent.objects.get(event_type=AuditEventType.POSSIBLE_DUPLICATES_CHECKED)
    assert event.actor == front_desk
    assert event.details == {"matches": 1, "patients": [str(patient_alice.public_id)]}
    # The names typed are not kept in the log.
    assert patient_alice.legal_last_name not in str(event.details)


def test_a_different_birth_date_shows_nothing(front_desk, patient_alice):
    other_day = patient_alice.date_of_birth.replace(year=patient_alice.date_of_birth.year - 1)
    page = client_for(front_desk).get(URL, typed(patient_alice, date_of_birth=other_day))
    assert page.content.decode().strip() == ""


def test_a_patient_of_another_location_is_never_revealed(
    other_location_clinician, clinician, location, patient_alice
):
    page = client_for(other_location_clinician).get(URL, typed(patient_alice)).content.decode()
    assert patient_alice.mrn not in page and "same person" not in page


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"legal_first_name": "Alice", "legal_last_name": "Moreno"},
        {"legal_first_name": "A", "legal_last_name": "M", "date_of_birth": "2026-02-30"},
        {"legal_first_name": "x" * 5000, "legal_last_name": "M", "date_of_birth": "1980-01-01"},
        {"legal_first_name": "A", "legal_last_name": "M", "date_of_birth": "99999-01-01"},
    ],
)
def test_half_typed_or_nonsense_input_checks_nothing_and_never_fails(front_desk, query):
    response = client_for(front_desk).get(URL, query)
    assert response.status_code == 200 and response.content.decode().strip() == ""
    assert not AuditEvent.objects.filter(
        event_type=AuditEventType.POSSIBLE_DUPLICATES_CHECKED
    ).exists()


def test_a_nul_character_is_refused_as_everywhere_else(front_desk):
    query = {"legal_first_name": "A\x00", "legal_last_name": "M", "date_of_birth": "1980-01-01"}
    assert client_for(front_desk).get(URL, query).status_code == 400


def test_a_nurse_who_cannot_register_is_refused(nurse, patient_alice):
    assert client_for(nurse).get(URL, typed(patient_alice)).status_code == 403


def test_a_post_is_not_allowed(front_desk, patient_alice):
    assert client_for(front_desk).post(URL, typed(patient_alice)).status_code == 405


def test_the_check_takes_a_bounded_number_of_queries(
    front_desk, clinician, location, patient_alice, django_assert_max_num_queries
):
    for number in range(6):
        register_test_patient(
            actor=clinician,
            location=location,
            first_name=f"Alice{number}",
            last_name=patient_alice.legal_last_name,
            date_of_birth=patient_alice.date_of_birth,
        )
    client = client_for(front_desk)
    with django_assert_max_num_queries(12):
        page = client.get(URL, typed(patient_alice)).content.decode()
    assert page.count("This is the same person") == 5


def test_the_registration_and_conversion_forms_carry_the_live_check(front_desk, location):
    registration = client_for(front_desk).get("/patients/new/").content.decode()
    assert 'id="possible-duplicates" aria-live="polite"' in registration
    assert URL in registration
    consultation = submit_test_request(location=location)
    conversion = client_for(front_desk).get(f"/consultations/{consultation.public_id}/convert/")
    assert URL in conversion.content.decode()


def test_the_edit_form_does_not_check_for_duplicates(clinician, patient_alice):
    page = client_for(clinician).get(f"/patients/{patient_alice.public_id}/edit/").content.decode()
    assert "possible-duplicates" not in page
