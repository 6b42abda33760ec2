"""The esketamine REMS gate: a Spravato session at a US location cannot be dosed until the
location's REMS certification and the patient's REMS enrolment are recorded; other routes, and
locations outside the US, never see the gate."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from clinic.core.exceptions import ClinicError
from clinic.sessions import selectors, services
from clinic.sessions.choices import OVERRIDABLE_GATES, Gate
from clinic.sessions.models import TreatmentSession
from clinic.sessions.tests.factories import ESKETAMINE, confirm_and_verify, ready_to_dose
from clinic.treatment import services as treatment_services

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("typed_lots")]


def _gates(session):
    fresh = TreatmentSession.objects.get(pk=session.pk)
    return {g.gate: g for g in selectors.checklist(fresh).gates}


def test_an_unenrolled_patient_cannot_be_dosed_with_esketamine(
    medical_director, clinician, nurse, patient_alice
):
    session = ready_to_dose(clinician, nurse, patient_alice, protocol_name=ESKETAMINE, rems=False)
    gate = _gates(session)[Gate.REMS]
    assert not gate.passed and not gate.satisfied
    assert "no REMS healthcare-setting certification" in gate.reason
    assert "not enrolled in the REMS" in gate.reason
    assert Gate.REMS not in OVERRIDABLE_GATES
    with pytest.raises(ClinicError, match="Esketamine REMS"):
        confirm_and_verify(clinician, nurse, TreatmentSession.objects.get(pk=session.pk))

    treatment_services.record_rems_certification(
        actor=medical_director,
        location=patient_alice.location,
        certification_number="SPR-1234",
        authorised_representative="Dana  Whitfield",
        certified_on=timezone.localdate() - timedelta(days=30),
    )
    gate = _gates(session)[Gate.REMS]
    assert not gate.passed
    assert "certification" not in gate.reason and "not enrolled" in gate.reason

    treatment_services.record_rems_enrolment(
        actor=clinician,
        patient=patient_alice,
        patient_rems_id="PT-99812",
        enrolled_on=timezone.localdate(),
    )
    gate = _gates(session)[Gate.REMS]
    assert gate.passed
    assert "SPR-1234" in gate.reason and "PT-99812" in gate.reason
    confirm_and_verify(clinician, nurse, TreatmentSession.objects.get(pk=session.pk))
    services.record_infusion_event(
        actor=nurse, session=TreatmentSession.objects.get(pk=session.pk), kind="start"
    )
    assert TreatmentSession.objects.get(pk=session.pk).dosed_at is not None


def test_the_rems_gate_is_only_for_esketamine_at_a_us_location(clinician, nurse, patient_alice):
    session = ready_to_dose(clinician, nurse, patient_alice)
    assert Gate.REMS not in _gates(session)


def test_outside_the_us_esketamine_has_no_rems_gate(clinician, nurse, patient_alice):
    location = patient_alice.location
    location.country = "GB"
    location.save(update_fields=["country"])
    session = ready_to_dose(clinician, nurse, patient_alice, protocol_name=ESKETAMINE, rems=False)
    assert Gate.REMS not in _gates(session)
