"""Every role × every URL of the foundation: allowed or denied exactly as intended.

Outcomes: ok (200), login (sent to sign in), denied (403), hidden (404: the record is not one the
viewer may know of), home (redirected to the role's start page), api_login (401), admin_login.
"""

from __future__ import annotations

import pytest

from clinic.assessments.tests.factories import record_phq9
from clinic.evaluation.models import ConsentDocument
from clinic.evaluation.services import start_evaluation
from clinic.intake.tests.factories import submit_test_request
from conftest import client_for

ROLES = ["anonymous", "medical_director", "clinician", "nurse", "front_desk", "patient_alice"]
STAFF = {"medical_director", "clinician", "nurse", "front_desk"}
QUEUE = {"medical_director", "clinician", "front_desk"}
CLINICAL = {"medical_director", "clinician", "nurse"}
PRESCRIBERS = {"medical_director", "clinician"}


def expect(allowed: set[str], *, anonymous="login", others="denied") -> dict[str, str]:
    return {
        role: ("ok" if role in allowed else anonymous if role == "anonymous" else others)
        for role in ROLES
    }


MATRIX: list[tuple[str, str, dict[str, str]]] = [
    ("GET", "/", expect(set(ROLES))),
    ("GET", "/treatment/", expect(set(ROLES))),
    ("GET", "/conditions/", expect(set(ROLES))),
    ("GET", "/safety/", expect(set(ROLES))),
    ("GET", "/consultation/", expect(set(ROLES))),
    ("GET", "/consultation/thanks/", expect(set(ROLES))),
    ("GET", "/accounts/login/", expect({"anonymous"}, others="home")),
    ("GET", "/accounts/home/", expect(set(), others="home")),
    ("GET", "/dashboard/", expect(STAFF)),
    ("GET", "/patients/", expect(STAFF)),
    ("GET", "/patients/new/", expect({"medical_director", "clinician", "front_desk"})),
    ("GET", "/patients/me/", expect({"patient_alice"})),
    ("GET", "/patients/{alice}/", expect(STAFF)),
    ("GET", "/patients/{alice}/?section=consultation", expect(STAFF)),
    ("GET", "/patients/{alice}/edit/", expect(STAFF)),
    ("GET", "/consultations/", expect(QUEUE)),
    ("GET", "/consultations/{request}/", expect(QUEUE)),
    ("GET", "/consultations/{request}/convert/", expect(QUEUE)),
    ("GET", "/audit/", expect({"medical_director"})),
    ("GET", "/accounts/team/", expect({"medical_director"})),
    ("GET", "/accounts/team/new/", expect({"medical_director"})),
    ("GET", "/accounts/team/{nurse}/", expect({"medical_director"})),
    ("GET", "/admin/", expect({"medical_director"}, anonymous="admin_login", others="admin_login")),
    (
        "GET",
        "/admin/audit/auditevent/",
        expect({"medical_director"}, anonymous="admin_login", others="admin_login"),
    ),
    ("GET", "/api/v1/patients", expect(STAFF, anonymous="api_login")),
    ("GET", "/api/v1/patients/{alice}", expect(STAFF | {"patient_alice"}, anonymous="api_login")),
    ("GET", "/api/v1/patients/{bob}", expect(STAFF, anonymous="api_login", others="hidden")),
    # Measurement-based care: results for clinical roles; front desk may send links.
    ("GET", "/patients/{alice}/?section=assessments", expect(STAFF)),
    ("GET", "/patients/{alice}/questionnaires/enter/phq9/", expect(CLINICAL)),
    ("GET", "/assessments/responses/{response}/", expect(CLINICAL)),
    # The front desk opens an alert as a contact sheet (whom to call, not why) to record calls.
    ("GET", "/assessments/alerts/{alert}/", expect(STAFF)),
    ("GET", "/assessments/alerts/to-contact/", expect(STAFF)),
    ("POST", "/patients/{alice}/questionnaires/send/", expect(STAFF)),
    ("GET", "/api/v1/instruments", expect(set(ROLES) - {"anonymous"}, anonymous="api_login")),
    ("GET", "/api/v1/patients/{alice}/responses", expect(CLINICAL, anonymous="api_login")),
    # Evaluation, consent and plans: prescribers sign; nurses read; front desk sees neither.
    ("GET", "/patients/{alice}/?section=evaluation", expect(STAFF)),
    ("GET", "/patients/{alice}/evaluation/{evaluation}/", expect(CLINICAL)),
    ("POST", "/patients/{alice}/evaluation/start/", expect(PRESCRIBERS)),
    ("GET", "/patients/{alice}/plan/", expect(PRESCRIBERS)),
    ("GET", "/patients/{alice}/rems-enrolment/", expect(CLINICAL)),
    ("GET", "/rems/settings/", expect({"medical_director"})),
    ("GET", "/sessions/rems-forms/", expect(CLINICAL)),
    ("GET", "/outcomes/", expect(PRESCRIBERS)),
    ("GET", "/outcomes/export/funnel.csv", expect(PRESCRIBERS)),
    ("GET", "/patients/{alice}/letters/new/", expect(PRESCRIBERS)),
    ("GET", "/patients/{alice}/?section=letters", expect(STAFF)),
    ("GET", "/patients/{alice}/consent/{consent}/tablet/", expect(STAFF)),
    ("GET", "/portal/consent/", expect({"patient_alice"})),
    ("GET", "/portal/consent/{consent}/", expect({"patient_alice"})),
    # Scheduling: staff book; patients see their own appointments in the portal.
    ("GET", "/calendar/", expect(STAFF)),
    ("GET", "/calendar/?view=week", expect(STAFF)),
    ("GET", "/follow-ups/", expect(STAFF)),
    ("GET", "/calendar/feed/", expect(STAFF)),
    ("GET", "/patients/{alice}/appointments/book/", expect(STAFF)),
    ("GET", "/patients/{alice}/?section=appointments", expect(STAFF)),
    ("GET", "/portal/appointments/", expect({"patient_alice"})),
    ("GET", "/calendar/not-a-token.ics", expect(set(), anonymous="hidden", others="hidden")),
    ("POST", "/consultations/{request}/note/", expect(QUEUE)),
    # Nurses do not change a patient's stage of care; front desk may book them into evaluation.
    ("POST", "/patients/{alice}/status/", expect({"medical_director", "clinician", "front_desk"})),
    ("POST", "/accounts/team/{nurse}/active/", expect({"medical_director"})),
]


