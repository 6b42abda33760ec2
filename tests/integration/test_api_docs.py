"""The OpenAPI schema and the interactive API docs: open in development and tests, only for
signed-in staff in production (they map every endpoint and field of the patient record)."""

from __future__ import annotations

import pytest

from conftest import client_for

DOCS = ["/api/v1/openapi.json", "/api/v1/docs"]
STAFF = ["medical_director", "clinician", "nurse", "front_desk"]


@pytest.fixture
def production(settings):
    settings.IS_PRODUCTION = True


@pytest.mark.django_db
@pytest.mark.parametrize("path", DOCS)
def test_outside_production_the_docs_are_open_to_anyone(client, path):
    assert client.get(path).status_code == 200


@pytest.mark.parametrize("path", DOCS)
def test_in_production_a_visitor_is_sent_to_sign_in(production, client, db, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/api/v1/")


@pytest.mark.parametrize("path", DOCS)
def test_in_production_a_patient_does_not_find_the_docs(production, patient_alice, path):
    assert client_for(patient_alice.user).get(path).status_code == 404


@pytest.mark.parametrize("persona", STAFF)
def test_in_production_signed_in_staff_read_the_schema_and_the_docs(production, personas, persona):
    client = client_for(personas[persona])
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 200
    assert "/api/v1/patients" in schema.json()["paths"]
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    assert b"swagger-ui" in docs.content
