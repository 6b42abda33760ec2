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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from clinic.core.choices import Route
from clinic.core.dates import show_date, show_time, show_weekday_date
from clinic.monitoring.discharge import ITEM_LABELS as ALDRETE_LABELS
from clinic.monitoring.discharge import ITEMS as ALDRETE_ITEMS
from clinic.monitoring.discharge import DerivedItem, derived_items
from clinic.monitoring.limits import Limits, check_discharge, check_pre_dose
from clinic.patients.choices import PregnancyPotential
from clinic.sessions.choices import OVERRIDABLE_GATES, Gate, InfusionEventKind, PregnancyTest
from clinic.treatment.rules import (
    ROLLING_WINDOW_DAYS,
    DoseOnRecord,
    DoseSpacing,
    age_refusals,
    dose_spacing,
    spacing_messages,
)

# A reading older than this no longer shows that the vitals are "back within limits" at discharge
# [clinic policy, UNVERIFIED: no source fixes it; the esketamine label asks for a reading "before
# discharge"].
DISCHARGE_READING_MAX_AGE = timedelta(minutes=15)
# Pre-session questionnaires answered this long before the session still count as "done"
# [clinic policy: the reminders send them 24 hours before].
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
    # The patient's recorded pregnancy potential (patients.PregnancyPotential) and, for
    # "cannot be pregnant", why; never the sex recorded for dose calculations.
    pregnancy_potential: str
    pregnancy_potential_reason: str
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
    # The patient's doses in other sessions (any route) and the protocol's floor between doses.
    prior_doses: tuple[PriorDose, ...]
    minimum_days_between_doses: int
    maximum_doses_per_7_days: int
    # The Spravato REMS records, when it binds the session (esketamine at a US location).
    rems: RemsFact | None = None
    # Side effects the patient reported since their last dose (or not yet reviewed), oldest first.
    side_effect_reports: tuple[ReportedSideEffect, ...] = ()
    # The patient's age today and, for a minor, whether a current guardian is recorded.
    age_years: int | None = None
    is_minor: bool = False
    has_guardian: bool = True
    route: str = ""


@dataclass(frozen=True)
class RemsFact:
    """The location's REMS certification and the patient's enrolment ("" when none recorded)."""

    certification_number: str
    patient_rems_id: str
    enrolled_on: date | None


@dataclass(frozen=True)
class ReportedSideEffect:
    """A side effect the patient reported from the portal, as the checklist names it."""

    reported_on_label: str  # in the clinic's zone
    symptoms_label: str
    reviewed: bool


