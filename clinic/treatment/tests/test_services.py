"""Writing a plan: only after a suitable decision, dose computed and range-checked, signed, versioned."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from clinic.audit.choices import AuditEventType
from clinic.audit.models import AuditEvent
from clinic.core.exceptions import ClinicError, PermissionDeniedError
from clinic.evaluation import services as evaluation_services
from clinic.treatment import services
from clinic.treatment.models import ProtocolTemplate, TreatmentPlanVersion
from clinic.treatment.selectors import active_plan, plan_history
from conftest import PASSWORD

IV = "IV ketamine — treatment-resistant depression"


def suitable(clinician, patient):
    evaluation = evaluation_services.start_evaluation(actor=clinician, patient=patient)
    return evaluation_services.sign_evaluation(
        actor=clinician,
        evaluation=evaluation,
        decision="suitable",
        reasoning="Suitable.",
        password=PASSWORD,
    )


def draft(**changes) -> services.PlanDraft:
    protocol = ProtocolTemplate.objects.get(name=changes.pop("protocol_name", IV))
    values = {
        "protocol": protocol,
        "indications": ["trd"],
        "dose": Decimal("0.5"),
        "weight_basis": "actual",
        "start_date": timezone.localdate() + timedelta(days=3),
        "target_outcomes": "PHQ-9 response (≥ 50 % reduction) by session 6",
        "induction_sessions": 6,
        "induction_sessions_per_week": 3,
        "maintenance_interval_days": 28,
        "infusion_minutes": 40,
        "change_reason": "initial",
    }
    values.update(changes)
    return services.PlanDraft(**values)


def test_no_plan_without_a_suitable_signed_decision(clinician, patient_alice):
    with pytest.raises(ClinicError, match="found the patient suitable"):
        services.sign_plan_version(
            actor=clinician, patient=patient_alice, draft=draft(), password=PASSWORD
        )
    evaluation = evaluation_services.start_evaluation(actor=clinician, patient=patient_alice)
    evaluation_services.sign_evaluation(
        actor=clinician,
        evaluation=evaluation,
        decision="needs_more_information",
        reasoning="ECG first.",
        password=PASSWORD,
    )
    with pytest.raises(ClinicError, match="found the patient suitable"):
        services.sign_plan_version(
            actor=clinician, patient=patient_alice, draft=draft(), password=PASSWORD
        )


def test_a_six_session_iv_plan_is_signed_with_its_dose_and_dates(clinician, patient_alice):
    suitable(clinician, patient_alice)
    version = services.sign_plan_version(
        actor=clinician, patient=patient_alice, draft=draft(), password=PASSWORD
    )
    assert (
        version.number == 1
        and version.dose_mg == Decimal("35.0")
        and version.basis_weight_kg == Decimal("70.0")
    )
    assert len(version.proposed_dates) == 6 + 3
    assert version.instruments == ["phq9", "cssrs_screen"] and len(version.content_sha256) == 64
    assert (
        AuditEvent.objects.filter(
            event_type=AuditEventType.PLAN_VERSION_SIGNED, patient_id=patient_alice.pk
        ).count()
        == 1
    )


def test_a_dose_outside_the_range_needs_a_documented_override(clinician, patient_alice):
    suitable(clinician, patient_alice)
    with pytest.raises(ClinicError, match="outside the protocol's range"):
        services.sign_plan_version(
            actor=clinician,
            patient=patient_alice,
            draft=draft(dose=Decimal("0.8")),
            password=PASSWORD,
        )
    version = services.sign_plan_version(
        actor=clinician,
        patient=patient_alice,
        draft=draft(
            dose=Decimal("0.8"), override_reason="Partial response at 0.75 in a prior course."
        ),
        password=PASSWORD,
    )
    assert version.dose_outside_range and version.dose_mg == Decimal("56.0")


def test_changes_are_new_versions_and_the_history_is_kept(clinician, patient_alice):
    suitable(clinician, patient_alice)
    services.sign_plan_version(
        actor=clinician, patient=patient_alice, draft=draft(), password=PASSWORD
    )
    services.sign_plan_version(
        actor=clinician,
        patient=patient_alice,
        draft=draft(
            dose=Decimal("0.6"), change_reason="response", change_details="Partial response"
        ),
        password=PASSWORD,
    )
    history = plan_history(patient_alice)
    assert [v.number for v in history] == [2, 1] and history[1].dose == Decimal("0.5")
    assert active_plan(patient_alice).versions.count() == 2


def test_an_esketamine_plan_uses_a_fixed_dose(clinician, patient_alice):
    suitable(clinician, patient_alice)
    version = services.sign_plan_version(
        actor=clinician,
        patient=patient_alice,
        draft=draft(
            protocol_name="Esketamine nasal spray — treatment-resistant depression",
            dose=Decimal("56"),
            induction_sessions=8,
            induction_sessions_per_week=2,
            maintenance_interval_days=7,
            infusion_minutes=None,
        ),
        password=PASSWORD,
    )
    assert (
        version.dose_mg == Decimal("56.0")
        and version.weight_basis == ""
        and version.route == "intranasal"
    )


def test_only_prescribers_sign_plans_and_a_wrong_password_signs_nothing(
    nurse, clinician, patient_alice
):
    suitable(clinician, patient_alice)
    with pytest.raises(PermissionDeniedError):
        services.sign_plan_version(
            actor=nurse, patient=patient_alice, draft=draft(), password=PASSWORD
        )
    with pytest.raises(ClinicError, match="password"):
        services.sign_plan_version(
            actor=clinician, patient=patient_alice, draft=draft(), password="nope"
        )
    assert not TreatmentPlanVersion.objects.exists()
