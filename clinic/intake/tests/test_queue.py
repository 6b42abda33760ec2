"""Front desk works the consultation queue: new → contacted → evaluation booked → converted / declined."""

import pytest

from clinic.audit.choices import AuditEventType, AuditOutcome
from clinic.audit.models import AuditEvent
from clinic.core.exceptions import ClinicError, InvalidTransitionError, PermissionDeniedError
from clinic.intake import services
from clinic.intake.models import ConsultationRequest
from clinic.intake.tests.factories import submit_test_request
from clinic.patients.models import Patient
from conftest import client_for


@pytest.fixture
def request_(location):
    return submit_test_request(
        location=location, first_name="Casey", last_name="Rivera", preferred_name="Cas"
    )


def audit_count(**filters):
    return AuditEvent.objects.filter(**filters).count()


def test_front_desk_records_each_step_with_who_and_when(front_desk, request_):
    before = AuditEvent.objects.count()
    request_ = services.record_consultation_step(
        actor=front_desk, request=request_, to_status="contacted", note="Left a voicemail."
    )
    request_ = services.record_consultation_step(
        actor=front_desk, request=request_, to_status="evaluation_booked"
    )
    assert request_.status == "evaluation_booked"
    assert request_.assigned_to == front_desk
    history = list(
        request_.activities.values_list("from_status", "to_status", "note", "author__email")
    )
    assert history[1:] == [
        ("new", "contacted", "Left a voicemail.", front_desk.email),
        ("contacted", "evaluation_booked", "", front_desk.email),
    ]
    assert AuditEvent.objects.count() == before + 2


def test_a_step_the_queue_does_not_allow_is_refused_with_a_reason(front_desk, request_):
    with pytest.raises(InvalidTransitionError, match="cannot be marked"):
        services.record_consultation_step(actor=front_desk, request=request_, to_status="converted")


def test_a_nurse_cannot_work_the_queue_and_the_attempt_is_audited(nurse, request_):
    with pytest.raises(PermissionDeniedError):
        services.add_consultation_note(actor=nurse, request=request_, note="hello")
    assert (
        audit_count(
            actor=nurse,
            outcome=AuditOutcome.DENIED,
            event_type=AuditEventType.CONSULTATION_NOTE_ADDED,
        )
        == 1
    )


def test_declining_needs_a_reason_and_details_for_other(front_desk, request_):
    with pytest.raises(ClinicError, match="Describe the reason"):
        services.decline_consultation_request(
            actor=front_desk, request=request_, reason="other", details=" "
        )
    declined = services.decline_consultation_request(
        actor=front_desk, request=request_, reason="unreachable", details="Three calls."
    )
    assert declined.status == "declined" and declined.decline_reason == "unreachable"
    with pytest.raises(InvalidTransitionError):
        services.decline_consultation_request(
            actor=front_desk, request=declined, reason="duplicate"
        )


def test_converting_creates_the_patient_without_retyping(front_desk, request_, location):
    details = services.patient_details_from_request(request_) | {"sex": "female"}
    patient = services.convert_request_to_patient(
        actor=front_desk, request=request_, location=location, details=details
    )
    request_.refresh_from_db()
    assert request_.status == "converted" and request_.patient == patient
    assert (patient.legal_first_name, patient.legal_last_name, patient.preferred_name) == (
        "Casey",
        "Rivera",
        "Cas",
    )
    assert patient.email == request_.email and patient.phone == request_.phone
    assert patient.date_of_birth == request_.date_of_birth
    assert patient.primary_conditions == ["trd", "anxiety"]
    assert patient.mrn.startswith("KC-")
    assert audit_count(event_type=AuditEventType.CONSULTATION_CONVERTED, patient_id=patient.pk) == 1
    assert audit_count(event_type=AuditEventType.PATIENT_CREATED, patient_id=patient.pk) == 1
    with pytest.raises(InvalidTransitionError):
        services.convert_request_to_patient(
            actor=front_desk, request=request_, location=location, details=details
        )


def test_a_failed_conversion_leaves_neither_patient_nor_status_change(
    front_desk, request_, location
):
    details = services.patient_details_from_request(request_) | {"sex": "not-a-sex"}
    with pytest.raises(Exception):  # noqa: B017 - model validation error
        services.convert_request_to_patient(
            actor=front_desk, request=request_, location=location, details=details
        )
    request_.refresh_from_db()
    assert request_.status == "new" and Patient.objects.count() == 0


