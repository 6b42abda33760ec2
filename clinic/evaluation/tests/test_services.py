"""The evaluation path: history, screen, signed decision, locking and addenda; consent."""

from datetime import timedelta

import pytest
from django.utils import timezone

from clinic.audit.choices import AuditEventType
from clinic.audit.models import AuditEvent
from clinic.core.exceptions import (
    ClinicError,
    InvalidTransitionError,
    NotFoundError,
    PermissionDeniedError,
)
from clinic.core.signing import content_sha256
from clinic.evaluation import services
from clinic.evaluation.choices import RuleSetStatus
from clinic.evaluation.models import ConsentDocument, ContraindicationRule, ContraindicationRuleSet
from clinic.evaluation.selectors import consent_status, has_current_consent, run_screen
from clinic.evaluation.tests.factories import complete_evaluation
from conftest import PASSWORD


@pytest.fixture
def evaluation(clinician, patient_alice):
    return services.start_evaluation(actor=clinician, patient=patient_alice)


@pytest.fixture
def complete(clinician, patient_alice):
    """An evaluation with everything a "suitable" decision needs, every item answered "no"."""
    return complete_evaluation(clinician, patient_alice)


def sign(clinician, evaluation, decision="suitable", **extra):
    return services.sign_evaluation(
        actor=clinician,
        evaluation=evaluation,
        decision=decision,
        reasoning="Reasoned.",
        password=PASSWORD,
        **extra,
    )


def test_an_evaluation_starts_from_the_record(evaluation, patient_alice):
    assert (
        evaluation.presenting_conditions == ["trd"]
        and evaluation.weight_kg == patient_alice.weight_kg
    )
    assert (
        AuditEvent.objects.filter(
            event_type=AuditEventType.EVALUATION_STARTED, patient_id=patient_alice.pk
        ).count()
        == 1
    )


def test_only_prescribers_evaluate(nurse, front_desk, patient_alice):
    for actor in (nurse, front_desk):
        with pytest.raises(PermissionDeniedError):
            services.start_evaluation(actor=actor, patient=patient_alice)


def test_the_screen_shows_every_rule_that_fired_and_why(clinician, evaluation):
    evaluation = services.update_evaluation(
        actor=clinician,
        evaluation=evaluation,
        changes={"hypertension": "uncontrolled", "pregnant": True},
    )
    evaluation = services.record_baseline_vitals(
        actor=clinician,
        evaluation=evaluation,
        values={"systolic_mmhg": 150, "diastolic_mmhg": 85, "heart_rate_bpm": 80},
        taken_at=timezone.now(),
    )
    rule_set, findings, _ = run_screen(evaluation)
    assert rule_set.version == 3
    assert {f.code for f in findings} == {
        "uncontrolled-hypertension",
        "pregnancy",
        "baseline-systolic-above-140",
    }
    systolic = next(f for f in findings if f.code == "baseline-systolic-above-140")
    assert (
        systolic.severity == "relative"
        and "150" in systolic.reason
        and "Spravato" in systolic.source
    )


def test_medicines_worth_flagging_are_found(clinician, evaluation):
    evaluation = services.update_evaluation(
        actor=clinician,
        evaluation=evaluation,
        changes={"current_medications": "Sertraline 100 mg\nLorazepam 1 mg at night"},
    )
    _, _, interactions = run_screen(evaluation)
    assert [(i["name"], i["medication"]) for i in interactions] == [
        ("Benzodiazepines", "Lorazepam 1 mg at night")
    ]


def test_signing_needs_the_password_and_locks_the_record(clinician, complete):
    evaluation = complete
    with pytest.raises(ClinicError, match="password is not right"):
        services.sign_evaluation(
            actor=clinician,
            evaluation=evaluation,
            decision="suitable",
            reasoning="ok",
            password="wrong",
        )
    assert (
        AuditEvent.objects.filter(
            event_type=AuditEventType.SIGNATURE_FAILED, actor=clinician
        ).count()
        == 1
    )
    signed = sign(clinician, evaluation)
    assert (
        signed.status == "completed"
        and signed.signed_by == clinician
        and signed.rule_set.version == 3
    )
    assert signed.content_sha256 == content_sha256(services.signed_content(signed))
    with pytest.raises(InvalidTransitionError, match="locked"):
        services.update_evaluation(
            actor=clinician, evaluation=signed, changes={"allergies": "penicillin"}
        )
    with pytest.raises(InvalidTransitionError):
        sign(clinician, signed)


