"""Screening rules and medication interactions (pure, no database).

Every rule row is tested from RULES_V1 itself; each carries its own source string (S2017, the APA
consensus; C2018, the ASRA/AAPM/ASA chronic-pain guideline; TRIALS, ketamine depression trial
exclusions; LABEL, the Spravato prescribing information). The interaction cases come from
INTERACTIONS_V1 (trial exclusions, PMC6884875 and PMC10812090; the Spravato label).
"""

from __future__ import annotations

import pytest

from clinic.evaluation.rules import (
    BOOLEAN_FIELDS,
    NOT_ASKED,
    SCREENABLE_FIELDS,
    InteractionSpec,
    RuleSpec,
    find_interactions,
    is_not_asked,
    matches,
    not_answered,
    screen,
    validate_rule,
)
from clinic.evaluation.seeds.screening_rules_v1 import INTERACTIONS_V1, RULES_V1
from clinic.evaluation.seeds.screening_rules_v2 import RULES_V2_ADDED
from clinic.evaluation.seeds.screening_rules_v3 import (
    ADOLESCENT_PATIENT,
    OLDER_ADULT_COGNITIVE_SCREEN,
)

RULES = [RuleSpec(*row) for row in RULES_V1]
INTERACTIONS = [
    InteractionSpec(name, tuple(terms), kind, effect, source)
    for name, terms, kind, effect, source in INTERACTIONS_V1
]


def firing_values(rule: RuleSpec) -> list:
    """Recorded values that should fire the rule, built from its operator and value."""
    if rule.operator == "is_true":
        return [True]
    if rule.operator == "equals":
        return [rule.value]
    if rule.operator == "in":
        return list(rule.value)
    if rule.operator == "gt":
        return [rule.value + 1, rule.value + 0.1]
    if rule.operator == "gte":
        return [rule.value, rule.value + 1]
    raise AssertionError(f"untested operator {rule.operator}")


def safe_values(rule: RuleSpec) -> list:
    """Recorded values that should not fire it: the benign answer and the boundary."""
    if rule.operator == "is_true":
        return [False, None, "", "yes", 1]
    if rule.operator in ("equals", "in"):
        return ["none", None, ""]
    if rule.operator == "gt":
        return [rule.value, rule.value - 1, None]  # e.g. 140 for systolic > 140
    if rule.operator == "gte":
        return [rule.value - 1, None]
    raise AssertionError(f"untested operator {rule.operator}")


def test_every_seed_rule_is_valid_and_reads_a_screenable_field():
    # Sources: each rule's own `source` string in screening_rules_v1.RULES_V1.
    for rule in RULES:
        validate_rule(rule.field, rule.operator, rule.value)
        assert rule.field in SCREENABLE_FIELDS
        assert rule.severity in ("absolute", "relative")
        assert rule.source


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_rule_fires_on_its_value(rule):
    # Source: rule.source (screening_rules_v1.RULES_V1).
    for value in firing_values(rule):
        findings = screen({rule.field: value}, RULES)
        # Exactly this rule fires (other rules reading the same field need other values).
        assert [f.code for f in findings] == [rule.code], value
        finding = findings[0]
        assert finding.severity == rule.severity
        assert finding.label == rule.label
        assert finding.advice == rule.advice
        assert finding.source == rule.source
        assert finding.reason.startswith(f"{SCREENABLE_FIELDS[rule.field]}: ")


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_rule_does_not_fire_on_a_safe_value(rule):
    # Source: rule.source (screening_rules_v1.RULES_V1).
    for value in safe_values(rule):
        assert screen({rule.field: value}, [rule]) == [], value


def test_reason_shows_the_recorded_value():
    (finding,) = screen({"baseline_systolic_mmhg": 152}, RULES)
    assert finding.reason == "Baseline systolic blood pressure (mmHg): 152"
    (finding,) = screen({"pregnant": True}, RULES)
    assert finding.reason == "Pregnant: yes"
    (finding,) = screen({"sleep_apnoea": "untreated"}, RULES)
    assert finding.reason == "Sleep apnoea: untreated"


