"""A demo patient's $everything, parsed back with the FHIR R4 (R4B) models, has the same counts
and values as the record it came from."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest
from django.db.models import Count
from django.test import Client
from fhir.resources.R4B.bundle import Bundle

from clinic.accounts.models import User
from clinic.assessments.models import AssessmentResponse
from clinic.demo.data import build_demo_clinic
from clinic.evaluation.models import ConsentSignature
from clinic.interop import services
from clinic.patients.models import Patient, VitalSigns
from clinic.scheduling.models import Appointment
from clinic.sessions.models import MedicationAdministration, SideEffect, TreatmentSession

pytestmark = pytest.mark.django_db

SINGLE_VITALS = (
    "heart_rate_bpm",
    "respiratory_rate_per_min",
    "spo2_pct",
    "temperature_c",
    "weight_kg",
)


def expected_vital_observations(patient) -> int:
    count = 0
    for vitals in VitalSigns.objects.filter(patient=patient):
        count += vitals.systolic_mmhg is not None and vitals.diastolic_mmhg is not None
        count += sum(getattr(vitals, field) is not None for field in SINGLE_VITALS)
    if patient.measurements_taken_at:
        count += (patient.height_cm is not None) + (patient.weight_kg is not None)
    return count


def test_a_demo_patients_everything_round_trips():
    build_demo_clinic()
    director = User.objects.filter(role="medical_director").first()
    patient = (
        Patient.objects.annotate(
            sessions=Count("treatment_sessions"), readings=Count("vital_signs")
        )
        .order_by("-sessions", "-readings")
        .first()
    )
    assert patient.sessions, "the demo clinic has a patient with treatment sessions"
    _row, token = services.issue_fhir_token(actor=director, name="Round trip", owner=director)
    response = Client(headers={"Authorization": f"Bearer {token}"}).get(
        f"/fhir/Patient/{patient.public_id}/$everything"
    )
    assert response.status_code == 200
    bundle = Bundle.model_validate_json(response.content)
    assert bundle.type == "searchset"
    matches = [e.resource for e in bundle.entry if e.search.mode == "match"]
    assert bundle.total == len(matches)
    counts = Counter(r.get_resource_type() for r in matches)

    sessions = TreatmentSession.objects.filter(patient=patient)
    responses = AssessmentResponse.objects.filter(patient=patient).exclude(status="in-progress")
    assert counts["Patient"] == 1
    assert counts["Encounter"] == sessions.count()
    assert counts["Appointment"] == Appointment.objects.filter(patient=patient).count()
    assert counts["QuestionnaireResponse"] == responses.count()
    assert counts["Consent"] == ConsentSignature.objects.filter(patient=patient).count()
    assert counts["AdverseEvent"] == SideEffect.objects.filter(session__patient=patient).count()
    assert counts["MedicationAdministration"] == (
        sessions.filter(dosed_at__isnull=False).count()
        + MedicationAdministration.objects.filter(session__patient=patient).count()
    )
    observations = [r for r in matches if r.get_resource_type() == "Observation"]
    vital = [o for o in observations if o.category[0].coding[0].code == "vital-signs"]
    survey = [o for o in observations if o.category[0].coding[0].code == "survey"]
    assert len(vital) == expected_vital_observations(patient)
    assert len(survey) == responses.filter(total__isnull=False).count()

    # Values, read back from the parsed models.
    parsed_patient = next(r for r in matches if r.get_resource_type() == "Patient")
    assert parsed_patient.identifier[0].value == patient.mrn
    assert parsed_patient.birthDate == patient.date_of_birth
    assert parsed_patient.name[0].family == patient.legal_last_name
    totals = {o.derivedFrom[0].reference.split("/")[1]: o.valueQuantity.value for o in survey}
    assert totals == {str(r.public_id): Decimal(r.total) for r in responses if r.total is not None}
    doses = {
        m.context.reference.split("/")[1]: m.dosage.dose.value
        for m in matches
        if m.get_resource_type() == "MedicationAdministration" and m.contained
    }
    assert doses == {
        str(s.public_id): s.dose_given_mg if s.dose_given_mg is not None else s.dose_mg
        for s in sessions.filter(dosed_at__isnull=False)
    }
    systolic = sorted(
        c.valueQuantity.value
        for o in vital
        if o.code.coding[0].code == "85354-9"
        for c in o.component
        if c.code.coding[0].code == "8480-6"
    )
    assert systolic == sorted(
        Decimal(v)
        for v in VitalSigns.objects.filter(
            patient=patient, systolic_mmhg__isnull=False, diastolic_mmhg__isnull=False
        ).values_list("systolic_mmhg", flat=True)
    )
    # Every questionnaire answered is included, so the responses' linkIds can be read.
    included = {e.resource.url for e in bundle.entry if e.search.mode == "include"}
    assert {
        r.questionnaire for r in matches if r.get_resource_type() == "QuestionnaireResponse"
    } <= included
