"""Pure screening rules: no database. A rule reads one recorded field and fires when it matches;
the medication list is matched against interaction terms. Sources are on each rule (seed data in
`seeds/screening_rules_v1.py`; the active set is edited by the medical director)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from clinic.evaluation.choices import RuleOperator, RuleSeverity

# Fields a rule may read: the evaluation's history plus baseline measurements.
SCREENABLE_FIELDS = {
    "psychosis": "Psychosis",
    "mania": "Mania or hypomania",
    "suicide_attempt_past_year": "Suicide attempt in the past year",
    "substance_use_disorder": "Substance use disorder",
    "ketamine_misuse_history": "Past ketamine misuse",
    "recent_nonprescribed_psychoactive_use": "Recent non-prescribed psychoactive use",
    "cardiovascular_disease": "Cardiovascular disease",
    "hypertension": "Hypertension",
    "significant_arrhythmia": "Significant arrhythmia",
    "aneurysm_or_avm": "Aneurysmal vascular disease or AVM",
    "intracerebral_haemorrhage": "History of intracerebral haemorrhage",
    "raised_intracranial_pressure": "Raised intracranial pressure",
    "raised_intraocular_pressure": "Raised intraocular pressure",
    "liver_disease": "Liver disease",
    "seizure_disorder": "Seizure disorder",
    "pregnant": "Pregnant",
    "breastfeeding": "Breastfeeding",
    "sleep_apnoea": "Sleep apnoea",
    "ketamine_hypersensitivity": "Hypersensitivity to ketamine",
    "baseline_systolic_mmhg": "Baseline systolic blood pressure (mmHg)",
    "baseline_diastolic_mmhg": "Baseline diastolic blood pressure (mmHg)",
    "bmi": "Body-mass index (kg/m²)",
    # The patient's age in whole years on the day of screening (from the date of birth).
    "age_years": "Age (years)",
}


OPERATORS = frozenset(RuleOperator.values)
BOOLEAN_FIELDS = frozenset(
    {
        "suicide_attempt_past_year",
        "ketamine_misuse_history",
        "recent_nonprescribed_psychoactive_use",
        "significant_arrhythmia",
        "aneurysm_or_avm",
        "intracerebral_haemorrhage",
        "raised_intracranial_pressure",
        "raised_intraocular_pressure",
        "pregnant",
        "breastfeeding",
        "ketamine_hypersensitivity",
    }
)


# What an unasked question holds: None for a yes/no item or a number, "not_asked" for a choice.
NOT_ASKED = "not_asked"


def is_not_asked(value: Any) -> bool:
    """True when the question behind a value has not been answered (or the measure not taken)."""
    return value is None or value == "" or value == NOT_ASKED


@dataclass(frozen=True)
class RuleSpec:
    code: str
    label: str
    severity: str
    field: str
    operator: str
    value: Any
    advice: str
    source: str


@dataclass(frozen=True)
class Finding:
    code: str
    label: str
    severity: str
    reason: str
    advice: str
    source: str

    def as_dict(self) -> dict[str, str]:
        return {
            k: getattr(self, k) for k in ("code", "label", "severity", "reason", "advice", "source")
        }


def _display(value: Any) -> str:
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return str(value).replace("_", " ")


NUMERIC_OPERATORS = frozenset(
    {RuleOperator.AT_LEAST, RuleOperator.MORE_THAN, RuleOperator.LESS_THAN}
)


def matches(operator: str, recorded: Any, expected: Any) -> bool:
    """Whether a rule fires on an answered value. An unasked item never fires, and never counts
    as clean either: `not_answered` names it."""
    if is_not_asked(recorded):
        return False
    if operator == RuleOperator.IS_TRUE:
        return recorded is True
    if operator == RuleOperator.EQUALS:
        return recorded == expected
    if operator == RuleOperator.IN:
        return recorded in (expected or [])
    if operator in NUMERIC_OPERATORS:
        try:
            number, limit = Decimal(str(recorded)), Decimal(str(expected))
            if operator == RuleOperator.LESS_THAN:
                return number < limit
            return number >= limit if operator == RuleOperator.AT_LEAST else number > limit
        except ArithmeticError:
            return False
    raise ValueError(f"Unknown rule operator {operator!r}.")


def validate_rule(field: str, operator: str, value: Any) -> None:
    """Raise ValueError with a message for the admin if a rule could never be evaluated."""
    if field not in SCREENABLE_FIELDS:
        raise ValueError(
            f"“{field}” is not a field the screen can read; choose one of: {', '.join(SCREENABLE_FIELDS)}."
        )
    if operator not in OPERATORS:
        raise ValueError(f"“{operator}” is not a known comparison.")
    if operator == RuleOperator.IS_TRUE and field not in BOOLEAN_FIELDS:
        raise ValueError(
            f"“is yes” only applies to yes/no fields; “{field}” has choices: use “equals” or “is one of”."
        )
    if operator == RuleOperator.IN and not isinstance(value, list):
        raise ValueError('“is one of” needs a list of values, e.g. ["moderate", "severe"].')
    if operator in NUMERIC_OPERATORS:
        try:
            finite = Decimal(str(value)).is_finite()
        except ArithmeticError:
            finite = False
        if not finite or isinstance(value, bool):
            raise ValueError("“is at least”, “is more than” and “is less than” need a number.")
    if operator == RuleOperator.EQUALS and value is None:
        raise ValueError("“equals” needs a value.")
    if value == NOT_ASKED or (isinstance(value, list) and NOT_ASKED in value):
        raise ValueError(
            "A rule cannot fire on “not asked”: an unasked item already stops a “suitable” decision."
        )


def screen(history: Mapping[str, Any], rules: Iterable[RuleSpec]) -> list[Finding]:
    """Every rule that fires on the recorded history, absolute ones first, with why it fired."""
    findings = []
    for rule in rules:
        recorded = history.get(rule.field)
        if matches(rule.operator, recorded, rule.value):
            reason = f"{SCREENABLE_FIELDS.get(rule.field, rule.field)}: {_display(recorded)}"
            findings.append(
                Finding(rule.code, rule.label, rule.severity, reason, rule.advice, rule.source)
            )
    return sorted(findings, key=lambda f: 0 if f.severity == RuleSeverity.ABSOLUTE else 1)


def not_answered(history: Mapping[str, Any], rules: Iterable[RuleSpec]) -> list[str]:
    """The fields that some rule reads but that hold no answer yet, in rule order, each once.
    The screen is clean only when this is empty and no rule fires."""
    fields: list[str] = []
    for rule in rules:
        if rule.field not in fields and is_not_asked(history.get(rule.field)):
            fields.append(rule.field)
    return fields


@dataclass(frozen=True)
class InteractionSpec:
    name: str
    match_terms: tuple[str, ...]
    kind: str
    effect: str
    source: str


def medication_names(medications_text: str) -> list[str]:
    return [line.strip() for line in medications_text.splitlines() if line.strip()]


def find_interactions(
    medications_text: str, interactions: Iterable[InteractionSpec]
) -> list[dict[str, str]]:
    """Each interaction whose terms appear (as whole words) in a line of the medication list."""
    found = []
    lines = medication_names(medications_text)
    for interaction in interactions:
        for line in lines:
            lowered = line.lower()
            term = next(
                (
                    t
                    for t in interaction.match_terms
                    if re.search(rf"\b{re.escape(t.lower())}\b", lowered)
                ),
                None,
            )
            if term:
                found.append(
                    {
                        "name": interaction.name,
                        "medication": line,
                        "kind": interaction.kind,
                        "effect": interaction.effect,
                        "source": interaction.source,
                    }
                )
    return found
