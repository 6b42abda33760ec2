"""Each mapping function's output is valid FHIR R4 (the R4B models of fhir.resources) and says
what the record says, in the codes the FHIR profiles ask for."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from clinic.assessments.instruments import INSTRUMENTS
from clinic.interop import mapping, selectors
from clinic.interop.tests.factories import full_record
from clinic.patients.models import Patient

pytestmark = pytest.mark.django_db

AT = datetime(2026, 3, 2, 9, 30, tzinfo=ZoneInfo("America/New_York"))


def record_of(patient) -> list[dict]:
    fetched = selectors.with_record(Patient.objects.filter(pk=patient.pk)).get()
    return list(selectors.resources_for(fetched))


def test_a_whole_record_maps_to_valid_resources_of_every_type(clinician, nurse, patient_alice):
    full_record(clinician, nurse, patient_alice)
    resources = record_of(patient_alice)
    for resource in resources:
        mapping.validated(resource)
    counts = Counter(r["resourceType"] for r in resources)
    assert counts["Patient"] == 1
    assert counts["Encounter"] == 1
    assert counts["MedicationAdministration"] == 2  # the ketamine dose and the ondansetron
    assert counts["AdverseEvent"] == 1
    assert counts["Consent"] == 1
    assert counts["CarePlan"] == 1
    # The plan version's signature, both session signatures and the patient's on the consent.
    assert counts["Provenance"] == 4
    assert counts["QuestionnaireResponse"] >= 1
    assert len({(r["resourceType"], r["id"]) for r in resources}) == len(resources)


def test_the_ketamine_dose_carries_rxnorm_route_dose_rate_and_lot(clinician, nurse, patient_alice):
    session = full_record(clinician, nurse, patient_alice)
    dose = next(
        r
        for r in record_of(patient_alice)
        if r["resourceType"] == "MedicationAdministration" and r.get("contained")
    )
    medication = dose["contained"][0]
    assert medication["code"]["coding"][0] == {
        "system": mapping.RXNORM,
        "code": "6130",
        "display": "ketamine",
    }
    assert medication["batch"]["lotNumber"] == session.vial_lot == "KT-2291"
    assert dose["dosage"]["route"]["coding"][0]["code"] == "47625008"
    assert dose["dosage"]["dose"] == {
        "value": mapping.number(session.dose_given_mg),
        "unit": "mg",
        "system": mapping.UCUM,
        "code": "mg",
    }
    assert dose["dosage"]["rateQuantity"]["code"] == "mg/h"
    assert dose["context"]["reference"] == f"Encounter/{session.public_id}"


def test_esketamine_is_coded_as_the_nasal_spray():
    assert mapping.medication_concept("intranasal")["coding"][0]["code"] == "2201623"
    assert mapping.medication_concept("iv")["coding"][0]["code"] == "6130"


def _vitals(**values):
    base = dict.fromkeys(
        (
            "systolic_mmhg",
            "diastolic_mmhg",
            "heart_rate_bpm",
            "respiratory_rate_per_min",
            "spo2_pct",
            "temperature_c",
            "weight_kg",
        )
    )
    base.update(values)
    return SimpleNamespace(
        public_id="7d1f8f2c-0000-4000-8000-000000000001",
        taken_at=AT,
        recorded_by_id=None,
        recorded_by=None,
        **base,
    )


PATIENT = SimpleNamespace(public_id="a3c5", display_name="Alice Example")


def test_vital_signs_use_the_profiles_loinc_codes_and_ucum_units():
    observations = mapping.vital_sign_observations(
        PATIENT,
        _vitals(
            systolic_mmhg=124,
            diastolic_mmhg=78,
            heart_rate_bpm=72,
            respiratory_rate_per_min=14,
            spo2_pct=98,
            temperature_c=Decimal("36.8"),
            weight_kg=Decimal("70.5"),
        ),
    )
    for observation in observations:
        mapping.validated(observation)
        assert observation["category"][0]["coding"][0]["code"] == "vital-signs"
        assert observation["meta"]["profile"] == [mapping.VITAL_SIGNS_PROFILE]
    by_code = {o["code"]["coding"][0]["code"]: o for o in observations}
    assert set(by_code) == {"85354-9", "8867-4", "9279-1", "2708-6", "8310-5", "29463-7"}
    panel = by_code["85354-9"]
    assert [
        (c["code"]["coding"][0]["code"], c["valueQuantity"]["value"], c["valueQuantity"]["code"])
        for c in panel["component"]
    ] == [
        ("8480-6", 124, "mm[Hg]"),
        ("8462-4", 78, "mm[Hg]"),
    ]
    assert by_code["8867-4"]["valueQuantity"]["code"] == "/min"
    assert [c["code"] for c in by_code["2708-6"]["code"]["coding"]] == ["2708-6", "59408-5"]
    assert by_code["2708-6"]["valueQuantity"]["code"] == "%"
    assert by_code["8310-5"]["valueQuantity"] == {
        "value": Decimal("36.8"),
        "unit": "C",
        "system": mapping.UCUM,
        "code": "Cel",
    }
    assert by_code["29463-7"]["valueQuantity"]["code"] == "kg"


def test_a_half_measured_blood_pressure_makes_no_panel():
    assert mapping.vital_sign_observations(PATIENT, _vitals(systolic_mmhg=124)) == []


def test_totals_use_loinc_where_the_instrument_has_a_code_and_the_local_system_otherwise():
    assert mapping.total_code(INSTRUMENTS["phq9"])["coding"][0] == {
        "system": mapping.LOINC,
        "code": "44261-6",
        "display": "PHQ-9 total score",
    }
    assert mapping.total_code(INSTRUMENTS["gad7"])["coding"][0]["code"] == "70274-6"
    madrs = mapping.total_code(INSTRUMENTS["madrs"])["coding"][0]
    assert (madrs["system"], madrs["code"]) == (mapping.INSTRUMENT_TOTAL_SYSTEM, "madrs")


@pytest.mark.parametrize("code", sorted(INSTRUMENTS))
def test_every_instrument_is_a_valid_questionnaire_keyed_by_its_link_ids(code):
    instrument = INSTRUMENTS[code]
    questionnaire = mapping.validated(mapping.questionnaire_resource(instrument))
    assert [item["linkId"] for item in questionnaire["item"]] == [
        item.link_id for item in instrument.items
    ]


def test_allergies_and_medicines_say_what_the_evaluation_recorded():
    patient = SimpleNamespace(public_id="p-1", display_name="Alice Example")
    allergy = SimpleNamespace(
        pk=7,
        substance="Penicillin",
        reaction="Hives",
        severity="moderate",
        recorded_at=AT,
        recorded_by=SimpleNamespace(signature_name="Dr Chen, MD"),
    )
    found = mapping.allergy_resources(patient, [allergy], no_known_allergies_at=None)
    assert mapping.validated(found[0])["code"] == {"text": "Penicillin"}
    assert found[0]["reaction"][0] == {"manifestation": [{"text": "Hives"}], "severity": "moderate"}
    nka = mapping.allergy_resources(patient, [], no_known_allergies_at=AT)
    assert mapping.validated(nka[0])["code"]["coding"][0]["code"] == "716186003"
    evaluation = SimpleNamespace(
        public_id="e-1",
        signed_at=AT,
        current_medications="sertraline 100 mg daily\n\n lithium 400 mg\n",
    )
    statements = mapping.medication_statement_resources(patient, evaluation)
    assert [mapping.validated(s)["medicationCodeableConcept"]["text"] for s in statements] == [
        "sertraline 100 mg daily",
        "lithium 400 mg",
    ]


def test_the_medicines_now_are_the_newest_list_recorded_after_the_evaluation(
    clinician, nurse, patient_alice
):
    from clinic.evaluation.services import record_medicine_list

    full_record(clinician, nurse, patient_alice)
    before = [r for r in record_of(patient_alice) if r["resourceType"] == "MedicationStatement"]
    assert all(s["status"] == "unknown" for s in before)  # the evaluation's list, if any
    record_medicine_list(
        actor=clinician,
        patient=patient_alice,
        medicines="oxycodone 10 mg twice daily\n\nsertraline 50 mg daily",
    )
    record_medicine_list(actor=clinician, patient=patient_alice, medicines="sertraline 50 mg daily")
    statements = [
        mapping.validated(r)
        for r in record_of(patient_alice)
        if r["resourceType"] == "MedicationStatement"
    ]
    # The newest list only, asserted by the clinician who recorded it, active as of that day.
    assert [s["medicationCodeableConcept"]["text"] for s in statements] == [
        "sertraline 50 mg daily"
    ]
    assert statements[0]["status"] == "active"
    assert statements[0]["informationSource"] == {"display": clinician.signature_name}
    # "Takes no medicines": no statement at all.
    record_medicine_list(actor=clinician, patient=patient_alice, medicines="", no_medicines=True)
    assert not [r for r in record_of(patient_alice) if r["resourceType"] == "MedicationStatement"]
