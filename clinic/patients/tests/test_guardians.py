"""Patients of every age: the clinic's minimum age at registration, and a minor's guardians."""

import pytest

from clinic.audit.choices import AuditEventType
from clinic.audit.models import AuditEvent
from clinic.core.exceptions import ClinicError, PermissionDeniedError
from clinic.patients import services
from clinic.patients.tests.factories import (
    add_test_guardian,
    allow_minors,
    guardian_details,
    patient_details,
    register_test_minor,
    register_test_patient,
    years_ago,
)
from conftest import client_for


def test_registration_refuses_a_minor_unless_the_clinic_allows_minors(clinician, location):
    details = patient_details(date_of_birth=years_ago(16))
    with pytest.raises(ClinicError, match="adults only") as refused:
        services.register_patient(actor=clinician, location=location, details=details)
    assert refused.value.field == "date_of_birth"
    allow_minors(12)
    patient = services.register_patient(actor=clinician, location=location, details=details)
    assert patient.pk


def test_the_registration_form_says_why_and_keeps_what_was_typed(clinician, location):
    client = client_for(clinician)
    data = {
        "legal_first_name": "Sam",
        "legal_last_name": "Young",
        "date_of_birth": years_ago(15).isoformat(),
        "sex": "male",
        "phone": "(617) 555-0100",
        "home_location": str(location.pk),
        "height_cm_unit": "cm",
        "weight_kg_unit": "kg",
    }
    response = client.post("/patients/new/", data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "you must be at least 18 years old" in page and "Young" in page


def test_staff_record_a_minors_guardian_with_a_checked_phone_and_an_audit_entry(
    front_desk, clinician, location
):
    minor = register_test_minor(actor=clinician, location=location)
    guardian = services.add_guardian(
        actor=front_desk, patient=minor, details=guardian_details(phone="617 555 0123")
    )
    assert guardian.phone == "+16175550123"
    event = AuditEvent.objects.get(event_type=AuditEventType.GUARDIAN_ADDED)
    assert event.patient_id == minor.pk and event.actor == front_desk
    services.update_guardian(actor=front_desk, guardian=guardian, changes={"full_name": "J. Doe"})
    changed = AuditEvent.objects.get(event_type=AuditEventType.GUARDIAN_CHANGED)
    assert changed.details == {"fields": ["full_name"]}


@pytest.mark.parametrize("phone", ["555", "+1 000 000 0000", "call me", ""])
def test_an_impossible_guardian_phone_is_refused_on_its_field(clinician, location, phone):
    minor = register_test_minor(actor=clinician, location=location)
    with pytest.raises(ClinicError) as refused:
        services.add_guardian(actor=clinician, patient=minor, details=guardian_details(phone=phone))
    assert refused.value.field == "phone"


def test_an_adult_has_no_guardian_and_a_nurse_records_none(clinician, nurse, location):
    adult = register_test_patient(actor=clinician, location=location)
    with pytest.raises(ClinicError, match="adult"):
        services.add_guardian(actor=clinician, patient=adult, details=guardian_details())
    minor = register_test_minor(actor=clinician, location=location)
    with pytest.raises(PermissionDeniedError):
        services.add_guardian(actor=nurse, patient=minor, details=guardian_details())


def test_ending_a_guardianship_keeps_the_row_and_closes_the_portal(clinician, location):
    minor = register_test_minor(actor=clinician, location=location)
    guardian = add_test_guardian(actor=clinician, patient=minor, portal=True)
    assert client_for(guardian.user).get("/patients/me/").status_code == 200
    with pytest.raises(ClinicError, match="why"):
        services.end_guardianship(actor=clinician, guardian=guardian, reason=" ")
    services.end_guardianship(actor=clinician, guardian=guardian, reason="Custody changed")
    guardian.refresh_from_db()
    assert guardian.ended_at is not None
    assert client_for(guardian.user).get("/patients/me/").status_code == 404


def test_the_guardian_pages_add_edit_and_invite(front_desk, clinician, location, mailoutbox):
    minor = register_test_minor(actor=clinician, location=location)
    client = client_for(front_desk)
    chart = client.get(f"/patients/{minor.public_id}/?section=guardians").content.decode()
    assert "No guardian is recorded yet" in chart
    url = f"/patients/{minor.public_id}/guardians/new/"
    assert client.get(url).status_code == 200
    bad = client.post(url, {**guardian_details(), "phone": "12"})
    assert bad.status_code == 400 and "valid phone number" in bad.content.decode()
    assert "Jordan" in bad.content.decode()
    response = client.post(url, guardian_details(full_name="Pat Rivera", email="pat@example.com"))
    assert response.status_code == 302
    guardian = minor.guardians.get()
    edit = f"/patients/{minor.public_id}/guardians/{guardian.public_id}/edit/"
    assert client.post(edit, guardian_details(full_name="Pat Rivera-Lee")).status_code == 302
    guardian.refresh_from_db()
    assert guardian.full_name == "Pat Rivera-Lee"
    invite = f"/patients/{minor.public_id}/guardians/{guardian.public_id}/invite/"
    assert client.post(invite).status_code == 302
    guardian.refresh_from_db()
    assert guardian.user.role == "guardian"
    assert AuditEvent.objects.filter(event_type=AuditEventType.GUARDIAN_INVITED).count() == 1


def test_guardian_pages_of_another_patient_are_not_found(clinician, location):
    minor = register_test_minor(actor=clinician, location=location)
    other = register_test_minor(actor=clinician, location=location)
    guardian = add_test_guardian(actor=clinician, patient=other)
    client = client_for(clinician)
    edit = f"/patients/{minor.public_id}/guardians/{guardian.public_id}/edit/"
    assert client.get(edit).status_code == 404
    assert client.get(f"/patients/{minor.public_id}/guardians/not-a-uuid/edit/").status_code == 404
