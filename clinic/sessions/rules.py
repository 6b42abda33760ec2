"""Pure rules of the treatment session: the pre-dose gates' wording, the infusion's state machine
and the discharge criteria. No database; the selectors feed them.

Sources: the APA consensus statement on ketamine for mood disorders
(Sanacora et al., JAMA Psychiatry 2017) asks for a pre-treatment check, blood-pressure monitoring
and discharge only when the patient is back to baseline with an escort; the esketamine label
(Spravato REMS) asks for blood pressure before dosing, at about 40 minutes and before discharge,
and at least two hours of observation; discharge scoring is the modified Aldrete score (Aldrete
1995, `clinic.monitoring.discharge`)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from clinic.monitoring.limits import Limits, check_pre_dose
from clinic.sessions.choices import OVERRIDABLE_GATES, Gate, InfusionEventKind, PregnancyTest

# A reading older than this no longer shows that the vitals are "back within limits" at discharge
# [clinic policy, UNVERIFIED: no source fixes it; the esketamine label asks for a reading "before
# discharge"].
DISCHARGE_READING_MAX_AGE = timedelta(minutes=15)
# Pre-session questionnaires answered this long before the session still count as "done"
# [clinic policy: the reminders send them 24 hours before (field notes)].
QUESTIONNAIRE_WINDOW = timedelta(days=3)


@dataclass(frozen=True)
class GateResult:
    gate: str
    passed: bool
    reason: str
    override: object | None = None  # the GateOverride, when a clinician overrode a failed gate

    @property
    def label(self) -> str:
        return Gate(self.gate).label

    @property
    def overridable(self) -> bool:
        return self.gate in OVERRIDABLE_GATES

    @property
    def satisfied(self) -> bool:
        return self.passed or (self.override is not None and self.overridable)


@dataclass(frozen=True)
class Checklist:
    gates: list[GateResult]

    @property
    def ready_to_dose(self) -> bool:
        return all(g.satisfied for g in self.gates)

    @property
    def blocking(self) -> list[GateResult]:
        return [g for g in self.gates if not g.satisfied]

    def blocking_reasons(self) -> list[str]:
        return [f"{g.label}: {g.reason}" for g in self.blocking]


# --- Pre-dose gates --------------------------------------------------------------------------
@dataclass(frozen=True)
class PlanFact:
    """The patient's active plan as the gates see it."""

    number: int
    is_sessions_plan: bool  # the plan this session was started under
    route_matches: bool
    route_label: str
    start_date: date


@dataclass(frozen=True)
class GateFacts:
    """What the record says before dosing (read by `selectors.gate_facts`)."""

    today: date  # in the clinic's zone
    identity_confirmed: bool
    consent_current: bool
    route_label: str
    plan: PlanFact | None
    fasting_confirmed: bool | None
    patient_said_fasting: bool | None  # the pre-visit answer; None when not answered
    escort_confirmed: bool | None
    escort_name: str
    patient_sex: str
    pregnancy_test: str
    pregnancy_test_note: str
    missing_questionnaires: tuple[str, ...]
    open_safety_flags: int
    pre_dose_values: Mapping[str, Any] | None  # the latest pre-dose reading with a blood pressure
    pre_dose_taken_at_label: str
    needs_weight: bool
    weight_kg: Decimal | None
    open_pre_dose_alerts: bool
    limits: Limits


PRE_DOSE_VITALS = ("systolic_mmhg", "diastolic_mmhg", "heart_rate_bpm", "spo2_pct")