def test_an_addendum_keeps_the_original_visible(clinician, complete):
    signed = sign(clinician, complete)
    original_hash = signed.content_sha256
    addendum = services.add_evaluation_addendum(
        actor=clinician,
        evaluation=signed,
        text="Allergy to penicillin reported later.",
        password=PASSWORD,
    )
    signed.refresh_from_db()
    assert (
        signed.status == "amended"
        and signed.content_sha256 == original_hash
        and signed.allergies == ""
    )
    assert addendum.author == clinician and len(addendum.content_sha256) == 64


def test_an_absolute_contraindication_needs_an_explicit_override_to_decide_suitable(
    clinician, complete
):
    evaluation = complete
    evaluation = services.update_evaluation(
        actor=clinician, evaluation=evaluation, changes={"aneurysm_or_avm": True}
    )
    with pytest.raises(ClinicError, match="absolute contraindication"):
        sign(clinician, evaluation)
    signed = sign(clinician, evaluation, override_absolute=True)
    assert signed.screen_findings[0]["severity"] == "absolute"
    assert (
        AuditEvent.objects.get(event_type=AuditEventType.EVALUATION_SIGNED).details[
            "absolute_overridden"
        ]
        is True
    )


def test_a_decision_keeps_the_rule_version_it_was_screened_with(
    clinician, medical_director, complete
):
    signed = sign(
        clinician,
        services.update_evaluation(
            actor=clinician, evaluation=complete, changes={"pregnant": True}
        ),
        acknowledgements={"pregnancy": "Not pregnant any more: the test was negative today."},
    )
    draft = ContraindicationRuleSet.objects.create(version=4)
    ContraindicationRule.objects.create(
        rule_set=draft,
        code="all",
        label="New rule",
        severity="relative",
        field="breastfeeding",
        operator="is_true",
        source="test",
    )
    services.publish_rule_set(actor=medical_director, rule_set=draft)
    assert ContraindicationRuleSet.objects.get(version=3).status == RuleSetStatus.RETIRED
    rule_set, findings, _ = run_screen(signed)
    assert rule_set.version == 3 and [f.code for f in findings] == ["pregnancy"]


def test_consent_is_signed_on_the_exact_version_and_gates_by_route(patient_alice):
    document = ConsentDocument.objects.get(code="ketamine-infusion-injection")
    assert not has_current_consent(patient_alice, "iv")
    with pytest.raises(ClinicError, match="full legal name"):
        services.sign_consent(
            actor=patient_alice.user,
            patient=patient_alice,
            document=document,
            typed_full_name="Al M",
            signed_on=timezone.localdate(),
            channel="portal",
        )
    with pytest.raises(ClinicError, match="today's date"):
        services.sign_consent(
            actor=patient_alice.user,
            patient=patient_alice,
            document=document,
            typed_full_name="Alice Moreno",
            signed_on=timezone.localdate() - timedelta(days=3),
            channel="portal",
        )
    today = timezone.localdate(timezone.now(), patient_alice.location.zone)
    signature = services.sign_consent(
        actor=patient_alice.user,
        patient=patient_alice,
        document=document,
        typed_full_name="  alice   moreno ",
        signed_on=today,
        channel="portal",
    )
    assert signature.document_sha256 == content_sha256(
        {"title": document.title, "version": 1, "body": document.body}
    )
    assert has_current_consent(patient_alice, "iv") and has_current_consent(patient_alice, "im")
    assert not has_current_consent(patient_alice, "intranasal")


def test_a_new_consent_version_asks_for_a_new_signature(patient_alice, medical_director):
    document = ConsentDocument.objects.get(code="ketamine-infusion-injection")
    today = timezone.localdate(timezone.now(), patient_alice.location.zone)
    services.sign_consent(
        actor=patient_alice.user,
        patient=patient_alice,
        document=document,
        typed_full_name="Alice Moreno",
        signed_on=today,
        channel="portal",
    )
    new = ConsentDocument.objects.create(
        code=document.code,
        version=2,
        title=document.title,
        routes=document.routes,
        body=document.body + "\n\nNew paragraph.",
    )
    services.publish_consent_document(actor=medical_director, document=new)
    assert not has_current_consent(patient_alice, "iv")
    row = next(r for r in consent_status(patient_alice) if r["document"].code == document.code)
    assert row["signature"] is None and row["older"].document.version == 1
    with pytest.raises(InvalidTransitionError, match="no longer current"):
        services.sign_consent(
            actor=patient_alice.user,
            patient=patient_alice,
            document=document,
            typed_full_name="Alice Moreno",
            signed_on=today,
            channel="portal",
        )


