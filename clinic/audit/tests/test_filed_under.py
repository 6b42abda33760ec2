"""An event about a record is filed under that record's patient and location."""

import pytest
from django.utils import timezone

from clinic.audit.choices import AuditEventType
from clinic.audit.services import filed_under, record_audit_event
from clinic.patients.choices import VitalSignsContext
from clinic.patients.services import create_vital_signs
from clinic.patients.tests.factories import register_test_patient

pytestmark = pytest.mark.django_db


@pytest.fixture
def patient(clinician, location):
    return register_test_patient(actor=clinician, location=location)


def test_a_patient_is_filed_under_itself_and_its_location(patient):
    assert filed_under(patient) == (patient.pk, patient.location_id)


def test_a_patients_record_is_filed_under_its_patient_and_location(clinician, patient):
    vitals = create_vital_signs(
        actor=clinician,
        patient=patient,
        context=VitalSignsContext.EVALUATION,
        taken_at=timezone.now(),
        values={"heart_rate_bpm": 70},
    )
    assert filed_under(vitals) == (patient.pk, patient.location_id)
    event = record_audit_event(
        actor=clinician, event_type=AuditEventType.VITAL_SIGNS_RECORDED, target=vitals, about=vitals
    )
    assert (event.patient_id, event.location_id) == (patient.pk, patient.location_id)


def test_about_and_explicit_ids_are_not_both_given(clinician, patient):
    with pytest.raises(TypeError):
        record_audit_event(
            actor=clinician,
            event_type=AuditEventType.PATIENT_CHART_VIEWED,
            about=patient,
            patient_id=patient.pk,
        )