def evaluate_gates(facts: GateFacts, overrides: Mapping[str, object] | None = None) -> Checklist:
    """Every gate before dosing, each with its reason; `overrides` maps a gate to a clinician's
    documented override of it."""
    overrides = overrides or {}
    results: list[GateResult] = []

    def add(gate: str, passed: bool, reason: str) -> None:
        results.append(GateResult(gate, passed, reason, overrides.get(gate)))

    add(
        Gate.IDENTITY,
        facts.identity_confirmed,
        "Confirmed."
        if facts.identity_confirmed
        else "Confirm the patient's name and date of birth.",
    )
    add(
        Gate.CONSENT,
        facts.consent_current,
        "Current version signed."
        if facts.consent_current
        else f"No signed current consent for {facts.route_label.lower()}.",
    )
    plan = facts.plan
    if plan is None:
        add(Gate.PLAN, False, "The patient has no active treatment plan.")
    elif not plan.is_sessions_plan:
        add(Gate.PLAN, False, "The plan this session was started under is no longer active.")
    elif not plan.route_matches:
        add(Gate.PLAN, False, f"The plan's route is now {plan.route_label.lower()}.")
    elif plan.start_date > facts.today:
        add(Gate.PLAN, False, f"The plan starts on {plan.start_date:%-d %b %Y}.")
    else:
        add(Gate.PLAN, True, f"Plan version {plan.number}.")
    said = ""
    if facts.patient_said_fasting is not None:
        said = " The patient said: " + (
            "fasting." if facts.patient_said_fasting else "NOT fasting."
        )
    add(
        Gate.FASTING,
        facts.fasting_confirmed is True,
        "Confirmed." if facts.fasting_confirmed else "Not confirmed." + said,
    )
    escorted = facts.escort_confirmed is True and bool(facts.escort_name)
    add(
        Gate.ESCORT,
        escorted,
        f"{facts.escort_name} will take the patient home."
        if escorted
        else "Record who takes the patient home.",
    )
    if facts.patient_sex == "male":
        add(Gate.PREGNANCY, True, "Not applicable.")
    elif facts.pregnancy_test == PregnancyTest.NEGATIVE:
        add(Gate.PREGNANCY, True, "Negative.")
    elif facts.pregnancy_test == PregnancyTest.NOT_APPLICABLE and facts.pregnancy_test_note:
        add(Gate.PREGNANCY, True, f"Not applicable: {facts.pregnancy_test_note}")
    elif facts.pregnancy_test == PregnancyTest.POSITIVE:
        add(Gate.PREGNANCY, False, "Positive: ketamine is not given in pregnancy.")
    else:
        add(Gate.PREGNANCY, False, "Record the result, or why it does not apply.")
    missing = facts.missing_questionnaires
    add(
        Gate.QUESTIONNAIRES,
        not missing,
        "Done." if not missing else "Not answered: " + ", ".join(missing) + ".",
    )
    add(
        Gate.SAFETY,
        facts.open_safety_flags == 0,
        "None open."
        if not facts.open_safety_flags
        else "A questionnaire raised a safety flag: a clinician must review and clear it.",
    )
    values = facts.pre_dose_values
    complete = values is not None and all(values.get(name) is not None for name in PRE_DOSE_VITALS)
    if not complete:
        add(Gate.VITALS, False, "Take blood pressure, heart rate and SpO₂ before dosing.")
    elif facts.needs_weight and facts.weight_kg is None:
        add(Gate.VITALS, False, "Record today's weight: the dose is worked from it.")
    elif facts.open_pre_dose_alerts:
        add(Gate.VITALS, False, "Acknowledge the pre-dose vital-sign alert first.")
    else:
        weight = f", weight {facts.weight_kg} kg" if facts.weight_kg else ""
        add(Gate.VITALS, True, f"Taken at {facts.pre_dose_taken_at_label}{weight}.")
    if values is None:
        add(Gate.BLOOD_PRESSURE, False, "No pre-dose blood pressure yet.")
    else:
        breaches = [b for b in check_pre_dose(values, facts.limits) if b.blocks_dosing]
        add(
            Gate.BLOOD_PRESSURE,
            not breaches,
            f"{values.get('systolic_mmhg')}/{values.get('diastolic_mmhg')} mmHg."
            if not breaches
            else " ".join(b.message for b in breaches)
            + " Re-measure after rest, or a clinician documents an override.",
        )
    return Checklist(results)