def test_the_convert_page_arrives_filled_in_from_the_request(front_desk, request_):
    page = (
        client_for(front_desk).get(f"/consultations/{request_.public_id}/convert/").content.decode()
    )
    assert 'value="Casey"' in page and 'value="Rivera"' in page and 'value="1990-06-01"' in page
    assert f'value="{request_.email}"' in page


def test_converting_in_the_browser_opens_the_new_chart(front_desk, request_, location):
    client = client_for(front_desk)
    data = {
        "legal_first_name": "Casey",
        "legal_last_name": "Rivera",
        "preferred_name": "Cas",
        "date_of_birth": "1990-06-01",
        "sex": "female",
        "phone": request_.phone,
        "email": request_.email,
        "home_location": location.pk,
        "primary_conditions": ["trd", "anxiety"],
    }
    response = client.post(f"/consultations/{request_.public_id}/convert/", data)
    patient = Patient.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/patients/{patient.public_id}/"
    assert "Cas Rivera" in client.get(response["Location"]).content.decode()


def test_a_possible_duplicate_is_shown_before_registering(
    front_desk, clinician, request_, location
):
    from clinic.patients.tests.factories import register_test_patient

    existing = register_test_patient(
        actor=clinician,
        location=location,
        first_name="Casey",
        last_name="Rivera",
        date_of_birth=request_.date_of_birth,
    )
    client = client_for(front_desk)
    data = {
        "legal_first_name": "Casey",
        "legal_last_name": "Rivera",
        "date_of_birth": "1990-06-01",
        "sex": "female",
        "phone": request_.phone,
        "email": request_.email,
        "home_location": location.pk,
        "primary_conditions": ["trd"],
    }
    page = client.post(f"/consultations/{request_.public_id}/convert/", data).content.decode()
    assert "may be a patient we already have" in page and existing.mrn in page
    assert Patient.objects.count() == 1
    response = client.post(
        f"/consultations/{request_.public_id}/convert/", data | {"confirm_not_duplicate": "yes"}
    )
    assert response.status_code == 302 and Patient.objects.count() == 2


def test_a_refused_note_keeps_the_typed_text(front_desk, request_):
    services.decline_consultation_request(actor=front_desk, request=request_, reason="duplicate")
    client = client_for(front_desk)
    response = client.post(
        f"/consultations/{request_.public_id}/decline/",
        {"decline-reason": "other", "decline-details": "my words"},
    )
    assert response.status_code == 400
    assert "my words" in response.content.decode()


def test_staff_see_only_the_requests_of_their_locations(
    clinician, other_location_clinician, request_
):
    assert (
        client_for(other_location_clinician)
        .get(f"/consultations/{request_.public_id}/")
        .status_code
        == 404
    )
    assert (
        "Rivera" not in client_for(other_location_clinician).get("/consultations/").content.decode()
    )
    assert "Rivera" in client_for(clinician).get("/consultations/").content.decode()


def test_viewing_a_request_is_audited(front_desk, request_):
    client_for(front_desk).get(f"/consultations/{request_.public_id}/")
    assert (
        audit_count(
            event_type=AuditEventType.CONSULTATION_VIEWED,
            actor=front_desk,
            target_id=str(request_.pk),
        )
        == 1
    )


def test_the_queue_runs_a_fixed_number_of_queries(
    front_desk, location, django_assert_max_num_queries
):
    for _ in range(30):
        submit_test_request(location=location)
    client = client_for(front_desk)
    # 12: the page's own reads, and its audit row (sealing it reads the chain's head, and on
    # PostgreSQL takes the chain's lock).
    with django_assert_max_num_queries(12):
        response = client.get("/consultations/")
    assert response.status_code == 200
    assert ConsultationRequest.objects.count() == 30


def test_the_mark_as_box_opens_on_the_current_status_and_asks_for_a_step(front_desk, request_):
    client = client_for(front_desk)
    page = client.get(f"/consultations/{request_.public_id}/").content.decode()
    assert '<option value="" selected>New (now)</option>' in page
    response = client.post(
        f"/consultations/{request_.public_id}/step/", {"step-to_status": "", "step-note": "Called"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Choose the step the request has reached." in body and "Called" in body
    request_.refresh_from_db()
    assert request_.status == "new"
