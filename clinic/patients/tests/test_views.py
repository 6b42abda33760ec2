from datetime import date

import pytest

from clinic.audit.choices import AuditEventType
from clinic.audit.models import AuditEvent
from clinic.patients.models import Patient
from clinic.patients.tests.factories import register_test_patient
from conftest import client_for


@pytest.fixture
def form_data(location):
    return {
        "legal_first_name": "Dana",
        "legal_last_name": "Whitfield",
        "preferred_name": "",
        "pronouns": "she/her",
        "date_of_birth": "1979-09-09",
        "sex": "female",
        "phone": "(617) 555-0177",
        "email": "dana@example.com",
        "home_location": location.pk,
        "primary_conditions": ["chronic_pain", "crps"],
        "height_value": "65",
        "height_unit": "in",
        "weight_value": "150",
        "weight_unit": "lb",
    }


def test_height_and_weight_in_imperial_units_are_stored_in_metric(clinician, form_data):
    response = client_for(clinician).post("/patients/new/", form_data)
    patient = Patient.objects.get()
    assert response.status_code == 302
    assert str(patient.height_cm) == "165.1" and str(patient.weight_kg) == "68.0"


def test_a_weight_in_the_wrong_unit_is_caught_with_the_converted_value(clinician, form_data):
    form_data.update(weight_value="150", weight_unit="kg", height_value="1.65", height_unit="cm")
    page = client_for(clinician).post("/patients/new/", form_data).content.decode()
    assert "This is 1.7 cm; enter a value between 50.0 and 250.0 cm (check the unit)." in page
    assert Patient.objects.count() == 0


def test_a_bad_registration_keeps_everything_typed(clinician, form_data):
    form_data.update(phone="not a phone", date_of_birth="2090-01-01")
    response = client_for(clinician).post("/patients/new/", form_data)
    page = response.content.decode()
    assert response.status_code == 400
    assert "cannot be in the future" in page and "Enter a phone number" in page
    assert (
        'value="Whitfield"' in page and 'value="she/her"' in page and 'value="not a phone"' in page
    )


def test_front_desk_registers_without_measurement_fields(front_desk, form_data):
    page = client_for(front_desk).get("/patients/new/").content.decode()
    assert "height_value" not in page
    response = client_for(front_desk).post("/patients/new/", form_data)
    assert response.status_code == 302
    assert Patient.objects.get().weight_kg is None


def test_editing_saves_and_audits(clinician, location, form_data):
    patient = register_test_patient(actor=clinician, location=location)
    form_data.update(
        legal_first_name=patient.legal_first_name,
        legal_last_name=patient.legal_last_name,
        date_of_birth=patient.date_of_birth.isoformat(),
    )
    response = client_for(clinician).post(f"/patients/{patient.public_id}/edit/", form_data)
    assert response.status_code == 302
    patient.refresh_from_db()
    assert patient.pronouns == "she/her" and patient.primary_conditions == ["chronic_pain", "crps"]
    assert (
        AuditEvent.objects.filter(
            event_type=AuditEventType.PATIENT_UPDATED, patient_id=patient.pk
        ).count()
        == 1
    )


def test_each_chart_view_leaves_exactly_one_audit_entry(clinician, patient_alice):
    client = client_for(clinician)
    before = AuditEvent.objects.count()
    client.get(f"/patients/{patient_alice.public_id}/")
    client.get(
        f"/patients/{patient_alice.public_id}/?section=consultation",
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="chart-section",
    )
    events = AuditEvent.objects.order_by("id")[before:]
    assert [(e.event_type, e.patient_id, e.details["section"]) for e in events] == [
        (AuditEventType.PATIENT_CHART_VIEWED, patient_alice.pk, "overview"),
        (AuditEventType.PATIENT_CHART_VIEWED, patient_alice.pk, "consultation"),
    ]


def test_a_chart_section_loads_alone_for_htmx(clinician, patient_alice):
    response = client_for(clinician).get(
        f"/patients/{patient_alice.public_id}/?section=consultation",
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="chart-section",
    )
    page = response.content.decode()
    assert "<html" not in page and "registered directly" in page


def test_an_unknown_patient_id_is_a_404_and_audited_as_denied(clinician):
    response = client_for(clinician).get("/patients/00000000-0000-0000-0000-000000000000/")
    assert response.status_code == 404
    assert (
        AuditEvent.objects.filter(
            event_type=AuditEventType.PATIENT_CHART_VIEWED, outcome="denied"
        ).count()
        == 1
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Moreno", ["Alice"]),
        ("alice mor", ["Alice"]),
        ("1985-03-14", ["Alice", "Bob"]),
        ("03/14/1985", ["Alice", "Bob"]),
    ],
)
def test_the_list_searches_by_name_birth_date_and_mrn(
    clinician, patient_alice, patient_bob, query, expected
):
    page = client_for(clinician).get("/patients/", {"q": query}).content.decode()
    for name in ["Alice", "Bob"]:
        assert (f", {name}</a>" in page) == (name in expected)


def test_the_list_finds_a_patient_by_mrn(clinician, patient_alice, patient_bob):
    page = client_for(clinician).get("/patients/", {"q": patient_bob.mrn}).content.decode()
    assert "Lindqvist, Bob" in page and "Moreno, Alice" not in page


def test_the_list_is_paginated(clinician, location):
    for n in range(30):
        register_test_patient(actor=clinician, location=location, last_name=f"Zed{n:02d}")
    page = client_for(clinician).get("/patients/", {"page": 2}).content.decode()
    assert "Page 2 of 2" in page
    assert client_for(clinician).get("/patients/", {"page": "banana"}).status_code == 200


def _bulk_patients(location, count):
    """Volume only: the query-count tests need many rows fast; behaviour is tested via services."""
    Patient.objects.bulk_create(
        Patient(
            mrn=f"BULK-{n:06d}",
            location=location,
            legal_first_name=f"Bulk{n}",
            legal_last_name="Patient",
            date_of_birth=date(1980, 1, 1),
            sex="female",
            phone="(617) 555-0100",
        )
        for n in range(count)
    )


@pytest.mark.parametrize("count", [10, 1000])
def test_the_patient_list_and_chart_run_a_fixed_number_of_queries(
    count, clinician, location, patient_alice, django_assert_max_num_queries
):
    _bulk_patients(location, count)
    client = client_for(clinician)
    client.get("/dashboard/")  # the session's first request stamps its activity time
    with django_assert_max_num_queries(10):
        assert client.get("/patients/").status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get("/patients/", {"q": "Bulk"}).status_code == 200
    # The chart: its reads and its audit row, whose seal reads the chain's head (and on
    # PostgreSQL takes the chain's lock).
    with django_assert_max_num_queries(15):
        assert client.get(f"/patients/{patient_alice.public_id}/").status_code == 200
    with django_assert_max_num_queries(15):
        assert (
            client.get(f"/patients/{patient_alice.public_id}/?section=consultation").status_code
            == 200
        )
