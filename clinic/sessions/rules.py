"""Pure rules of the treatment session: the pre-dose gates' wording, the infusion's state machine
and the discharge criteria. No database; the selectors feed them.

Sources (clinical-reference §7, §9): the APA consensus statement on ketamine for mood disorders
(Sanacora et al., JAMA Psychiatry 2017) asks for a pre-treatment check, blood-pressure monitoring
and discharge only when the patient is back to baseline with an escort; the esketamine label
(Spravato REMS) asks for blood pressure before dosing, at about 40 minutes and before discharge,
and at least two hours of observation; discharge scoring is the modified Aldrete score (Aldrete
1995, `clinic.monitoring.discharge`)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from clinic.sessions.choices import OVERRIDABLE_GATES, Gate, InfusionEventKind

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
# A reason is required for these (issue 6, step 4: "each with time and reason").
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