def test_a_patient_cannot_sign_for_another_and_staff_witness_a_tablet_signature(
    patient_alice, patient_bob, front_desk
):
    document = ConsentDocument.objects.get(code="esketamine-nasal-spray")
    today = timezone.localdate(timezone.now(), patient_alice.location.zone)
    with pytest.raises(NotFoundError):
        services.sign_consent(
            actor=patient_bob.user,
            patient=patient_alice,
            document=document,
            typed_full_name="Alice Moreno",
            signed_on=today,
            channel="portal",
        )
    signature = services.sign_consent(
        actor=front_desk,
        patient=patient_alice,
        document=document,
        typed_full_name="Alice Moreno",
        signed_on=today,
        channel="tablet",
    )
    assert signature.witnessed_by == front_desk and has_current_consent(patient_alice, "intranasal")


def test_a_nurse_reads_the_evaluation_but_cannot_change_it(
    nurse, clinician, evaluation, patient_alice
):
    from clinic.assessments.tests.factories import record_phq9
    from conftest import client_for

    record_phq9(actor=clinician, patient=patient_alice, total=18, days_ago=2, context="baseline")
    url = f"/patients/{patient_alice.public_id}/evaluation/{evaluation.public_id}/"
    page = client_for(nurse).get(url).content.decode()
    assert "Contraindication screen" in page and "PHQ-9 18" in page
    assert "Save and re-screen" not in page and "Sign decision" not in page
    assert client_for(nurse).post(url, {"action": "save"}).status_code == 403


def test_bad_vital_signs_are_refused_beside_the_field_and_kept(
    clinician, evaluation, patient_alice
):
    from conftest import client_for

    url = f"/patients/{patient_alice.public_id}/evaluation/{evaluation.public_id}/"
    response = client_for(clinician).post(
        url,
        {
            "action": "vitals",
            "taken_at": "2026-11-24T09:00",
            "systolic_mmhg": "80",
            "diastolic_mmhg": "90",
        },
    )
    page = response.content.decode()
    assert (
        response.status_code == 400
        and "must be lower than the systolic" in page
        and 'value="80"' in page
    )


def test_a_draft_with_an_impossible_rule_cannot_be_published(medical_director, clinician):
    draft = ContraindicationRuleSet.objects.create(version=4)
    ContraindicationRule.objects.create(
        rule_set=draft,
        code="bad",
        label="Bad rule",
        severity="relative",
        field="psychosis",
        operator="is_true",
        source="test",
    )
    with pytest.raises(ClinicError, match="Bad rule"):
        services.publish_rule_set(actor=medical_director, rule_set=draft)
    with pytest.raises(PermissionDeniedError):
        services.publish_rule_set(actor=clinician, rule_set=draft)
    assert ContraindicationRuleSet.objects.get(version=3).status == RuleSetStatus.ACTIVE


def test_the_admin_neither_copies_nor_publishes_a_rule_version(medical_director):
    """New versions are drafted, reviewed and published on the Configuration pages."""
    from conftest import client_for

    client = client_for(medical_director)
    active = ContraindicationRuleSet.objects.get(status="active")
    before = AuditEvent.objects.count()
    for action in ("copy_to_new_draft", "publish"):
        client.post(
            "/admin/evaluation/contraindicationruleset/",
            {"action": action, "_selected_action": [active.pk]},
        )
    assert not ContraindicationRuleSet.objects.filter(status="draft").exists()
    assert ContraindicationRuleSet.objects.get(pk=active.pk).status == "active"
    assert not AuditEvent.objects.filter(
        pk__gt=before, event_type=AuditEventType.PROTOCOL_CHANGED
    ).exists()


# --- A "suitable" decision needs a complete, acknowledged record -------------------------------


def test_a_blank_evaluation_cannot_be_signed_suitable_and_the_refusal_names_what_is_missing(
    clinician, evaluation
):
    with pytest.raises(ClinicError) as refused:
        sign(clinician, evaluation)
    message = refused.value.message
    for missing in (
        "history of the presenting problem",
        "not yet answered: Hypersensitivity to ketamine",
        "Psychosis",
        "Pregnant",
        "Suicide attempt in the past year",
        "current medicines",
        "allergies",
        "baseline blood pressure",
        "baseline heart rate",
        "baseline SpO₂",
        "baseline questionnaires: PHQ-9",
    ):
        assert missing in message, missing
    evaluation.refresh_from_db()
    assert evaluation.status == "in-progress"
    # Another decision can still be signed on an incomplete record.
    assert sign(clinician, evaluation, decision="needs_more_information").status == "completed"


