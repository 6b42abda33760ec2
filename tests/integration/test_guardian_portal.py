"""A guardian's portal account: the appointments, consent forms and record of the patient they
represent, and nothing of another family's (every portal URL probed with the other family's
identifiers answers 404); the patient's questionnaires only when the clinic allows it."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.assessments.services import send_questionnaires
from clinic.audit.choices import AuditEventType
from clinic.audit.models import AuditEvent
from clinic.evaluation.models import ConsentDocument
from clinic.patients.models import PatientPolicy
from clinic.patients.tests.factories import add_test_guardian, register_test_minor
from clinic.scheduling.models import Appointment, AppointmentType
from conftest import client_for


def _appointment(patient, booked_by):
    kind = AppointmentType.objects.filter(is_active=True).first()
    starts_at = timezone.now() + timedelta(days=3)
    return Appointment.objects.create(
        patient=patient,
        location=patient.location,
        appointment_type=kind,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=kind.duration_minutes),
        status="booked",
        booked_by=booked_by,
    )


@pytest.fixture
def families(clinician, location):
    """Two minors, each with a guardian who has a portal account, an appointment and an open
    questionnaire request."""
    result = []
    for surname in ("Reyes", "Okafor"):
        minor = register_test_minor(actor=clinician, location=location, last_name=surname)
        guardian = add_test_guardian(
            actor=clinician, patient=minor, portal=True, full_name=f"Dana {surname}"
        )
        appointment = _appointment(minor, clinician)
        questionnaires, _token = send_questionnaires(
            actor=clinician, patient=minor, instrument_codes=["phq9"], context="baseline"
        )
        result.append(
            {
                "minor": minor,
                "guardian": guardian,
                "appointment": appointment,
                "questionnaires": questionnaires,
            }
        )
    return result


def test_a_guardian_sees_their_patients_record_appointments_and_consent(families):
    ours = families[0]
    client = client_for(ours["guardian"].user)
    home = client.get(reverse("accounts:home"))
    assert home.status_code == 302 and home["Location"] == "/patients/me/"
    record = client.get("/patients/me/")
    assert record.status_code == 200 and ours["minor"].legal_last_name in record.content.decode()
    # The patient's scores are their questionnaire answers: not for a guardian by default.
    assert "Your progress" not in record.content.decode()
    appointments = client.get("/portal/appointments/")
    assert appointments.status_code == 200
    ics = client.get(f"/portal/appointments/{ours['appointment'].public_id}.ics")
    assert ics.status_code == 200 and b"BEGIN:VCALENDAR" in ics.content
    consent = client.get("/portal/consent/")
    assert consent.status_code == 200
    assert "Consent forms for" in consent.content.decode()
    # Every page is audited as a look at the patient's record, by the guardian.
    seen = AuditEvent.objects.filter(
        actor=ours["guardian"].user,
        event_type=AuditEventType.PATIENT_CHART_VIEWED,
        patient_id=ours["minor"].pk,
    )
    assert {e.details.get("section") for e in seen} >= {
        "portal home",
        "portal appointments",
        "portal consent",
    }


def test_every_portal_url_with_another_familys_identifiers_is_not_found(families):
    ours, theirs = families
    PatientPolicy.objects.update_or_create(
        singleton=True, defaults={"guardians_see_questionnaire_answers": True}
    )
    client = client_for(ours["guardian"].user)
    other_patient = theirs["minor"].public_id
    other_requests = theirs["questionnaires"].public_id
    document = ConsentDocument.objects.filter(status="active").first()
    probes = [
        ("get", f"/patients/me/?patient={other_patient}"),
        ("get", f"/patients/me/?patient={other_patient}&section=overview"),
        ("get", "/patients/me/?patient=not-a-uuid"),
        ("get", f"/portal/appointments/?patient={other_patient}"),
        ("get", f"/portal/appointments/{theirs['appointment'].public_id}.ics"),
        ("get", f"/portal/consent/?patient={other_patient}"),
        ("get", f"/portal/consent/{document.pk}/?patient={other_patient}"),
        ("post", f"/portal/consent/{document.pk}/?patient={other_patient}"),
        ("get", f"/portal/questionnaires/{other_requests}/"),
        ("get", f"/portal/questionnaires/{other_requests}/phq9/"),
        ("post", f"/portal/questionnaires/{other_requests}/phq9/save/"),
    ]
    for method, url in probes:
        response = getattr(client, method)(url)
        assert response.status_code == 404, (url, response.status_code)
        assert theirs["minor"].legal_last_name not in response.content.decode(), url
    # Asking to move another family's appointment from one's own page: not found either.
    moved = client.post(
        "/portal/appointments/",
        {"appointment": str(theirs["appointment"].public_id), "kind": "cancel", "note": ""},
    )
    assert moved.status_code == 404
    theirs["appointment"].refresh_from_db()
    assert theirs["appointment"].patient_request == ""
    # Each refusal is audited.
    assert AuditEvent.objects.filter(actor=ours["guardian"].user, outcome="denied").count() >= len(
        probes
    )


def test_the_patients_questionnaires_are_refused_to_a_guardian_unless_the_clinic_allows(
    families,
):
    ours = families[0]
    client = client_for(ours["guardian"].user)
    url = f"/portal/questionnaires/{ours['questionnaires'].public_id}/"
    refused = client.get(url)
    assert refused.status_code == 403
    assert "does not show a patient" in refused.content.decode()
    assert client.get(url + "phq9/").status_code == 403
    PatientPolicy.objects.update_or_create(
        singleton=True, defaults={"guardians_see_questionnaire_answers": True}
    )
    assert client.get(url).status_code in {200, 302}
    assert client.get(url + "phq9/").status_code == 200


def test_a_guardian_whose_guardianship_ended_sees_nothing(families, clinician):
    from clinic.patients.services import end_guardianship

    ours = families[0]
    end_guardianship(actor=clinician, guardian=ours["guardian"], reason="Custody changed")
    client = client_for(ours["guardian"].user)
    assert client.get("/patients/me/").status_code == 404
    assert client.get("/portal/appointments/").status_code == 404
    assert (
        client.get(f"/portal/appointments/{ours['appointment'].public_id}.ics").status_code == 404
    )
    assert client.get("/portal/consent/").status_code == 404
