"""Writing a plan: only after a suitable decision, dose computed and range-checked, signed, versioned."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from clinic.audit.choices import AuditEventType
from clinic.audit.models import AuditEvent
from clinic.core.exceptions import ClinicError, PermissionDeniedError
from clinic.evaluation import services as evaluation_services
from clinic.evaluation.tests.factories import complete_evaluation
from clinic.treatment import services
from clinic.treatment.models import ProtocolTemplate, TreatmentPlanVersion
from clinic.treatment.selectors import active_plan, plan_history
from conftest import PASSWORD

IV = "IV ketamine — treatment-resistant depression"


def suitable(clinician, patient, acknowledgements=None):
    evaluation = complete_evaluation(clinician, patient)
    return evaluation_services.sign_evaluation(
        actor=clinician,
        evaluation=evaluation,
        decision="suitable",
        reasoning="Suitable.",
        password=PASSWORD,
        acknowledgements=acknowledgements,
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


def test_a_plan_asks_its_protocols_questionnaires_before_each_session(clinician, patient_alice):
    suitable(clinician, patient_alice)
    version = services.sign_plan_version(
        actor=clinician, patient=patient_alice, draft=draft(), password=PASSWORD
    )
    assert version.instruments == ProtocolTemplate.objects.get(name=IV).instruments


@pytest.mark.parametrize("indications", [["bipolar_depression"], ["trd"]])
def test_a_plan_for_bipolar_depression_adds_the_mania_check_before_each_session(
    clinician, patient_alice, indications
):
    """Whichever protocol it starts from, and even when the plan names another indication: the
    ASRM follows the diagnosis on the record."""
    patient_alice.primary_conditions = ["bipolar_depression"]
    patient_alice.save(update_fields=["primary_conditions"])
    suitable(clinician, patient_alice)
    plan = draft(indications=indications)
    assert services.preview_plan(patient=patient_alice, draft=plan).instruments == (
        "phq9",
        "cssrs_screen",
        "asrm",
    )
    version = services.sign_plan_version(
        actor=clinician, patient=patient_alice, draft=plan, password=PASSWORD
    )
    assert version.instruments == ["phq9", "cssrs_screen", "asrm"]
    assert services.plan_version_content(version)["instruments"] == version.instruments


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


# --- the protocol's limits: mg/kg of actual weight, infusion length and rate, devices -----------
def measured(clinician, patient, **changes):
    from clinic.patients.services import update_patient

    return update_patient(actor=clinician, patient=patient, changes=changes)


def refused_then_overridden(clinician, patient, plan: dict, *fragments: str):
    """The plan is refused without an override (naming each fragment), then signed with one."""
    with pytest.raises(ClinicError) as refusal:
        services.sign_plan_version(
            actor=clinician, patient=patient, draft=draft(**plan), password=PASSWORD
        )
    assert refusal.value.field == "override_reason"
    for fragment in fragments:
        assert fragment in refusal.value.message
    assert not TreatmentPlanVersion.objects.filter(plan__patient=patient).exists()
    version = services.sign_plan_version(
        actor=clinician,
        patient=patient,
        draft=draft(override_reason="Documented reason.", **plan),
        password=PASSWORD,
    )
    assert version.dose_outside_range and version.override_reason == "Documented reason."
    assert all(any(f in p for p in version.protocol_problems) for f in fragments)
    return version


def test_an_ideal_weight_above_the_actual_weight_is_not_used(clinician, patient_alice):
    # 50 kg, 190 cm man: ideal 84.0 kg would give 42.0 mg (0.84 mg/kg of his real weight).
    patient = measured(
        clinician, patient_alice, sex="male", weight_kg=Decimal("50"), height_cm=Decimal("190")
    )
    suitable(clinician, patient)
    preview = services.preview_plan(patient=patient, draft=draft(weight_basis="ideal"))
    assert preview.dose_mg == Decimal("25.0") and preview.basis_weight_kg == Decimal("50.0")
    assert "ideal body weight 84.0 kg is above the actual weight" in preview.working
    assert preview.weight_note and not preview.outside_range
    version = services.sign_plan_version(
        actor=clinician, patient=patient, draft=draft(weight_basis="ideal"), password=PASSWORD
    )
    assert (version.weight_basis, version.basis_weight_kg, version.dose_mg) == (
        "ideal",
        Decimal("50.0"),
        Decimal("25.0"),
    )


def test_an_iv_push_over_one_minute_needs_an_override(clinician, patient_alice):
    suitable(clinician, patient_alice)
    refused_then_overridden(
        clinician,
        patient_alice,
        {"dose": Decimal("0.75"), "infusion_minutes": 1},
        "shorter than the protocol's 40 min",
        "45.00 mg/kg/h",
    )


def test_an_infusion_longer_than_the_protocol_allows_needs_an_override(clinician, patient_alice):
    suitable(clinician, patient_alice)
    refused_then_overridden(
        clinician, patient_alice, {"infusion_minutes": 101}, "longer than the protocol's 100 min"
    )


def test_a_pain_dose_within_its_session_range_but_above_the_hourly_ceiling_needs_an_override(
    clinician, patient_alice
):
    # 120 kg, 8 mg/kg over 120 min = 960 mg = 4 mg/kg/h, twice Cohen 2018's 2 mg/kg/h.
    patient = measured(clinician, patient_alice, weight_kg=Decimal("120"))
    suitable(clinician, patient)
    version = refused_then_overridden(
        clinician,
        patient,
        {
            "protocol_name": "IV ketamine — chronic pain",
            "indications": ["chronic_pain"],
            "dose": Decimal("8"),
            "infusion_minutes": 120,
        },
        "4.00 mg/kg/h",
        "ceiling of 2 mg/kg/h",
    )
    assert version.dose_mg == Decimal("960.0")


def test_a_pain_bolus_above_its_ceiling_needs_an_override(clinician, patient_alice):
    suitable(clinician, patient_alice)
    refused_then_overridden(
        clinician,
        patient_alice,
        {
            "protocol_name": "IV ketamine — chronic pain",
            "indications": ["chronic_pain"],
            "dose": Decimal("0.5"),
            "infusion_minutes": 10,
        },
        "bolus ceiling of 0.35 mg/kg",
    )


def test_the_seeded_protocols_carry_cited_limits(db):
    mood = ProtocolTemplate.objects.get(name=IV)
    assert (
        mood.minimum_infusion_minutes,
        mood.maximum_infusion_minutes,
        mood.maximum_mg_per_kg_per_hour,
    ) == (40, 100, Decimal("1.50"))
    pain = ProtocolTemplate.objects.get(name="IV ketamine — chronic pain")
    assert (pain.maximum_mg_per_kg_per_hour, pain.maximum_bolus_mg_per_kg) == (
        Decimal("2.00"),
        Decimal("0.35"),
    )
    esketamine = ProtocolTemplate.objects.get(name=ESKETAMINE)
    assert (esketamine.device_mg, esketamine.allowed_doses_mg) == (Decimal("28.0"), [56, 84])
    assert esketamine.older_adult_from_age_years == 65
    for protocol in ProtocolTemplate.objects.filter(route="iv"):
        assert protocol.stock_concentration_mg_per_ml and protocol.bag_volume_ml


def test_the_iv_plan_carries_the_pump_settings(clinician, patient_alice):
    suitable(clinician, patient_alice)
    preview = services.preview_plan(patient=patient_alice, draft=draft())
    # 35.0 mg of 50 mg/mL = 0.7 mL into 100 mL; 100.7 mL over 40 min = 151.05 → 151.1 mL/h;
    # 35.0 × 60 ÷ 40 = 52.5 mg/h = 0.75 mg/kg/h of 70 kg.
    pump = preview.pump
    assert (pump.drug_volume_ml, pump.ml_per_hour, pump.mg_per_hour, pump.mg_per_kg_per_hour) == (
        Decimal("0.7"),
        Decimal("151.1"),
        Decimal("52.5"),
        Decimal("0.75"),
    )
    version = services.sign_plan_version(
        actor=clinician, patient=patient_alice, draft=draft(), password=PASSWORD
    )
    assert (version.stock_concentration_mg_per_ml, version.bag_volume_ml) == (
        Decimal("50.0"),
        Decimal("100.0"),
    )
    assert version.protocol_problems is None


ESKETAMINE = "Esketamine nasal spray — treatment-resistant depression"


def esketamine(**changes):
    values = {
        "protocol_name": ESKETAMINE,
        "dose": Decimal("56"),
        "induction_sessions": 8,
        "induction_sessions_per_week": 2,
        "maintenance_interval_days": 7,
        "infusion_minutes": None,
    }
    values.update(changes)
    return values


def adult(clinician, patient):
    return measured(clinician, patient, date_of_birth=timezone.localdate().replace(year=1985))


@pytest.mark.parametrize(
    ("dose_mg", "fragment"),
    [
        ("70", "not a whole number of 28 mg devices"),
        ("84", "first session is 56 mg"),
        ("28", "not one of the protocol's doses (56, 84 mg)"),
    ],
)
def test_esketamine_outside_the_label_needs_an_override(
    clinician, patient_alice, dose_mg, fragment
):
    patient = adult(clinician, patient_alice)
    suitable(clinician, patient)
    refused_then_overridden(clinician, patient, esketamine(dose=Decimal(dose_mg)), fragment)


def test_esketamine_84_mg_after_a_56_mg_session(clinician, patient_alice, monkeypatch):
    # The doses given come from the sessions app through the registered reader.
    from clinic.treatment import dose_history

    patient = adult(clinician, patient_alice)
    suitable(clinician, patient)
    monkeypatch.setattr(dose_history, "_readers", [lambda *, patient, route: [Decimal("56.0")]])
    version = services.sign_plan_version(
        actor=clinician,
        patient=patient,
        draft=draft(**esketamine(dose=Decimal("84"))),
        password=PASSWORD,
    )
    assert version.dose_mg == Decimal("84.0") and not version.dose_outside_range


def test_esketamine_from_65_starts_at_28_mg(clinician, patient_alice):
    patient = measured(
        clinician, patient_alice, date_of_birth=timezone.localdate().replace(year=1950)
    )
    # From 65 the screen asks for a cognitive screen, recorded in the acknowledgement.
    suitable(clinician, patient, {"older-adult-cognitive-screen": "MoCA 28/30."})
    preview = services.preview_plan(patient=patient, draft=draft(**esketamine(dose=Decimal("28"))))
    assert not preview.outside_range and "1 × 28 mg devices" in preview.working
    refused = services.preview_plan(patient=patient, draft=draft(**esketamine()))
    assert any("first session is 28 mg" in p for p in refused.problems)


# The signed content exactly as it was computed before the protocol limits and pump settings were
# added (a frozen copy: it must not follow later changes to the service).
FIELDS_SIGNED_BEFORE = (
    "protocol", "indications", "route", "dose_unit", "dose", "weight_basis", "weight_kg",
    "height_cm", "basis_weight_kg", "dose_mg", "infusion_minutes", "induction_sessions",
    "induction_sessions_per_week", "maintenance_interval_days", "start_date", "proposed_dates",
    "target_outcomes", "instruments", "dose_outside_range", "override_reason", "change_reason",
    "change_details",
)  # fmt: skip


def content_signed_before(version):
    from django.db import models

    content = {}
    for name in FIELDS_SIGNED_BEFORE:
        field = TreatmentPlanVersion._meta.get_field(name)
        value = getattr(version, field.attname)
        if isinstance(field, models.DecimalField) and value is not None:
            value = Decimal(value).quantize(Decimal(1).scaleb(-field.decimal_places))
        content[name] = value
    content.update(
        patient=str(version.plan.patient.public_id),
        plan=str(version.plan.public_id),
        number=version.number,
        signed_by=version.signed_by_id,
        signed_at=version.signed_at,
    )
    return content


def test_a_version_signed_before_the_new_fields_still_verifies(clinician, patient_alice):
    """A version signed before the migration has the new columns empty (NULL); its hash, computed
    then over the old fields only, still matches what the service and the seal check compute."""
    from clinic.core.signing import content_sha256
    from clinic.treatment.integrity import plan_version_seal_problems

    patient = adult(clinician, patient_alice)
    suitable(clinician, patient)
    # Within the label, an esketamine version sets none of the new columns: a row as old ones are.
    version = services.sign_plan_version(
        actor=clinician, patient=patient, draft=draft(**esketamine()), password=PASSWORD
    )
    version = TreatmentPlanVersion.objects.get(pk=version.pk)
    assert (version.protocol_problems, version.bag_volume_ml) == (None, None)
    assert version.content_sha256 == content_sha256(content_signed_before(version))
    assert plan_version_seal_problems(version) == []
    # An IV version read with the new columns empty hashes as the old content did.
    iv = services.sign_plan_version(
        actor=clinician,
        patient=patient,
        draft=draft(change_reason="other", change_details="Back to IV"),
        password=PASSWORD,
    )
    iv = TreatmentPlanVersion.objects.get(pk=iv.pk)
    assert iv.bag_volume_ml == Decimal("100.0") and plan_version_seal_problems(iv) == []
    iv.stock_concentration_mg_per_ml = iv.bag_volume_ml = None
    assert content_sha256(services.plan_version_content(iv)) == content_sha256(
        content_signed_before(iv)
    )
    # Once set, the new values are sealed too: a changed bag volume breaks the seal.
    iv.refresh_from_db()
    iv.bag_volume_ml = Decimal("250.0")
    assert plan_version_seal_problems(iv)
