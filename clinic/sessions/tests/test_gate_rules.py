"""The pre-dose gates as a pure rule over the facts the record gives (`rules.evaluate_gates`).
No database: each table row changes one fact and names the gate it must block."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from clinic.monitoring.limits import Limits
from clinic.patients.choices import PregnancyPotential
from clinic.sessions.choices import Gate, PregnancyTest
from clinic.sessions.rules import GateFacts, PlanFact, ReportedSideEffect, evaluate_gates

TODAY = date(2026, 12, 1)
READY = GateFacts(
    today=TODAY,
    identity_confirmed=True,
    consent_current=True,
    route_label="IV infusion",
    plan=PlanFact(
        number=2, is_sessions_plan=True, route_matches=True, route_label="IV", start_date=TODAY
    ),
    fasting_confirmed=True,
    patient_said_fasting=True,
    escort_confirmed=True,
    escort_name="Sam Moreno",
    pregnancy_potential=PregnancyPotential.POSSIBLE,
    pregnancy_potential_reason="",
    pregnancy_test=PregnancyTest.NEGATIVE,
    pregnancy_test_note="",
    missing_questionnaires=(),
    open_safety_flags=0,
    pre_dose_values={
        "systolic_mmhg": 124,
        "diastolic_mmhg": 78,
        "heart_rate_bpm": 72,
        "spo2_pct": 98,
    },
    pre_dose_taken_at_label="09:12",
    needs_weight=True,
    weight_kg=Decimal("70.0"),
    open_pre_dose_alerts=False,
    limits=Limits(),
    prior_doses=(),
    minimum_days_between_doses=2,
    maximum_doses_per_7_days=3,
)


def blocking(facts: GateFacts) -> set[str]:
    return {g.gate for g in evaluate_gates(facts).blocking}


def test_a_complete_record_is_ready_to_dose():
    checklist = evaluate_gates(READY)
    assert checklist.ready_to_dose
    assert [g.gate for g in checklist.gates] == [
        Gate.IDENTITY,
        Gate.CONSENT,
        Gate.PLAN,
        Gate.FASTING,
        Gate.ESCORT,
        Gate.PREGNANCY,
        Gate.QUESTIONNAIRES,
        Gate.SAFETY,
        Gate.SIDE_EFFECTS,
        Gate.VITALS,
        Gate.BLOOD_PRESSURE,
        Gate.SAME_DAY,
        Gate.DOSE_INTERVAL,
    ]


def test_a_side_effect_report_not_yet_reviewed_holds_the_dose_and_is_named():
    report = ReportedSideEffect("Mon 30 Nov 08:10", "Blood in my urine", reviewed=False)
    checklist = evaluate_gates(replace(READY, side_effect_reports=(report,)))
    gate = next(g for g in checklist.gates if g.gate == Gate.SIDE_EFFECTS)
    assert not gate.passed
    assert "Mon 30 Nov 08:10: Blood in my urine (not reviewed)" in gate.reason
    assert Gate.SIDE_EFFECTS in blocking(replace(READY, side_effect_reports=(report,)))


def test_a_reviewed_side_effect_report_is_still_shown_but_does_not_hold_the_dose():
    report = ReportedSideEffect("Mon 30 Nov 08:10", "Headache", reviewed=True)
    checklist = evaluate_gates(replace(READY, side_effect_reports=(report,)))
    gate = next(g for g in checklist.gates if g.gate == Gate.SIDE_EFFECTS)
    assert gate.passed
    assert gate.reason == "Reported by the patient: Mon 30 Nov 08:10: Headache. Reviewed."


@pytest.mark.parametrize(
    ("change", "gate", "reason"),
    [
        ({"identity_confirmed": False}, Gate.IDENTITY, "Confirm the patient's name"),
        ({"consent_current": False}, Gate.CONSENT, "No signed current consent for iv infusion"),
        ({"plan": None}, Gate.PLAN, "no active treatment plan"),
        ({"fasting_confirmed": None}, Gate.FASTING, "Not confirmed. The patient said: fasting."),
        ({"escort_name": ""}, Gate.ESCORT, "Record who takes the patient home."),
        ({"pregnancy_test": PregnancyTest.POSITIVE}, Gate.PREGNANCY, "Positive"),
        ({"pregnancy_test": ""}, Gate.PREGNANCY, "Could be pregnant: record a negative test"),
        ({"missing_questionnaires": ("PHQ-9",)}, Gate.QUESTIONNAIRES, "Not answered: PHQ-9."),
        ({"open_safety_flags": 1}, Gate.SAFETY, "a clinician must review"),
        ({"weight_kg": None}, Gate.VITALS, "Record today's weight"),
        ({"open_pre_dose_alerts": True}, Gate.VITALS, "Acknowledge the pre-dose"),
        ({"pre_dose_values": None}, Gate.BLOOD_PRESSURE, "No pre-dose blood pressure yet."),
    ],
)
def test_each_missing_fact_blocks_its_own_gate_with_its_reason(change, gate, reason):
    checklist = evaluate_gates(replace(READY, **change))
    blocked = {g.gate: g.reason for g in checklist.blocking}
    assert gate in blocked
    assert reason in blocked[gate]


def test_a_plan_starting_tomorrow_blocks_today():
    later = replace(READY.plan, start_date=date(2026, 12, 2))
    assert blocking(replace(READY, plan=later)) == {Gate.PLAN}


@pytest.mark.parametrize(
    ("systolic", "diastolic", "blocked"),
    [(140, 90, False), (141, 90, True), (140, 91, True)],
)
def test_the_pre_dose_blood_pressure_limit_is_inclusive(systolic, diastolic, blocked):
    values = {**READY.pre_dose_values, "systolic_mmhg": systolic, "diastolic_mmhg": diastolic}
    assert (Gate.BLOOD_PRESSURE in blocking(replace(READY, pre_dose_values=values))) is blocked


def test_an_override_satisfies_an_overridable_gate_only():
    facts = replace(READY, fasting_confirmed=False, identity_confirmed=False)
    checklist = evaluate_gates(facts, {Gate.FASTING: object(), Gate.IDENTITY: object()})
    assert {g.gate for g in checklist.blocking} == {Gate.IDENTITY}


def test_a_fixed_dose_needs_no_weight():
    assert evaluate_gates(replace(READY, needs_weight=False, weight_kg=None)).ready_to_dose


# --- A minor: a guardian recorded, and no esketamine under 18 ---------------------------------
def _minor_gate(facts):
    return next((g for g in evaluate_gates(facts).gates if g.gate == Gate.MINOR), None)


def test_an_adult_has_no_minor_gate():
    assert _minor_gate(replace(READY, age_years=40, route="iv")) is None
    assert _minor_gate(replace(READY, age_years=18, route="intranasal")) is None


def test_a_minor_with_a_guardian_passes_and_without_one_is_blocked():
    with_guardian = replace(READY, age_years=16, is_minor=True, has_guardian=True, route="iv")
    assert _minor_gate(with_guardian).passed
    without = replace(with_guardian, has_guardian=False)
    gate = _minor_gate(without)
    assert not gate.passed and not gate.overridable and "no guardian" in gate.reason
    assert not evaluate_gates(without).ready_to_dose


def test_esketamine_is_never_dosed_under_18():
    facts = replace(READY, age_years=17, is_minor=True, has_guardian=True, route="intranasal")
    gate = _minor_gate(facts)
    assert not gate.passed and not gate.overridable
    assert "not approved under 18" in gate.reason and "§8.4" in gate.reason
