"""The tri-state migration keeps what was signed: an evaluation signed with the old yes/no
values still verifies afterwards, and only unsigned evaluations are moved to "not asked"."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from clinic.core.guards import install_row_guards
from clinic.core.signing import content_sha256
from clinic.evaluation.integrity import evaluation_seal_problems
from clinic.evaluation.models import Evaluation

BEFORE = [("evaluation", "0004_alter_consentsignature_channel")]

# The history fields as they were signed before the change (the old defaults: "no", "none", 0).
OLD_HISTORY = {
    "presenting_conditions": ["trd"],
    "presenting_history": "Depressed for years.",
    "psychosis": "none",
    "mania": "none",
    "suicide_attempts_lifetime": 0,
    "suicide_attempt_past_year": False,
    "substance_use_disorder": "none",
    "ketamine_misuse_history": False,
    "recent_nonprescribed_psychoactive_use": False,
    "cardiovascular_disease": "none",
    "hypertension": "none",
    "significant_arrhythmia": False,
    "aneurysm_or_avm": False,
    "intracerebral_haemorrhage": False,
    "raised_intracranial_pressure": False,
    "raised_intraocular_pressure": False,
    "liver_disease": "none",
    "seizure_disorder": "none",
    "pregnant": False,
    "breastfeeding": False,
    "sleep_apnoea": "none",
    "ketamine_hypersensitivity": False,
    "current_medications": "",
    "allergies": "penicillin",
    "adequate_antidepressant_trials": 2,
    "prior_ect": False,
    "prior_tms": False,
    "prior_ketamine_or_esketamine": False,
    "other_treatments": "",
    "height_cm": None,
    "weight_kg": None,
    "clinical_summary": "",
}


@pytest.mark.django_db(transaction=True)
def test_old_signatures_still_verify_and_only_unsigned_rows_become_not_asked(
    clinician, patient_alice
):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    OldEvaluation = old.get_model("evaluation", "Evaluation")
    RuleSet = old.get_model("evaluation", "ContraindicationRuleSet")
    rule_set = RuleSet.objects.order_by("version").first()
    signed_at = timezone.now().replace(microsecond=0)
    # What the old sign_evaluation hashed, for a record signed with the old defaults.
    content = {
        **OLD_HISTORY,
        "baseline_vitals": None,
        "patient": str(patient_alice.public_id),
        "decision": "suitable",
        "decision_reasoning": "Nothing found.",
        "rule_set_version": rule_set.version,
        "screen_findings": [],
        "interaction_findings": [],
        "signed_by": clinician.pk,
        "signed_at": signed_at,
    }
    common = {"patient_id": patient_alice.pk, "location_id": patient_alice.location_id}
    signed = OldEvaluation.objects.create(
        **common,
        clinician_id=clinician.pk,
        status="completed",
        decision="suitable",
        decision_reasoning="Nothing found.",
        rule_set_id=rule_set.pk,
        signed_by_id=clinician.pk,
        signed_at=signed_at,
        content_sha256=content_sha256(content),
        **OLD_HISTORY,
    )
    unsigned = OldEvaluation.objects.create(
        **common, clinician_id=clinician.pk, **(OLD_HISTORY | {"pregnant": True, "mania": "past"})
    )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    # Forward through every app's latest migration: going back to BEFORE unapplied other apps'
    # migrations too, and the tests after this one need the whole schema.
    executor.migrate(executor.loader.graph.leaf_nodes())
    install_row_guards()

    migrated = Evaluation.objects.get(pk=signed.pk)
    assert migrated.pregnant is False and migrated.psychosis == "none"
    assert migrated.suicide_attempts_lifetime == 0
    assert evaluation_seal_problems(migrated) == []
    still_open = Evaluation.objects.get(pk=unsigned.pk)
    assert still_open.psychosis == "not_asked" and still_open.breastfeeding is None
    assert still_open.suicide_attempts_lifetime is None
    # An answer that was not the old default is kept.
    assert still_open.pregnant is True and still_open.mania == "past"