# --- Infusion events ------------------------------------------------------------------------
# state -> {event kind -> next state}
INFUSION_TRANSITIONS: dict[str, dict[str, str]] = {
    "not_started": {InfusionEventKind.START: "running"},
    "running": {
        InfusionEventKind.RATE_CHANGE: "running",
        InfusionEventKind.PAUSE: "paused",
        InfusionEventKind.STOP: "ended",
        InfusionEventKind.COMPLETE: "ended",
    },
    "paused": {InfusionEventKind.RESUME: "running", InfusionEventKind.STOP: "ended"},
    "ended": {},
}
# A reason is required for these (a pause, a rate change or a stop is explained in the record).
REASON_REQUIRED = frozenset(
    {InfusionEventKind.RATE_CHANGE, InfusionEventKind.PAUSE, InfusionEventKind.STOP}
)


def infusion_state(kinds: list[str], *, route: str) -> str:
    """The infusion's state after these events. A non-IV dose is given at once: after "start"
    (the dose given) there is nothing left to run."""
    state = "not_started"
    for kind in kinds:
        state = INFUSION_TRANSITIONS[state].get(kind, state)
        if route != "iv" and state == "running":
            state = "ended"
    return state


def allowed_infusion_events(kinds: list[str], *, route: str) -> list[str]:
    state = infusion_state(kinds, route=route)
    return list(INFUSION_TRANSITIONS[state])


# --- Discharge -----------------------------------------------------------------------------
@dataclass(frozen=True)
class DischargeFacts:
    dosed_at: datetime | None
    now: datetime
    minimum_observation_minutes: int
    infusion_state: str
    aldrete_total: int | None
    aldrete_threshold: int
    latest_reading_at: datetime | None
    latest_reading_breaches: list[str] = field(default_factory=list)
    latest_reading_has_blood_pressure: bool = False
    open_alerts: int = 0
    escort_present: bool | None = None
    instructions_given: bool | None = None


def discharge_reasons(facts: DischargeFacts) -> list[str]:
    """Every criterion not met, in words; an empty list means the patient may go."""
    reasons = []
    if facts.dosed_at is None:
        return ["No dose has been given in this session."]
    observed = facts.now - facts.dosed_at
    minimum = timedelta(minutes=facts.minimum_observation_minutes)
    if observed < minimum:
        left = math.ceil((minimum - observed).total_seconds() / 60)
        reasons.append(
            f"Observation time: {facts.minimum_observation_minutes} minutes after dosing are "
            f"required ({left} min to go)."
        )
    if facts.infusion_state in ("running", "paused"):
        reasons.append("The infusion has not been stopped or completed.")
    if facts.aldrete_total is None:
        reasons.append("Score the modified Aldrete items.")
    elif facts.aldrete_total < facts.aldrete_threshold:
        reasons.append(
            f"Modified Aldrete score {facts.aldrete_total} is below {facts.aldrete_threshold}."
        )
    if facts.latest_reading_at is None or facts.latest_reading_at <= facts.dosed_at:
        reasons.append("Take a set of vital signs after dosing, before discharge.")
    else:
        if facts.now - facts.latest_reading_at > DISCHARGE_READING_MAX_AGE:
            reasons.append(
                "The latest vital signs are more than "
                f"{int(DISCHARGE_READING_MAX_AGE.total_seconds() // 60)} minutes old; take them again."
            )
        if not facts.latest_reading_has_blood_pressure:
            reasons.append("The latest vital signs have no blood pressure.")
        reasons.extend(f"Not back within limits: {b}" for b in facts.latest_reading_breaches)
    if facts.open_alerts:
        reasons.append(f"{facts.open_alerts} vital-sign alert(s) not yet acknowledged.")
    if not facts.escort_present:
        reasons.append("No escort is present to take the patient home.")
    if not facts.instructions_given:
        reasons.append("Discharge instructions have not been given.")
    return reasons