def test_absolute_findings_sort_before_relative():
    history = {
        "pregnant": True,  # relative
        "baseline_systolic_mmhg": 160,  # relative
        "ketamine_hypersensitivity": True,  # absolute
        "psychosis": "current",  # relative
        "liver_disease": "severe",  # absolute
    }
    findings = screen(history, RULES)
    severities = [f.severity for f in findings]
    assert severities == ["absolute", "absolute", "relative", "relative", "relative"]
    assert {f.code for f in findings} == {
        "pregnancy",
        "baseline-systolic-above-140",
        "hypersensitivity",
        "current-psychosis",
        "severe-liver-disease",
    }
    # Within a severity the rule order is kept.
    assert [f.code for f in findings[:2]] == ["hypersensitivity", "severe-liver-disease"]


def test_missing_fields_never_fire():
    assert screen({}, RULES) == []
    assert screen(dict.fromkeys(SCREENABLE_FIELDS), RULES) == []
    assert screen(dict.fromkeys(SCREENABLE_FIELDS, ""), RULES) == []


@pytest.mark.parametrize("operator", ["is_true", "equals", "in", "gt", "gte"])
def test_matches_none_is_false(operator):
    assert matches(operator, None, [None] if operator == "in" else 0) is False


def test_matches_non_numeric_recorded_value_for_gt_is_false():
    assert matches("gt", "high", 140) is False
    assert matches("gte", True, 1) is False


def test_matches_unknown_operator_raises():
    with pytest.raises(ValueError, match="Unknown rule operator"):
        matches("lte", 1, 2)


def test_validate_rule_accepts_valid_rules():
    validate_rule("psychosis", "equals", "current")
    validate_rule("substance_use_disorder", "in", ["moderate", "severe"])
    validate_rule("baseline_systolic_mmhg", "gt", 140)
    validate_rule("bmi", "gte", "35.5")
    validate_rule("pregnant", "is_true", None)


@pytest.mark.parametrize(
    ("field", "operator", "value", "message"),
    [
        ("favourite_colour", "equals", "blue", "not a field the screen can read"),
        ("", "is_true", None, "not a field the screen can read"),
        ("substance_use_disorder", "in", "moderate", "needs a list"),
        ("substance_use_disorder", "in", None, "needs a list"),
        ("baseline_systolic_mmhg", "gt", "high", "need a number"),
        ("baseline_systolic_mmhg", "gt", None, "need a number"),
        ("baseline_systolic_mmhg", "gte", [140], "need a number"),
        ("baseline_systolic_mmhg", "gte", True, "need a number"),
        ("psychosis", "equals", None, "needs a value"),
    ],
)
def test_validate_rule_rejects(field, operator, value, message):
    with pytest.raises(ValueError, match=message):
        validate_rule(field, operator, value)


def test_validate_rule_rejects_nan_threshold():
    with pytest.raises(ValueError, match="need a number"):
        validate_rule("baseline_systolic_mmhg", "gt", "NaN")


def test_a_nan_threshold_that_slipped_through_never_crashes_the_screen():
    rule = RuleSpec("x", "x", "relative", "baseline_systolic_mmhg", "gt", "NaN", "", "test")
    assert screen({"baseline_systolic_mmhg": 150}, [rule]) == []


def test_validate_rule_rejects_unknown_operator():
    with pytest.raises(ValueError):
        validate_rule("baseline_systolic_mmhg", "lte", 90)


# Interaction cases: INTERACTIONS_V1 (trial exclusions, PMC6884875 and PMC10812090; Spravato label).
@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Lorazepam 1 mg at night", "Benzodiazepines"),
        ("LORAZEPAM 1 mg", "Benzodiazepines"),
        ("lamotrigine 100 mg", "Lamotrigine"),
        ("phenelzine", "Monoamine oxidase inhibitors"),
        ("Adderall XR 20mg", "Stimulants"),
        ("oxycodone", "Opioids"),
        ("Zolpidem 5 mg", "Sedative hypnotics"),
        ("naltrexone 50 mg", "Naltrexone"),
        ("Ativan (lorazepam) 0.5mg", "Benzodiazepines"),
    ],
)
def test_find_interactions_matches(text, name):
    found = find_interactions(text, INTERACTIONS)
    assert [f["name"] for f in found] == [name]
    assert found[0]["medication"] == text.strip()
    spec = next(i for i in INTERACTIONS if i.name == name)
    assert found[0]["kind"] == spec.kind
    assert found[0]["effect"] == spec.effect
    assert found[0]["source"] == spec.source


@pytest.mark.parametrize(
    "text", ["clonazepamx", "methyl", "sertraline 100 mg", "oxy", "lorazepamine"]
)
def test_find_interactions_whole_words_only(text):
    assert find_interactions(text, INTERACTIONS) == []