def test_one_unasked_item_a_rule_reads_stops_suitable(clinician, complete):
    evaluation = services.update_evaluation(
        actor=clinician, evaluation=complete, changes={"pregnant": None}
    )
    with pytest.raises(ClinicError, match="not yet answered: Pregnant"):
        sign(clinician, evaluation)


def test_allergies_are_structured_or_explicitly_none(clinician, complete):
    evaluation = services.update_evaluation(
        actor=clinician, evaluation=complete, changes={"no_known_allergies": False}
    )
    with pytest.raises(ClinicError, match="allergies"):
        sign(clinician, evaluation)
    with pytest.raises(ClinicError, match="Name the substance"):
        services.add_allergy(actor=clinician, evaluation=evaluation, substance=" ", severity="mild")
    services.add_allergy(
        actor=clinician,
        evaluation=evaluation,
        substance="Penicillin",
        reaction="hives",
        severity="moderate",
    )
    signed = sign(clinician, evaluation)
    content = services.signed_content(signed)
    assert content["allergy_list"] == [
        {"substance": "Penicillin", "reaction": "hives", "severity": "moderate"}
    ]
    with pytest.raises(InvalidTransitionError):
        services.add_allergy(actor=clinician, evaluation=signed, substance="Latex", severity="mild")


def test_each_relative_finding_needs_its_note_and_the_notes_are_signed(clinician, complete):
    evaluation = services.update_evaluation(
        actor=clinician,
        evaluation=complete,
        changes={"hypertension": "uncontrolled", "suicide_attempt_past_year": True},
    )
    with pytest.raises(ClinicError, match="Uncontrolled hypertension, Suicide attempt"):
        sign(clinician, evaluation)
    with pytest.raises(ClinicError, match="Suicide attempt in the past year") as refused:
        sign(
            clinician,
            evaluation,
            acknowledgements={"uncontrolled-hypertension": "Controlled on amlodipine today."},
        )
    assert "Uncontrolled hypertension" not in refused.value.message
    signed = sign(
        clinician,
        evaluation,
        acknowledgements={
            "uncontrolled-hypertension": "Controlled on amlodipine today.",
            "suicide-attempt-past-year": "C-SSRS low today; safety plan agreed with her GP.",
        },
    )
    assert [(a["code"], a["note"]) for a in signed.accepted_findings] == [
        ("uncontrolled-hypertension", "Controlled on amlodipine today."),
        ("suicide-attempt-past-year", "C-SSRS low today; safety plan agreed with her GP."),
    ]
    content = services.signed_content(signed)
    assert content["accepted_findings"] == signed.accepted_findings
    assert signed.content_sha256 == content_sha256(content)
    assert AuditEvent.objects.get(event_type=AuditEventType.EVALUATION_SIGNED).details[
        "accepted_findings"
    ] == ["uncontrolled-hypertension", "suicide-attempt-past-year"]


def test_a_signature_without_the_new_keys_hashes_as_before(clinician, complete):
    """A record with no accepted findings, allergies or explicit "none" hashes exactly the old
    content: the new keys are added only when they hold something."""
    evaluation = services.update_evaluation(
        actor=clinician,
        evaluation=complete,
        changes={"no_current_medications": False, "current_medications": "Sertraline 50 mg"},
    )
    signed = sign(clinician, evaluation, decision="not_suitable")
    content = services.signed_content(signed)
    assert not {
        "accepted_findings",
        "allergy_list",
        "no_current_medications",
    } & set(content)
    assert content["no_known_allergies"] is True


def test_the_active_rules_read_the_suicide_attempt_of_the_past_year(db):
    active = ContraindicationRuleSet.objects.get(status="active")
    rule = active.rules.get(code="suicide-attempt-past-year")
    assert rule.severity == "relative" and rule.field == "suicide_attempt_past_year"
    v1 = ContraindicationRuleSet.objects.get(version=1)
    assert v1.status == RuleSetStatus.RETIRED and not v1.rules.filter(code=rule.code).exists()
    assert set(v1.rules.values_list("code", flat=True)) < set(
        active.rules.values_list("code", flat=True)
    )


def test_the_page_says_not_yet_answered_never_no_rule_fires(clinician, evaluation, patient_alice):
    from conftest import client_for

    url = f"/patients/{patient_alice.public_id}/evaluation/{evaluation.public_id}/"
    page = client_for(clinician).get(url).content.decode()
    assert "Not yet answered" in page and "No rule fires" not in page
    assert "Not yet ready for “suitable”" in page
    response = client_for(clinician).post(
        url,
        {"action": "sign", "decision": "suitable", "reasoning": "ok", "password": PASSWORD},
    )
    assert response.status_code == 400
    assert "the evaluation needs" in response.content.decode()