def outcome_of(response) -> str:
    status = response.status_code
    location = response.get("Location", "")
    if status == 200 or (
        status == 302 and response.request["REQUEST_METHOD"] == "POST" and "login" not in location
    ):
        return "ok"
    if status == 302 and "/admin/login/" in location:
        return "admin_login"
    if status == 302 and "/accounts/login/" in location:
        return "login"
    if status == 302:
        return "home"
    return {401: "api_login", 403: "denied", 404: "hidden"}.get(status, f"status {status}")


@pytest.fixture
def targets(personas, patient_alice, patient_bob, location):
    request = submit_test_request(location=location)
    response = record_phq9(actor=personas["clinician"], patient=patient_alice, total=6, item9=1)
    evaluation = start_evaluation(actor=personas["clinician"], patient=patient_alice)
    return {
        "evaluation": evaluation.public_id,
        "consent": ConsentDocument.objects.filter(status="active").first().pk,
        "response": response.public_id,
        "alert": response.alerts.get().public_id,
        "alice": patient_alice.public_id,
        "bob": patient_bob.public_id,
        "request": request.public_id,
        "nurse": personas["nurse"].public_id,
    }


POST_DATA = {
    "/patients/{alice}/evaluation/start/": {},
    "/patients/{alice}/questionnaires/send/": {"instrument_codes": ["phq9"], "context": "check_in"},
    "/consultations/{request}/note/": {"note-note": "Called, left a message."},
    "/patients/{alice}/status/": {"to_status": "in_evaluation", "reason": ""},
    "/accounts/team/{nurse}/active/": {"active": "1"},
}


@pytest.mark.parametrize(
    ("method", "url", "expected"), MATRIX, ids=[f"{m} {u}" for m, u, _ in MATRIX]
)
@pytest.mark.parametrize("role", ROLES)
def test_role_reaches_url_exactly_as_intended(role, method, url, expected, personas, targets):
    client = client_for(personas[role])
    path = url.format(**targets)
    response = client.get(path) if method == "GET" else client.post(path, POST_DATA[url])
    assert outcome_of(response) == expected[role], (
        f"{role} {method} {path} → {response.status_code}"
    )


def test_a_patient_never_opens_another_patients_record(personas, patient_alice, patient_bob):
    bob = client_for(personas["patient_bob"])
    assert bob.get(f"/patients/{patient_alice.public_id}/").status_code == 403
    assert bob.get(f"/api/v1/patients/{patient_alice.public_id}").status_code == 404
    response = bob.get("/patients/me/")
    assert response.status_code == 200
    assert f"Hello {patient_bob.legal_first_name}" in response.content.decode()
    assert patient_alice.legal_first_name not in response.content.decode()


def test_front_desk_sees_no_clinical_measurements(personas, patient_alice):
    page = (
        client_for(personas["front_desk"])
        .get(f"/patients/{patient_alice.public_id}/")
        .content.decode()
    )
    assert "Measurements" not in page and "BMI" not in page
    page = (
        client_for(personas["clinician"])
        .get(f"/patients/{patient_alice.public_id}/")
        .content.decode()
    )
    assert "Measurements" in page and "70.0 kg" in page


def test_only_the_medical_director_sees_the_chart_access_log(personas, patient_alice):
    url = f"/patients/{patient_alice.public_id}/?section=access"
    assert (
        "Everyone who opened or changed this record"
        in client_for(personas["medical_director"]).get(url).content.decode()
    )
    for role in ("clinician", "nurse", "front_desk"):
        assert (
            "Everyone who opened or changed this record"
            not in client_for(personas[role]).get(url).content.decode()
        )


def test_staff_of_another_location_cannot_find_the_patient(other_location_clinician, patient_alice):
    client = client_for(other_location_clinician)
    assert client.get(f"/patients/{patient_alice.public_id}/").status_code == 404
    assert patient_alice.mrn not in client.get("/patients/").content.decode()


def test_front_desk_sees_no_evaluation_or_plan_in_the_chart(personas, patient_alice):
    client = client_for(personas["front_desk"])
    for section in ("evaluation", "plan"):
        page = client.get(
            f"/patients/{patient_alice.public_id}/?section={section}"
        ).content.decode()
        assert "Evaluation pending" not in page and "No treatment plan yet" not in page
        assert 'class="at-a-glance"' not in page


def test_a_nurse_reads_the_plan_section_but_cannot_write_a_plan(personas, patient_alice):
    page = (
        client_for(personas["nurse"])
        .get(f"/patients/{patient_alice.public_id}/?section=plan")
        .content.decode()
    )
    assert "No treatment plan yet" in page and "Write the plan" not in page
