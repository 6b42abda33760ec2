from clinic.audit.choices import AuditEventType
from clinic.audit.models import AuditEvent
from conftest import client_for


def test_the_openapi_schema_is_served(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["info"]["title"] == "Ketamine Clinic API"
    assert "/api/v1/patients" in schema["paths"]


def test_staff_search_patients_through_the_api(clinician, patient_alice, patient_bob):
    body = client_for(clinician).get("/api/v1/patients", {"q": "Moreno"}).json()
    assert len(body["results"]) == 1 and body["results"][0]["mrn"] == patient_alice.mrn
    assert body["has_next"] is False


def test_a_record_read_through_the_api_is_an_audited_chart_view(nurse, patient_alice):
    body = client_for(nurse).get(f"/api/v1/patients/{patient_alice.public_id}").json()
    assert body["legal_last_name"] == "Moreno" and body["weight_kg"] == "70.0"
    assert (
        AuditEvent.objects.filter(
            event_type=AuditEventType.PATIENT_CHART_VIEWED,
            patient_id=patient_alice.pk,
            details__section="api",
        ).count()
        == 1
    )


def test_front_desk_gets_no_measurements_through_the_api(front_desk, patient_alice):
    body = client_for(front_desk).get(f"/api/v1/patients/{patient_alice.public_id}").json()
    assert body["weight_kg"] is None and body["height_cm"] is None


def test_bad_input_gets_a_4xx_with_a_message(clinician):
    client = client_for(clinician)
    response = client.get("/api/v1/patients/not-a-uuid")
    assert response.status_code == 422
    response = client.get("/api/v1/patients", {"page": "many"})
    assert response.status_code == 422
    response = client.get("/api/v1/patients/00000000-0000-0000-0000-000000000000")
    assert (
        response.status_code == 404
        and response.json()["detail"] == "We could not find that patient."
    )


def test_patients_cannot_list_patients(patient_alice):
    response = client_for(patient_alice.user).get("/api/v1/patients")
    assert response.status_code == 403 and "patient list" in response.json()["detail"]