@dataclass(frozen=True)
class PriorDose:
    """A dose of another session of the patient, by any route: given, or confirmed (and perhaps
    verified) in a session still being prepared, which may be given at any moment."""

    at: datetime  # given (or confirmed) at, in the clinic's zone
    given: bool
    route_label: str

    @property
    def label(self) -> str:
        when = f"{show_weekday_date(self.at)} at {show_time(self.at)}"
        if self.given:
            return f"given {when} ({self.route_label.lower()})"
        return (
            f"confirmed {when} in another session not yet given or stopped "
            f"({self.route_label.lower()})"
        )


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
        add(Gate.PLAN, False, f"The plan starts on {show_date(plan.start_date)}.")
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
    # Pregnancy: ketamine is relatively contraindicated in pregnancy (Cohen et al., Reg Anesth
    # Pain Med 2018) and esketamine may cause embryo-fetal harm (Spravato US prescribing
    # information, warnings and use in pregnancy). Who is asked follows pregnancy potential, never
    # the recorded sex (Fricke et al., INAHTA; ASA statement on pregnancy testing, 2016/2021): a
    # patient who could be pregnant, or was not asked, needs a negative test or a documented
    # reason.
    if facts.pregnancy_test == PregnancyTest.POSITIVE:
        add(Gate.PREGNANCY, False, "Positive test: ketamine is not given in pregnancy.")
    elif facts.pregnancy_test == PregnancyTest.NEGATIVE:
        add(Gate.PREGNANCY, True, "Negative test.")
    elif facts.pregnancy_potential == PregnancyPotential.NOT_POSSIBLE:
        add(Gate.PREGNANCY, True, f"Cannot be pregnant: {facts.pregnancy_potential_reason}")
    elif facts.pregnancy_test == PregnancyTest.NOT_APPLICABLE and facts.pregnancy_test_note:
        add(Gate.PREGNANCY, True, f"No test: {facts.pregnancy_test_note}")
    elif facts.pregnancy_potential == PregnancyPotential.POSSIBLE:
        add(
            Gate.PREGNANCY,
            False,
            "Could be pregnant: record a negative test, or why no test is done.",
        )
    else:
        add(
            Gate.PREGNANCY,
            False,
            "Ask whether the patient could be pregnant: record a negative test, or that they "
            "cannot be pregnant and why.",
        )
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
    reports = facts.side_effect_reports
    waiting = [r for r in reports if not r.reviewed]
    listed = "; ".join(
        f"{r.reported_on_label}: {r.symptoms_label}" + ("" if r.reviewed else " (not reviewed)")
        for r in reports
    )
    # Ketamine uropathy's early signs (Anderson et al., Health Psychol Res 2022) and the Ketalar
    # label's advice to consider stopping when urinary pain persists: a clinician reads every
    # report before the next dose.
    add(
        Gate.SIDE_EFFECTS,
        not waiting,
        "None reported."
        if not reports
        else f"Reported by the patient: {listed}."
        + (" A clinician reviews them before dosing." if waiting else " Reviewed."),
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
    _add_interval_gates(facts, add)
    if facts.rems is not None:
        _add_rems_gate(facts.rems, add)
    if facts.age_years is not None:
        # For a minor only (adults see no such line): no esketamine under 18 and a current
        # guardian recorded (clinic.treatment.rules.age_refusals, whose comment gives the source).
        refusals = age_refusals(
            age_years=facts.age_years,
            route=facts.route,
            is_minor=facts.is_minor,
            has_guardian=facts.has_guardian,
        )
        if refusals or facts.is_minor:
            add(
                Gate.MINOR,
                not refusals,
                " ".join(refusals) if refusals else f"Aged {facts.age_years}; guardian recorded.",
            )
    return Checklist(results)


def _add_rems_gate(rems: RemsFact, add) -> None:
    """Spravato is given only in a REMS-certified healthcare setting to a patient enrolled in the
    REMS before the first treatment (Spravato REMS, FDA; the setting's agreement to verify
    enrolment before each dose)."""
    missing = []
    if not rems.certification_number:
        missing.append(
            "this location has no REMS healthcare-setting certification recorded (the medical "
            "director records it on the location's REMS page)"
        )
    if not rems.patient_rems_id:
        missing.append(
            "the patient is not enrolled in the REMS (record the enrolment date and patient "
            "REMS ID on the chart's treatment plan)"
        )
    if missing:
        add(Gate.REMS, False, "Esketamine cannot be given: " + "; ".join(missing) + ".")
        return
    add(
        Gate.REMS,
        True,
        f"Setting certified ({rems.certification_number}); patient enrolled"
        f"{' ' + show_date(rems.enrolled_on) if rems.enrolled_on else ''} ({rems.patient_rems_id}).",
    )


def _add_interval_gates(facts: GateFacts, add) -> None:
    """No second dose the same day, and the protocol's floor between doses (calendar days in the
    clinic's zone; `clinic.treatment.rules.dose_spacing`, whose comment gives the sources)."""
    gap, most = facts.minimum_days_between_doses, facts.maximum_doses_per_7_days
    doses = sorted(facts.prior_doses, key=lambda d: d.at)
    others = [DoseOnRecord(d.at.date(), d.label) for d in doses]
    spacing = dose_spacing(facts.today, others, minimum_days_between=gap, maximum_per_7_days=most)
    if spacing.same_day:
        add(
            Gate.SAME_DAY,
            False,
            "Another dose today: "
            + "; ".join(o.label for o in spacing.same_day)
            + ". A second dose is never given on the same day.",
        )
    else:
        add(Gate.SAME_DAY, True, "No other dose today.")
    # The same day is its own gate (never overridden); this one weighs the days before.
    problems = spacing_messages(
        DoseSpacing([], spacing.too_close, spacing.crowded_window),
        minimum_days_between=gap,
        maximum_per_7_days=most,
    )
    earlier = [d for d in doses if d.at.date() < facts.today]
    if problems:
        last = earlier[-1] if earlier else doses[-1]
        allowed = [last.at.date() + timedelta(days=gap)]
        if spacing.crowded_window:
            _first, inside = spacing.crowded_window
            # The window frees a place when its oldest doses beyond the limit fall out of it.
            allowed.append(inside[len(inside) - most].day + timedelta(days=ROLLING_WINDOW_DAYS))
        add(
            Gate.DOSE_INTERVAL,
            False,
            f"Last dose {last.label}. "
            + " ".join(problems)
            + f" Next dose from {show_weekday_date(max(allowed))}, or a prescriber documents why it "
            "is given sooner.",
        )
    elif earlier:
        last = earlier[-1]
        days = (facts.today - last.at.date()).days
        add(
            Gate.DOSE_INTERVAL,
            True,
            f"Last dose {last.label}, {days} day{'s' if days != 1 else ''} ago.",
        )
    else:
        add(Gate.DOSE_INTERVAL, True, "No earlier dose on record.")


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
        if route != Route.IV and state == "running":
            state = "ended"
    return state


def allowed_infusion_events(kinds: list[str], *, route: str) -> list[str]:
    state = infusion_state(kinds, route=route)
    return list(INFUSION_TRANSITIONS[state])


# --- The dose actually given ----------------------------------------------------------------
# Arithmetic only (no source needed, shown so it checks by hand): mg given = Σ rate (mg/h) ×
# running time (h), the running time being from the start, a resume or a rate change to the next
# pause, rate change, stop or completion. Minutes are rounded to 0.1 min and each spell's mg is
# worked from the minutes as shown (to 0.01 mg); the total is rounded to 0.1 mg, half up, like
# the dose itself (clinic.treatment.dosing). No more can run than was drawn up.
TENTH = Decimal("0.1")
HUNDREDTH = Decimal("0.01")
MINUTES_PER_HOUR = Decimal("60")


@dataclass(frozen=True)
class InfusionEntry:
    """One recorded infusion event as the arithmetic sees it."""

    kind: str
    at: datetime
    rate_mg_per_hour: Decimal | None = None


@dataclass(frozen=True)
class RunningSpell:
    """A stretch of time the pump ran at one rate."""

    rate_mg_per_hour: Decimal
    minutes: Decimal
    mg: Decimal

    @property
    def working(self) -> str:
        return f"{_plain(self.rate_mg_per_hour)} mg/h × {self.minutes} min = {self.mg} mg"


@dataclass(frozen=True)
class InfusedDose:
    dose_drawn_mg: Decimal
    spells: tuple[RunningSpell, ...]
    paused_minutes: Decimal
    # Rate × time, before the cap at the dose drawn.
    infused_mg: Decimal
    ended: bool

    @property
    def running_minutes(self) -> Decimal:
        return sum((s.minutes for s in self.spells), Decimal("0"))

    @property
    def mg(self) -> Decimal:
        """What ran: rate × time, never more than the dose drawn."""
        return min(self.infused_mg, self.dose_drawn_mg)

    @property
    def capped(self) -> bool:
        return self.infused_mg > self.dose_drawn_mg

    @property
    def working(self) -> str:
        if not self.spells:
            return f"Not started: 0 mg of {self.dose_drawn_mg} mg."
        said = " + ".join(s.working for s in self.spells)
        if len(self.spells) > 1:
            said += f" = {self.infused_mg} mg"
        said += f" over {self.running_minutes} min running"
        if self.paused_minutes:
            said += f" (paused {self.paused_minutes} min)"
        if self.capped:
            said += f"; at most the {self.dose_drawn_mg} mg drawn up, so {self.mg} mg"
        return said + "."


def _plain(value: Decimal) -> str:
    return format(Decimal(value).normalize(), "f")


def _minutes(start: datetime, end: datetime) -> Decimal:
    seconds = max(Decimal("0"), Decimal(str((end - start).total_seconds())))
    return (seconds / MINUTES_PER_HOUR).quantize(TENTH, ROUND_HALF_UP)


def infused_dose(
    entries: list[InfusionEntry], *, dose_drawn_mg: Decimal, until: datetime
) -> InfusedDose:
    """What an IV infusion has delivered by `until` (or by its stop or completion), worked from its
    events in time order. Raises `ValueError` when the pump ran with no rate recorded."""
    drawn = Decimal(str(dose_drawn_mg))
    spells: list[RunningSpell] = []
    paused = Decimal("0")
    rate: Decimal | None = None
    running_since: datetime | None = None
    paused_since: datetime | None = None
    ended = False

    def close(end: datetime) -> None:
        if running_since is None:
            return
        if rate is None:
            raise ValueError(
                "The infusion ran with no rate recorded: the dose given cannot be worked out."
            )
        minutes = _minutes(running_since, end)
        mg = (rate * minutes / MINUTES_PER_HOUR).quantize(HUNDREDTH, ROUND_HALF_UP)
        spells.append(RunningSpell(rate, minutes, mg))

    for entry in entries:
        if ended:
            break
        new_rate = (
            Decimal(str(entry.rate_mg_per_hour)) if entry.rate_mg_per_hour is not None else None
        )
        if entry.kind == InfusionEventKind.START:
            rate, running_since = new_rate, entry.at
        elif entry.kind == InfusionEventKind.RATE_CHANGE:
            close(entry.at)
            rate = new_rate if new_rate is not None else rate
            running_since = entry.at if running_since is not None else None
        elif entry.kind == InfusionEventKind.PAUSE:
            close(entry.at)
            running_since, paused_since = None, entry.at
        elif entry.kind == InfusionEventKind.RESUME:
            if paused_since is not None:
                paused += _minutes(paused_since, entry.at)
            running_since, paused_since = entry.at, None
        elif entry.kind in (InfusionEventKind.STOP, InfusionEventKind.COMPLETE):
            close(entry.at)
            if paused_since is not None:
                paused += _minutes(paused_since, entry.at)
            running_since = paused_since = None
            ended = True
    if not ended:
        close(until)
        if paused_since is not None:
            paused += _minutes(paused_since, until)
    infused = sum((s.mg for s in spells), Decimal("0")).quantize(TENTH, ROUND_HALF_UP)
    return InfusedDose(drawn, tuple(spells), paused, infused, ended)


def completion_refusal(
    dose: InfusedDose, *, planned_minutes: int | None, tolerance_minutes: int
) -> str:
    """Why "Completed: full dose given" cannot be recorded yet ("" when it can). It can once rate ×
    time has delivered the dose drawn less what the protocol's tolerance would run at the planned
    rate (dose ÷ planned minutes): 35 mg over 40 min with 5 min tolerance, from 30.6 mg. Without
    planned minutes the first rate stands for the planned one."""
    drawn = dose.dose_drawn_mg
    if planned_minutes:
        reference_rate = drawn * MINUTES_PER_HOUR / Decimal(planned_minutes)
    elif dose.spells:
        reference_rate = dose.spells[0].rate_mg_per_hour
    else:
        reference_rate = Decimal("0")
    allowance = reference_rate * Decimal(tolerance_minutes) / MINUTES_PER_HOUR
    required = max(Decimal("0"), drawn - allowance).quantize(TENTH, ROUND_HALF_UP)
    if dose.spells and dose.infused_mg >= required:
        return ""
    plan = f" of the plan's {planned_minutes} min" if planned_minutes else ""
    return (
        f"Not complete: at the rates recorded {dose.infused_mg} mg of the {drawn} mg drawn has "
        f"run ({dose.running_minutes} min{plan}; “Completed” is accepted from {required} mg, "
        f"the protocol allowing {tolerance_minutes} min early). If the infusion ended early, "
        "record “Stopped” with the reason: the dose given is worked out from the rates and "
        "times."
    )


@dataclass(frozen=True)
class DoseGiven:
    """The dose actually given, in mg, with its working (the controlled-substance record's
    amount administered)."""

    mg: Decimal
    working: str


def dose_given_at_once(*, dose_mg: Decimal, route_label: str, device_mg=None) -> DoseGiven:
    """IM, intranasal and oral doses are given at once: the dose given is the dose verified (for
    a device product, a whole number of devices)."""
    dose = Decimal(str(dose_mg))
    if device_mg:
        device = Decimal(str(device_mg))
        devices = dose / device
        if devices == devices.to_integral_value():
            count = int(devices)
            return DoseGiven(
                dose,
                f"{count} device{'s' if count != 1 else ''} × {_plain(device)} mg = {dose} mg, "
                f"given at once ({route_label.lower()}).",
            )
    return DoseGiven(dose, f"{dose} mg verified and given at once ({route_label.lower()}).")


def dose_given_by_infusion(dose: InfusedDose, *, kind: str) -> DoseGiven:
    """An IV infusion's dose given when it ends: completed, the whole dose drawn (the bag has run
    through); stopped, rate × time (at most the dose drawn)."""
    if kind == InfusionEventKind.COMPLETE:
        return DoseGiven(
            dose.dose_drawn_mg,
            f"Completed: the whole {dose.dose_drawn_mg} mg drawn up. At the rates recorded: "
            f"{dose.working}",
        )
    return DoseGiven(dose.mg, f"Stopped early: {dose.working}")


# --- Discharge -----------------------------------------------------------------------------
# Sources: the esketamine label (Spravato US prescribing information §2; REMS) — observe at
# least 2 hours after the dose, blood pressure at about 40 minutes and before discharge; the APA
# consensus (Sanacora et al., JAMA Psychiatry 2017) — discharge when back to baseline, with an
# escort; the modified Aldrete score (Aldrete JA, J Clin Anesth 1995;7:89–91) ≥ the protocol's
# threshold. An IV infusion's observation counts from its end (the STOP or COMPLETE event): the
# drug is still going in until then [clinic policy, UNVERIFIED: the APA consensus monitors
# "until the patient is back to baseline" and names no clock; the recovery time it asks for
# follows the infusion].
@dataclass(frozen=True)
class BloodPressureCheck:
    """A blood pressure the protocol requires at `minutes` after dosing (± `window_minutes`)."""

    minutes: int
    window_minutes: int
    taken: bool


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
    # An IV infusion's observation counts from its end (`observation_from`: the STOP or COMPLETE
    # event, None while it runs); other routes' from the dose.
    counts_from_infusion_end: bool = False
    observation_from: datetime | None = None
    blood_pressure_check: BloodPressureCheck | None = None
    # Aldrete entries the record contradicts, without a written reason (`aldrete_contradictions`).
    aldrete_contradictions: tuple[str, ...] = ()


def discharge_reasons(facts: DischargeFacts) -> list[str]:
    """Every criterion not met, in words; an empty list means the patient may go."""
    reasons = []
    if facts.dosed_at is None:
        return ["No dose has been given in this session."]
    minimum = timedelta(minutes=facts.minimum_observation_minutes)
    ended = facts.infusion_state not in ("running", "paused")
    start = facts.observation_from if facts.counts_from_infusion_end else facts.dosed_at
    after = "the end of the infusion" if facts.counts_from_infusion_end else "dosing"
    if facts.counts_from_infusion_end and (start is None or not ended):
        reasons.append(
            f"Observation time: {facts.minimum_observation_minutes} minutes after {after} are "
            "required (the infusion has not ended)."
        )
    elif start is not None and facts.now - start < minimum:
        left = math.ceil((minimum - (facts.now - start)).total_seconds() / 60)
        reasons.append(
            f"Observation time: {facts.minimum_observation_minutes} minutes after {after} are "
            f"required ({left} min to go)."
        )
    if not ended:
        reasons.append("The infusion has not been stopped or completed.")
    if facts.aldrete_total is None:
        reasons.append("Score the modified Aldrete items.")
    elif facts.aldrete_total < facts.aldrete_threshold:
        reasons.append(
            f"Modified Aldrete score {facts.aldrete_total} is below {facts.aldrete_threshold}."
        )
    reasons.extend(facts.aldrete_contradictions)
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
    check = facts.blood_pressure_check
    if check is not None and not check.taken:
        reasons.append(
            f"No blood pressure at about {check.minutes} minutes after dosing (between "
            f"{check.minutes - check.window_minutes} and {check.minutes + check.window_minutes} "
            "minutes): the protocol asks for one there and one before discharge."
        )
    if facts.open_alerts:
        reasons.append(f"{facts.open_alerts} vital-sign alert(s) not yet acknowledged.")
    if not facts.escort_present:
        reasons.append("No escort is present to take the patient home.")
    if not facts.instructions_given:
        reasons.append("The after-care sheet has not been handed over.")
    return reasons


# --- Discharge from the record over time --------------------------------------------------
@dataclass(frozen=True)
class ReadingFact:
    """A reading after the dose as discharge sees it: when, its values (the vital-sign fields,
    consciousness and on_supplemental_oxygen) and its time as the page shows it."""

    taken_at: datetime
    values: Mapping[str, Any]
    time_label: str = ""


@dataclass(frozen=True)
class AlertSpan:
    """An alert, open from `opened_at` until `closed_at` (None: still open)."""

    opened_at: datetime
    closed_at: datetime | None


@dataclass(frozen=True)
class DischargeTimeline:
    """What the record holds that discharge judges, read once (`selectors.discharge_timeline`);
    `facts_at` turns it into the facts at any moment, so that the moment the data first met every
    criterion is computed rather than taken from the first passing click."""

    route: str
    dosed_at: datetime | None
    infusion_state: str  # now
    infusion_ended_at: datetime | None  # the STOP or COMPLETE event (IV)
    minimum_observation_minutes: int
    aldrete_threshold: int
    limits: Limits
    baseline: Mapping[str, Any] | None  # the pre-dose values (blood pressure)
    readings: tuple[ReadingFact, ...]  # after the dose, oldest first
    alerts: tuple[AlertSpan, ...] = ()
    blood_pressure_check_minutes: int | None = None
    blood_pressure_check_window_minutes: int = 10

    @property
    def counts_from_infusion_end(self) -> bool:
        return self.route == Route.IV


def derived_aldrete_at(timeline: DischargeTimeline, at: datetime) -> dict[str, DerivedItem]:
    """The Aldrete items the record answers at `at` (`derived_aldrete`)."""
    return derived_aldrete(timeline.readings, timeline.baseline, at)


def derived_aldrete(
    readings: Sequence[ReadingFact], baseline: Mapping[str, Any] | None, at: datetime
) -> dict[str, DerivedItem]:
    """The Aldrete items the record answers at `at`, each from the latest reading after the dose
    that holds its parameter (SpO₂ with the oxygen recorded beside it, systolic pressure against
    the pre-dose one, ACVPU), the reading's time named in the basis."""
    latest: dict[str, ReadingFact] = {}
    for reading in readings:
        if reading.taken_at > at:
            break
        for name in ("spo2_pct", "systolic_mmhg", "consciousness"):
            if reading.values.get(name) not in (None, ""):
                latest[name] = reading
    items: dict[str, DerivedItem] = {}
    pre_dose = (baseline or {}).get("systolic_mmhg")
    for name, item in (
        ("spo2_pct", "oxygen_saturation"),
        ("systolic_mmhg", "circulation"),
        ("consciousness", "consciousness"),
    ):
        latest_reading = latest.get(name)
        if latest_reading is None:
            continue
        found = derived_items(latest_reading.values, pre_dose_systolic_mmhg=pre_dose).get(item)
        if found is not None:
            at_label = f" at {latest_reading.time_label}" if latest_reading.time_label else ""
            items[item] = DerivedItem(found.score, found.basis + at_label)
    return items


def aldrete_contradictions(
    derived: Mapping[str, DerivedItem],
    entered: Mapping[str, int],
    reasons: Mapping[str, str] | None = None,
) -> list[str]:
    """Each entry that differs from what the record scores, unless the nurse wrote why (say, SpO₂
    re-measured at the bedside, or the reading was taken while the patient was asleep)."""
    reasons = reasons or {}
    found = []
    for item, data in derived.items():
        value = entered.get(item)
        if value is None or value == data.score or (reasons.get(item) or "").strip():
            continue
        found.append(
            f"{ALDRETE_LABELS[item]}: scored {value}, but the record gives {data.score} "
            f"({data.basis}). Score it from the record, or write why it differs."
        )
    return found


def _blood_pressure_check(timeline: DischargeTimeline, at: datetime) -> BloodPressureCheck | None:
    minutes = timeline.blood_pressure_check_minutes
    if minutes is None or timeline.dosed_at is None:
        return None
    window = timeline.blood_pressure_check_window_minutes
    low = timeline.dosed_at + timedelta(minutes=minutes - window)
    high = timeline.dosed_at + timedelta(minutes=minutes + window)
    taken = any(
        low <= r.taken_at <= high and r.taken_at <= at and r.values.get("systolic_mmhg")
        for r in timeline.readings
    )
    return BloodPressureCheck(minutes, window, taken)


def facts_at(
    timeline: DischargeTimeline,
    at: datetime,
    *,
    aldrete_total: int | None,
    escort_present: bool | None = True,
    instructions_given: bool | None = True,
    contradictions: tuple[str, ...] = (),
) -> DischargeFacts:
    """The discharge facts as the record stood at `at`."""
    ended_at = timeline.infusion_ended_at
    if not timeline.counts_from_infusion_end:
        state, observation_from = "ended", timeline.dosed_at
    elif ended_at is not None and ended_at <= at:
        state, observation_from = "ended", ended_at
    else:
        # Running then (or paused, if that is how it stands now).
        paused = timeline.infusion_state == "paused" and ended_at is None
        state, observation_from = ("paused" if paused else "running"), None
    shown = [r for r in timeline.readings if r.taken_at <= at]
    latest = shown[-1] if shown else None
    breaches = (
        [
            b.message
            for b in check_discharge(latest.values, timeline.limits, baseline=timeline.baseline)
        ]
        if latest is not None
        else []
    )
    return DischargeFacts(
        dosed_at=timeline.dosed_at,
        now=at,
        minimum_observation_minutes=timeline.minimum_observation_minutes,
        infusion_state=state,
        aldrete_total=aldrete_total,
        aldrete_threshold=timeline.aldrete_threshold,
        latest_reading_at=latest.taken_at if latest else None,
        latest_reading_breaches=breaches,
        latest_reading_has_blood_pressure=bool(latest and latest.values.get("systolic_mmhg")),
        open_alerts=sum(
            1
            for a in timeline.alerts
            if a.opened_at <= at and (a.closed_at is None or a.closed_at > at)
        ),
        escort_present=escort_present,
        instructions_given=instructions_given,
        counts_from_infusion_end=timeline.counts_from_infusion_end,
        observation_from=observation_from,
        blood_pressure_check=_blood_pressure_check(timeline, at),
        aldrete_contradictions=contradictions,
    )


def aldrete_total_at(
    timeline: DischargeTimeline, at: datetime, observed: Mapping[str, int]
) -> int | None:
    """The Aldrete total the record gives at `at`: the items the data answer from the data, the
    others (activity, respiration; consciousness after new confusion) as the nurse observed them."""
    derived = derived_aldrete_at(timeline, at)
    scores = {
        item: derived[item].score if item in derived else observed.get(item)
        for item in ALDRETE_ITEMS
    }
    if any(value is None for value in scores.values()):
        return None
    return sum(value for value in scores.values() if value is not None)


def first_ready_at(
    timeline: DischargeTimeline, now: datetime, observed: Mapping[str, int]
) -> datetime | None:
    """The first moment, up to `now`, at which the recorded data met every criterion (the
    escort and the after-care sheet are the nurse's acts at discharge, not data). The facts change
    only when something is recorded or time passes a threshold, so the candidates are those
    moments: each reading, each acknowledgement, the infusion's end and the end of the
    observation time. The REMS Patient Monitoring Form asks for this time."""
    if timeline.dosed_at is None:
        return None
    minimum = timedelta(minutes=timeline.minimum_observation_minutes)
    start = timeline.infusion_ended_at if timeline.counts_from_infusion_end else timeline.dosed_at
    candidates = {r.taken_at for r in timeline.readings}
    candidates.update(a.closed_at for a in timeline.alerts if a.closed_at is not None)
    if start is not None:
        candidates.update({start, start + minimum})
    for moment in sorted(c for c in candidates if timeline.dosed_at < c <= now):
        facts = facts_at(
            timeline, moment, aldrete_total=aldrete_total_at(timeline, moment, observed)
        )
        if not discharge_reasons(facts):
            return moment
    return None


# --- The esketamine REMS Patient Monitoring Form -------------------------------------------
# Outpatient settings submit a Patient Monitoring Form to the Spravato REMS after every session,
# within 7 days (Spravato REMS, FDA; the REMS's Patient Monitoring Form and its instructions), read
# as calendar days from the treatment date [SECONDARY: a vendor's guide reads them so].
REMS_FORM_DAYS = 7
# The least monitoring the REMS requires after the first device (Spravato US prescribing
# information §2.2 and the REMS: at least 2 hours).
REMS_MINIMUM_MONITORING_MINUTES = 120


@dataclass(frozen=True)
class RemsFormStanding:
    due_on: date
    submitted: bool
    overdue: bool
    days_left: int  # negative once overdue

    @property
    def label(self) -> str:
        if self.submitted:
            return "Submitted"
        if self.overdue:
            return f"Overdue by {-self.days_left} day{'s' if self.days_left != -1 else ''}"
        if self.days_left == 0:
            return "Due today"
        return f"Due in {self.days_left} day{'s' if self.days_left != 1 else ''}"


def rems_form_standing(*, treated_on: date, today: date, submitted: bool) -> RemsFormStanding:
    """When a session's Patient Monitoring Form is due and whether it is late."""
    due_on = treated_on + timedelta(days=REMS_FORM_DAYS)
    days_left = (due_on - today).days
    return RemsFormStanding(due_on, submitted, not submitted and days_left < 0, days_left)