@pytest.mark.parametrize("text", ["", "   ", "\n\n"])
def test_find_interactions_empty_text(text):
    assert find_interactions(text, INTERACTIONS) == []


def test_find_interactions_one_finding_per_line():
    text = "Sertraline 100 mg\nlorazepam 1 mg\n  \nAdderall XR 20mg\nclonazepam 0.5 mg"
    found = find_interactions(text, INTERACTIONS)
    assert [(f["name"], f["medication"]) for f in found] == [
        ("Benzodiazepines", "lorazepam 1 mg"),
        ("Benzodiazepines", "clonazepam 0.5 mg"),
        ("Stimulants", "Adderall XR 20mg"),
    ]


# --- Not asked: neither fires nor counts as clean ---------------------------------------------

RULES_V2 = RULES + [RuleSpec(*row) for row in RULES_V2_ADDED]


@pytest.mark.parametrize(
    ("value", "unasked"),
    [(None, True), ("", True), (NOT_ASKED, True), (False, False), ("none", False), (0, False)],
)
def test_is_not_asked_boundary(value, unasked):
    assert is_not_asked(value) is unasked


@pytest.mark.parametrize("rule", RULES_V2, ids=lambda r: r.code)
def test_an_unasked_item_never_fires_and_is_named(rule):
    unasked = None if rule.field in BOOLEAN_FIELDS or rule.operator in {"gt", "gte"} else NOT_ASKED
    history = {rule.field: unasked}
    assert screen(history, [rule]) == []
    assert not_answered(history, [rule]) == [rule.field]


@pytest.mark.parametrize("rule", RULES_V2, ids=lambda r: r.code)
def test_an_answered_item_is_not_named_unanswered(rule):
    for value in firing_values(rule):
        assert not_answered({rule.field: value}, [rule]) == []


def test_not_answered_names_each_field_once_in_rule_order():
    # Two rules read psychosis (current and past): it is named once.
    assert not_answered({}, RULES_V2)[:2] == ["ketamine_hypersensitivity", "aneurysm_or_avm"]
    fields = not_answered({}, RULES_V2)
    assert fields.count("psychosis") == 1 and set(fields) == {r.field for r in RULES_V2}


def test_every_item_answered_no_is_clean():
    history = {
        r.field: (False if r.field in BOOLEAN_FIELDS else "none")
        for r in RULES_V2
        if r.operator not in {"gt", "gte"}
    } | {"baseline_systolic_mmhg": 120, "baseline_diastolic_mmhg": 80}
    assert screen(history, RULES_V2) == [] and not_answered(history, RULES_V2) == []


@pytest.mark.parametrize("value", [NOT_ASKED, ["moderate", NOT_ASKED]])
def test_a_rule_cannot_fire_on_not_asked(value):
    operator = "equals" if isinstance(value, str) else "in"
    with pytest.raises(ValueError, match="not asked"):
        validate_rule("psychosis", operator, value)


def test_the_suicide_attempt_rule_is_relative_sourced_and_fires_on_yes_only():
    (rule,) = [RuleSpec(*row) for row in RULES_V2_ADDED]
    validate_rule(rule.field, rule.operator, rule.value)
    assert rule.severity == "relative" and "UNVERIFIED" in rule.source
    assert "Posner" in rule.source
    assert [f.code for f in screen({rule.field: True}, [rule])] == ["suicide-attempt-past-year"]
    assert screen({rule.field: False}, [rule]) == [] and screen({rule.field: None}, [rule]) == []


@pytest.mark.parametrize(("age", "fires"), [(12, True), (17, True), (18, False), (65, False)])
def test_the_adolescent_rule_fires_below_18_only(age, fires):
    code, label, severity, field, operator, value, advice, source = ADOLESCENT_PATIENT
    validate_rule(field, operator, value)
    spec = RuleSpec(code, label, severity, field, operator, value, advice, source)
    assert bool(screen({"age_years": age}, [spec])) is fires
    assert severity == "relative"


def test_is_less_than_needs_a_number():
    with pytest.raises(ValueError, match="need a number"):
        validate_rule("age_years", "lt", "young")


@pytest.mark.parametrize(("age", "fires"), [(64, False), (65, True), (80, True)])
def test_an_older_adult_is_asked_for_a_cognitive_screen_from_65(age, fires):
    spec = RuleSpec(*OLDER_ADULT_COGNITIVE_SCREEN)
    validate_rule(spec.field, spec.operator, spec.value)
    assert bool(screen({"age_years": age}, [spec])) is fires