def test_the_evaluations_height_and_weight_become_the_charts_and_the_plans(
    clinician, evaluation, patient_alice
):
    from decimal import Decimal

    from conftest import client_for

    services.update_evaluation(
        actor=clinician,
        evaluation=evaluation,
        changes={"height_cm": Decimal("181.5"), "weight_kg": Decimal("93.2")},
    )
    patient_alice.refresh_from_db()
    assert (patient_alice.height_cm, patient_alice.weight_kg) == (
        Decimal("181.5"),
        Decimal("93.2"),
    )
    chart = client_for(clinician).get(f"/patients/{patient_alice.public_id}/").content.decode()
    assert "181.5 cm" in chart and "93.2 kg" in chart
    plan = client_for(clinician).get(f"/patients/{patient_alice.public_id}/plan/")
    assert "weight 93.2 kg · height 181.5 cm" in plan.content.decode()
    # An older reading (baseline vitals taken last month) does not replace a newer one.
    services.record_baseline_vitals(
        actor=clinician,
        evaluation=evaluation,
        values={"weight_kg": Decimal("90.0")},
        taken_at=timezone.now() - timedelta(days=30),
    )
    patient_alice.refresh_from_db()
    assert patient_alice.weight_kg == Decimal("93.2")


# --- baseline vital signs: checks without queries, a fixed few statements -----------------------
# The evaluation and its patient read (and locked) in one statement, the vital signs inserted, the
# evaluation pointed at them, then the audit (the chain's head read, the row inserted).
BASELINE_VITALS_STATEMENTS = 5


def test_baseline_vitals_take_a_fixed_few_statements(
    clinician, evaluation, django_assert_num_queries
):
    from conftest import service_statements

    values = {"systolic_mmhg": 122, "diastolic_mmhg": 78, "heart_rate_bpm": 72, "spo2_pct": 98}
    with django_assert_num_queries(service_statements(BASELINE_VITALS_STATEMENTS)):
        recorded = services.record_baseline_vitals(
            actor=clinician, evaluation=evaluation, values=values, taken_at=timezone.now()
        )
    assert recorded.baseline_vitals.systolic_mmhg == 122
    assert AuditEvent.objects.filter(
        event_type=AuditEventType.VITAL_SIGNS_RECORDED, target_id=str(recorded.baseline_vitals_id)
    ).exists()


def test_a_baseline_weight_that_becomes_the_patients_adds_one_update(
    clinician, evaluation, patient_alice, django_assert_num_queries
):
    """The patient's row is locked with the evaluation's; its change and its audit row go with
    the vital signs' (one read of the chain for both)."""
    from decimal import Decimal

    from conftest import service_statements

    with django_assert_num_queries(service_statements(BASELINE_VITALS_STATEMENTS + 1)):
        services.record_baseline_vitals(
            actor=clinician,
            evaluation=evaluation,
            values={"weight_kg": Decimal("81.4")},
            taken_at=timezone.now(),
        )
    patient_alice.refresh_from_db()
    assert patient_alice.weight_kg == Decimal("81.4")
    assert AuditEvent.objects.filter(
        event_type=AuditEventType.PATIENT_UPDATED,
        patient_id=patient_alice.pk,
        details__measured_in="evaluation",
    ).exists()


@pytest.mark.parametrize(
    "values",
    [
        {"systolic_mmhg": 80, "diastolic_mmhg": 90},
        {"weight_kg": "400.0"},
        {"heart_rate_bpm": 400},
    ],
)
def test_impossible_baseline_vitals_are_refused_with_the_messages_they_gave_before(
    clinician, evaluation, patient_alice, values
):
    from django.core.exceptions import ValidationError

    from clinic.patients.models import VitalSigns

    built = VitalSigns(
        patient=patient_alice,
        location_id=patient_alice.location_id,
        context="evaluation",
        taken_at=timezone.now(),
        recorded_by=clinician,
        **values,
    )
    with pytest.raises(ValidationError) as before:
        built.full_clean(validate_constraints=False)
    with pytest.raises(ValidationError) as said:
        services.record_baseline_vitals(
            actor=clinician, evaluation=evaluation, values=values, taken_at=timezone.now()
        )
    assert said.value.message_dict == before.value.message_dict
    evaluation.refresh_from_db()
    assert evaluation.baseline_vitals_id is None
