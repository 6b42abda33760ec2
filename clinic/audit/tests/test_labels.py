"""The audit log shows what it stores in words: no code, item code or `app_label.model #pk`."""

from clinic.audit.choices import AuditEventType
from clinic.audit.labels import code_label, target_labels
from clinic.audit.services import record_audit_event
from conftest import client_for


def _table(page: str) -> str:
    return page.split("<tbody>")[1].split("</tbody>")[0]


def test_the_log_shows_roles_codes_and_records_in_words(medical_director, patient_alice):
    record_audit_event(
        actor=medical_director,
        event_type=AuditEventType.SESSION_INFUSION_EVENT,
        patient_id=patient_alice.pk,
        target=patient_alice,
        details={
            "interventions": ["rate_reduced"],
            "flags": ["self_harm_risk"],
            "item": "phq9_2",
            "nested": {"to_status": "active"},
        },
    )
    rows = _table(client_for(medical_director).get("/audit/").content.decode())
    assert "Medical director" in rows
    assert "Infusion rate reduced" in rows
    assert "PHQ-9 item 9" in rows  # the flag: PHQ-9 item 9 answered above "not at all"
    assert "PHQ-9 item 2" in rows
    assert f"{patient_alice.display_name} ({patient_alice.mrn})" in rows
    for code in (
        "medical_director",
        "rate_reduced",
        "self_harm_risk",
        "phq9_2",
        "patients.patient",
    ):
        assert code not in rows, code
    assert ", record " not in rows


def test_a_record_with_a_patient_is_named_by_its_kind_and_the_patient(patient_alice, location):
    names = target_labels(
        [("patients.patient", str(patient_alice.pk)), ("core.location", str(location.pk))]
    )
    assert names[("patients.patient", str(patient_alice.pk))] == str(patient_alice)
    assert names[("core.location", str(location.pk))] == str(location)
    # Gone, or never was: the caller falls back to "Patient, record 999999".
    assert target_labels([("patients.patient", "999999"), ("gone.model", "3")]) == {}


def test_a_code_is_read_by_its_field_first_and_free_text_is_left_alone():
    assert code_label("medical_director", "role") == "Medical director"
    assert code_label("rate_reduced", "interventions") == "Infusion rate reduced"
    assert code_label("phq9_2", "item") == "PHQ-9 item 2"
    assert code_label("Felt dizzy after the dose", "note") == "Felt dizzy after the dose"


def test_the_access_log_names_the_role_and_the_section(medical_director, clinician, patient_alice):
    client_for(clinician).get(f"/patients/{patient_alice.public_id}/?section=consultation")
    page = client_for(medical_director).get(f"/patients/{patient_alice.public_id}/?section=access")
    text = _table(page.content.decode())
    assert "Clinician" in text and ">clinician<" not in text
    assert "(First contact)" in text and "(consultation)" not in text
