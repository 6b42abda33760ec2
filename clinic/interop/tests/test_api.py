"""The FHIR API: FHIR answers only (application/fhir+json; errors as OperationOutcome), scoped to
the token owner's locations as the pages are, every read audited; probes of what it refuses."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clinic.audit.choices import AuditEventType, AuditOutcome
from clinic.audit.models import AuditEvent
from clinic.interop import mapping, services
from clinic.interop.models import FhirApiToken
from clinic.patients.tests.factories import register_test_patient

pytestmark = pytest.mark.django_db


def bearer(token: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {token}"})


@pytest.fixture
def clinician_token(medical_director, clinician):
    _row, token = services.issue_fhir_token(
        actor=medical_director, name="Hospital import", owner=clinician
    )
    return token


def outcome(response, status):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/fhir+json")
    body = response.json()
    mapping.validated(body)
    assert body["resourceType"] == "OperationOutcome"
    return body


def test_metadata_lists_exactly_what_is_served(client):
    response = client.get("/fhir/metadata")
    assert response["Content-Type"].startswith("application/fhir+json")
    statement = mapping.validated(response.json())
    served = {r["type"]: r for r in statement["rest"][0]["resource"]}
    assert set(served) == {"Patient", "Observation", "QuestionnaireResponse"}
    assert served["Patient"]["operation"][0]["name"] == "everything"
    assert {p["name"] for p in served["Observation"]["searchParam"]} == {
        "patient",
        "_count",
        "category",
        "code",
        "date",
    }


def test_a_patient_is_read_and_the_read_audited(clinician_token, patient_alice, clinician):
    response = bearer(clinician_token).get(f"/fhir/Patient/{patient_alice.public_id}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/fhir+json")
    patient = mapping.validated(response.json())
    assert patient["identifier"][0]["value"] == patient_alice.mrn
    assert patient["birthDate"] == patient_alice.date_of_birth.isoformat()
    event = AuditEvent.objects.filter(event_type=AuditEventType.FHIR_READ).latest("id")
    assert (event.actor_id, event.patient_id, event.outcome) == (
        clinician.pk,
        patient_alice.pk,
        AuditOutcome.SUCCESS,
    )
    assert event.actor_label == "fhir-token:Hospital import"


def test_a_token_of_one_location_reads_nothing_of_another(
    medical_director, clinician_token, other_location, other_location_clinician
):
    elsewhere = register_test_patient(actor=other_location_clinician, location=other_location)
    client = bearer(clinician_token)
    for path in (
        f"/fhir/Patient/{elsewhere.public_id}",
        f"/fhir/Patient/{elsewhere.public_id}/$everything",
        f"/fhir/Observation?patient={elsewhere.public_id}",
        f"/fhir/QuestionnaireResponse?patient={elsewhere.public_id}",
    ):
        body = outcome(client.get(path), 404)
        assert elsewhere.legal_last_name not in str(body)
    denied = AuditEvent.objects.filter(
        event_type=AuditEventType.FHIR_READ, outcome=AuditOutcome.DENIED
    )
    assert denied.count() == 4
    # The medical director's own token reads every location, as the pages do.
    _row, director_token = services.issue_fhir_token(
        actor=medical_director, name="Registry", owner=medical_director
    )
    assert bearer(director_token).get(f"/fhir/Patient/{elsewhere.public_id}").status_code == 200


def test_revoked_expired_unknown_and_missing_tokens_get_401(
    medical_director, clinician, clinician_token, patient_alice, client
):
    path = f"/fhir/Patient/{patient_alice.public_id}"
    assert bearer(clinician_token).get(path).status_code == 200
    row = FhirApiToken.objects.get()
    services.revoke_fhir_token(actor=medical_director, token=row)
    revoked = outcome(bearer(clinician_token).get(path), 401)
    assert "Bearer" in bearer(clinician_token).get(path)["WWW-Authenticate"]
    assert revoked["issue"][0]["code"] == "login"

    _row, expiring = services.issue_fhir_token(
        actor=medical_director, name="Short", owner=clinician, valid_days=1
    )
    FhirApiToken.objects.filter(name="Short").update(
        issued_at=timezone.now() - timedelta(days=2),
        expires_at=timezone.now() - timedelta(seconds=1),
    )
    outcome(bearer(expiring).get(path), 401)
    outcome(bearer("kcf_nonsense").get(path), 401)
    outcome(client.get(path), 401)
    # A signed-in member of staff without a token is not let in by their browser session.
    from conftest import client_for

    outcome(client_for(clinician).get(path), 401)


def test_unknown_parameters_and_paths_get_400_and_404(clinician_token, patient_alice):
    client = bearer(clinician_token)
    patient = patient_alice.public_id
    outcome(client.get(f"/fhir/Patient/{patient}", {"_elements": "name"}), 400)
    outcome(client.get("/fhir/Observation", {"patient": patient, "subject": "x"}), 400)
    outcome(client.get("/fhir/Observation"), 400)
    outcome(client.get("/fhir/Observation", {"patient": patient, "category": "laboratory"}), 400)
    outcome(client.get("/fhir/Observation", {"patient": patient, "date": "yesterday"}), 400)
    outcome(client.get("/fhir/Observation", {"patient": patient, "_count": "0"}), 400)
    outcome(client.get("/fhir/Patient/not-a-uuid"), 404)
    outcome(client.get("/fhir/Medication/1"), 404)
    outcome(client.post(f"/fhir/Patient/{patient}", {}), 405)


parameter_names = st.sampled_from(
    ["patient", "category", "code", "date", "_count", "_offset", "_sort", "subject", "\x00"]
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(params=st.dictionaries(parameter_names, st.text(max_size=30), max_size=4))
def test_any_observation_search_answers_fhir_never_500(clinician_token, patient_alice, params):
    params = {k: v.replace("\x00", "") for k, v in params.items()}
    if "patient" in params and params["patient"] == "":
        params["patient"] = str(patient_alice.public_id)
    response = bearer(clinician_token).get("/fhir/Observation", params)
    assert response.status_code in {200, 400, 404}
    assert response["Content-Type"].startswith("application/fhir+json")


def test_observations_are_searched_by_category_code_and_date_and_paged(
    clinician_token, clinician, patient_alice
):
    from clinic.assessments.tests.factories import record_phq9

    for days_ago, total in ((20, 18), (10, 12), (1, 6)):
        record_phq9(actor=clinician, patient=patient_alice, total=total, days_ago=days_ago)
    client = bearer(clinician_token)
    patient = str(patient_alice.public_id)
    survey = client.get(
        "/fhir/Observation",
        {"patient": patient, "category": "survey", "code": "http://loinc.org|44261-6"},
    ).json()
    mapping.validated(survey)
    assert survey["total"] == 3
    assert sorted(e["resource"]["valueQuantity"]["value"] for e in survey["entry"]) == [6, 12, 18]
    recent_day = (timezone.localdate() - timedelta(days=15)).isoformat()
    recent = client.get(
        "/fhir/Observation", {"patient": patient, "code": "44261-6", "date": f"ge{recent_day}"}
    ).json()
    assert recent["total"] == 2
    first = client.get(
        "/fhir/Observation", {"patient": patient, "code": "44261-6", "_count": 2}
    ).json()
    assert len(first["entry"]) == 2 and first["total"] == 3
    next_url = next(link["url"] for link in first["link"] if link["relation"] == "next")
    second = client.get(next_url).json()
    assert len(second["entry"]) == 1
    assert not any(link["relation"] == "next" for link in second["link"])
    seen = {e["resource"]["id"] for e in first["entry"] + second["entry"]}
    assert len(seen) == 3
    vitals = client.get("/fhir/Observation", {"patient": patient, "category": "vital-signs"}).json()
    assert all(
        e["resource"]["category"][0]["coding"][0]["code"] == "vital-signs" for e in vitals["entry"]
    )
    responses = client.get("/fhir/QuestionnaireResponse", {"patient": patient}).json()
    assert responses["total"] == 3
    for entry in responses["entry"]:
        mapping.validated(entry["resource"])
        assert {item["linkId"] for item in entry["resource"]["item"]} >= {"phq9_1", "phq9_9"}


def test_the_director_issues_lists_and_revokes_tokens_on_the_page(medical_director, clinician):
    from conftest import client_for

    page = client_for(medical_director)
    response = page.post(
        "/interop/tokens/", {"name": "Registry feed", "owner": clinician.pk, "valid_days": 30}
    )
    assert response.status_code == 200
    token = response.context["new_token"]
    assert token.startswith("kcf_") and token in response.content.decode()
    row = FhirApiToken.objects.get()
    assert row.token_sha256 != token and token not in row.token_sha256
    assert (row.expires_at - row.issued_at).days == 30
    listing = page.get("/interop/tokens/").content.decode()
    assert "Registry feed" in listing and token not in listing and row.token_hint in listing
    assert bearer(token).get("/fhir/metadata").status_code == 200
    page.post(f"/interop/tokens/{row.public_id}/revoke/")
    row.refresh_from_db()
    assert row.revoked_at is not None
    refused = page.post("/interop/tokens/", {"name": "", "owner": clinician.pk, "valid_days": 999})
    assert refused.status_code == 200 and refused.context["new_token"] is None
    assert FhirApiToken.objects.count() == 1
    assert client_for(clinician).get("/interop/tokens/").status_code == 403
