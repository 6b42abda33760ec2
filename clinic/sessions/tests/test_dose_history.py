"""The doses given in sessions reach the plan checks (esketamine: 84 mg only after 56 mg)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from clinic.core.exceptions import ClinicError
from clinic.patients.services import update_patient
from clinic.sessions.dose_history import doses_given_mg
from clinic.sessions.tests import factories
from clinic.treatment import services as treatment_services
from clinic.treatment.dose_history import doses_given_mg as doses_seen_by_treatment
from clinic.treatment.models import ProtocolTemplate
from conftest import PASSWORD


def esketamine_draft(dose_mg: str, **changes) -> treatment_services.PlanDraft:
    protocol = ProtocolTemplate.objects.get(name=factories.ESKETAMINE)
    values = {
        "protocol": protocol,
        "indications": ["trd"],
        "dose": Decimal(dose_mg),
        "weight_basis": "",
        "start_date": timezone.localdate(),
        "target_outcomes": "Response by session 8",
        "induction_sessions": 8,
        "induction_sessions_per_week": 2,
        "maintenance_interval_days": 7,
        "infusion_minutes": None,
        "change_reason": "response",
        "change_details": "Up to 84 mg",
    }
    values.update(changes)
    return treatment_services.PlanDraft(**values)


@pytest.fixture
def adult_alice(clinician, patient_alice):
    return update_patient(
        actor=clinician,
        patient=patient_alice,
        changes={"date_of_birth": timezone.localdate().replace(year=1985)},
    )


def test_84_mg_is_refused_before_any_56_mg_session_and_allowed_after_one(
    clinician, nurse, adult_alice
):
    session = factories.ready_to_dose(
        clinician, nurse, adult_alice, protocol_name=factories.ESKETAMINE
    )
    with pytest.raises(ClinicError, match="first session is 56 mg"):
        treatment_services.sign_plan_version(
            actor=clinician, patient=adult_alice, draft=esketamine_draft("84"), password=PASSWORD
        )
    factories.give_dose(clinician, nurse, session, vial_lot="SP-1")
    assert doses_given_mg(patient=adult_alice, route="intranasal") == [Decimal("56.0")]
    assert doses_seen_by_treatment(patient=adult_alice, route="intranasal") == [Decimal("56.0")]
    assert doses_given_mg(patient=adult_alice, route="iv") == []
    version = treatment_services.sign_plan_version(
        actor=clinician, patient=adult_alice, draft=esketamine_draft("84"), password=PASSWORD
    )
    assert version.dose_mg == Decimal("84.0") and not version.dose_outside_range


def test_a_session_not_yet_dosed_does_not_count(clinician, nurse, adult_alice):
    factories.ready_to_dose(clinician, nurse, adult_alice, protocol_name=factories.ESKETAMINE)
    assert doses_given_mg(patient=adult_alice, route="intranasal") == []
