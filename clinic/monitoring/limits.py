"""Vital-sign limits of a ketamine session and the monitoring schedule: pure rules over protocol
data (the medical director's `MonitoringProtocol`, one per route, edited in the admin).

Every rule, its default and its source (a default no source fixes is UNVERIFIED clinic policy,
a protocol field the medical director edits):

| rule | default | source |
| --- | --- | --- |
| pre-dose BP above the limit blocks dosing | > 140/90 | Spravato (esketamine) US prescribing information, Janssen 2019 (its example of an elevated baseline); UNVERIFIED as a hard limit |
| systolic / diastolic above | > 180 / > 100 | UNVERIFIED clinic policy (not in the APA consensus statement, Sanacora et al., JAMA Psychiatry 2017;74(4):399–405) |
| systolic below (hypotension) | < 90 | UNVERIFIED clinic policy beside NEWS2, where ≤ 90 scores 3 (RCP NEWS2 2017, Chart 1); hypotension is a listed adverse reaction of ketamine (Ketalar (ketamine) US prescribing information, Par Pharmaceutical) |
| systolic fall from the pre-dose baseline | > 20 % | UNVERIFIED clinic policy; the modified Aldrete score takes a pressure beyond ±20 % of the pre-anaesthetic value out of its top band (Aldrete, J Clin Anesth 1995;7:89–91) |
| systolic, diastolic or heart-rate rise from the baseline | > 30 % | UNVERIFIED clinic policy; blood pressure peaks 30–40 minutes into an infusion (Riva-Posse et al., J Affect Disord 2018;236:291–297) |
| heart rate below / above | < 50 / > 110 | UNVERIFIED clinic policy; NEWS2 scores ≤ 50 and ≥ 91 (RCP NEWS2 2017, Chart 1); bradycardia and arrhythmia are listed reactions (Ketalar US prescribing information) |
| respiratory rate below / above | < 10 / > 24 | RCP NEWS2 2017, Chart 1: ≥ 25 scores 3, ≤ 11 scores 1, ≤ 8 scores 3 (the limits are UNVERIFIED policy within those bands) |
| SpO₂ below | < 92 % | RCP NEWS2 2017, Chart 1: ≤ 91 % scores 3 on scale 1 |
| consciousness below Alert (ACVPU) | C, V, P or U | RCP NEWS2 2017, Chart 1: new confusion, voice, pain or unresponsive score 3 |
| any single NEWS2 parameter scoring 3 (e.g. temperature ≤ 35.0 °C) | — | RCP NEWS2 2017, Charts 3 and 4: a red flag for an urgent review, even when the aggregate cannot be worked out |

Stop level (the alert needs a prescriber's acknowledgement and the supervising clinician is told
at once): BP ≥ 180 systolic or ≥ 100 diastolic, SpO₂ below 90 %, consciousness at "responds to
pain" or deeper. UNVERIFIED clinic policy: no primary source gives numeric "stop the ketamine"
limits; the 2017 ACC/AHA hypertension guideline calls a pressure above 180/120 a hypertensive
crisis, an emergency only with new target-organ damage (Whelton et al., Hypertension
2018;71:e13–e115), and SpO₂ below 90 % even
with oxygen scores 0 on the modified Aldrete (Aldrete 1995).

Comparisons are as each row says ("above 180" means 181 breaches, 180 does not; "at or above 180"
means 180 is a stop), stated because the sources that quote these numbers do not say on which side
the limit itself falls.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from clinic.monitoring.news2 import PARAMETER_LABELS as NEWS2_LABELS
from clinic.monitoring.news2 import news2_partial
from clinic.patients.choices import Consciousness

POLICY = "clinic policy (UNVERIFIED)"
NEWS2 = "RCP NEWS2 2017"
# ACVPU from most to least responsive (RCP NEWS2 2017).
ACVPU = ("alert", "new_confusion", "voice", "pain", "unresponsive")
ACVPU_LABELS = {
    "alert": "Alert",
    "new_confusion": "new confusion",
    "voice": "responds to voice",
    "pain": "responds to pain",
    "unresponsive": "unresponsive",
}
# The vital-signs field behind each NEWS2 parameter.
NEWS2_FIELDS = {
    "respiratory_rate": "respiratory_rate_per_min",
    "spo2": "spo2_pct",
    "systolic_bp": "systolic_mmhg",
    "pulse": "heart_rate_bpm",
    "consciousness": "consciousness",
    "temperature": "temperature_c",
}


@dataclass(frozen=True)
class Limits:
    pre_dose_systolic_max: int = 140
    pre_dose_diastolic_max: int = 90
    systolic_max: int = 180
    diastolic_max: int = 100
    heart_rate_max: int = 110
    heart_rate_min: int = 50
    spo2_min: int = 92
    respiratory_rate_min: int = 10
    # A rise from the patient's own baseline worth an alert even below the absolute limits.
    baseline_rise_percent: int = 30
    # Before discharge: "stable at a safe level" (Spravato US prescribing information) as numbers
    # [UNVERIFIED: clinic policy, no source gives them; the medical director sets them]. The
    # modified Aldrete circulation item separately asks for the pre-dose pressure ±20 %.
    discharge_systolic_max: int = 160
    discharge_diastolic_max: int = 100
    discharge_heart_rate_max: int = 100
    systolic_min_mmhg: int = 90
    baseline_fall_percent: int = 20
    respiratory_rate_max_per_min: int = 24
    stop_systolic_mmhg: int = 180
    stop_diastolic_mmhg: int = 100
    stop_spo2_below_pct: int = 90
    # This ACVPU level or a less responsive one is a stop.
    stop_consciousness: str = "pain"
    alert_escalation_minutes: int = 5


@dataclass(frozen=True)
class Breach:
    parameter: str
    value: Decimal | str
    limit: str
    message: str
    blocks_dosing: bool = False
    # A stop-level breach: a prescriber acknowledges the alert.
    stop: bool = False
    source: str = ""


def _value(values: Mapping, name: str) -> Decimal | None:
    value = values.get(name)
    return None if value is None or value == "" else Decimal(str(value))


def check_pre_dose(values: Mapping, limits: Limits) -> list[Breach]:
    """Before dosing: a blood pressure above the pre-dose limit blocks dosing until it is
    re-measured or a clinician documents an override; every limit of the session applies too."""
    breaches = []
    systolic, diastolic = _value(values, "systolic_mmhg"), _value(values, "diastolic_mmhg")
    source = "Spravato US prescribing information (example of an elevated baseline); " + POLICY
    if systolic is not None and systolic > limits.pre_dose_systolic_max:
        breaches.append(
            Breach(
                "systolic_mmhg",
                systolic,
                f"> {limits.pre_dose_systolic_max}",
                f"Systolic {systolic} mmHg is above the pre-dose limit of {limits.pre_dose_systolic_max}.",
                True,
                source=source,
            )
        )
    if diastolic is not None and diastolic > limits.pre_dose_diastolic_max:
        breaches.append(
            Breach(
                "diastolic_mmhg",
                diastolic,
                f"> {limits.pre_dose_diastolic_max}",
                f"Diastolic {diastolic} mmHg is above the pre-dose limit of {limits.pre_dose_diastolic_max}.",
                True,
                source=source,
            )
        )
    during = check_during(values, limits, baseline=None)
    # The stricter pre-dose limit already names a high pressure; a stop-level one still counts.
    named = {b.parameter for b in breaches}
    return breaches + [b for b in during if b.stop or b.parameter not in named]


def _stop_breaches(values: Mapping, limits: Limits) -> list[Breach]:
    breaches = []
    systolic, diastolic = _value(values, "systolic_mmhg"), _value(values, "diastolic_mmhg")
    if systolic is not None and systolic >= limits.stop_systolic_mmhg:
        breaches.append(
            Breach(
                "systolic_mmhg",
                systolic,
                f"≥ {limits.stop_systolic_mmhg}",
                f"Systolic {systolic} mmHg is at or above the stop level of {limits.stop_systolic_mmhg}.",
                stop=True,
                source=POLICY,
            )
        )
    if diastolic is not None and diastolic >= limits.stop_diastolic_mmhg:
        breaches.append(
            Breach(
                "diastolic_mmhg",
                diastolic,
                f"≥ {limits.stop_diastolic_mmhg}",
                f"Diastolic {diastolic} mmHg is at or above the stop level of {limits.stop_diastolic_mmhg}.",
                stop=True,
                source=POLICY,
            )
        )
    spo2 = _value(values, "spo2_pct")
    if spo2 is not None and spo2 < limits.stop_spo2_below_pct:
        breaches.append(
            Breach(
                "spo2_pct",
                spo2,
                f"< {limits.stop_spo2_below_pct}",
                f"SpO₂ {spo2} % is below the stop level of {limits.stop_spo2_below_pct}.",
                stop=True,
                source=f"{POLICY}; modified Aldrete 1995 scores below 90 % 0",
            )
        )
    level = values.get("consciousness") or ""
    if level in ACVPU and ACVPU.index(level) >= ACVPU.index(limits.stop_consciousness):
        breaches.append(
            Breach(
                "consciousness",
                ACVPU_LABELS[level],
                f"{ACVPU_LABELS[limits.stop_consciousness]} or less",
                f"Consciousness: {ACVPU_LABELS[level]} (stop level: "
                f"{ACVPU_LABELS[limits.stop_consciousness]} or less).",
                stop=True,
                source=f"{POLICY}; {NEWS2} scores any level below Alert 3",
            )
        )
    return breaches


def check_during(values: Mapping, limits: Limits, *, baseline: Mapping | None) -> list[Breach]:
    """During monitoring: stop levels, absolute limits, changes from the patient's own pre-dose
    baseline, then any NEWS2 parameter scoring 3 not already named (one breach per parameter
    and direction, the most serious first)."""
    breaches = _stop_breaches(values, limits)
    rules = [
        ("systolic_mmhg", "gt", limits.systolic_max, "Systolic {v} mmHg is above {l}.", POLICY),
        (
            "systolic_mmhg",
            "lt",
            limits.systolic_min_mmhg,
            "Systolic {v} mmHg is below {l} (low blood pressure).",
            f"{POLICY}; {NEWS2} scores ≤ 90 3",
        ),
        ("diastolic_mmhg", "gt", limits.diastolic_max, "Diastolic {v} mmHg is above {l}.", POLICY),
        (
            "heart_rate_bpm",
            "gt",
            limits.heart_rate_max,
            "Heart rate {v} /min is above {l}.",
            POLICY,
        ),
        (
            "heart_rate_bpm",
            "lt",
            limits.heart_rate_min,
            "Heart rate {v} /min is below {l}.",
            f"{POLICY}; {NEWS2} scores ≤ 50",
        ),
        (
            "spo2_pct",
            "lt",
            limits.spo2_min,
            "SpO₂ {v} % is below {l}.",
            f"{NEWS2} (≤ 91 % scores 3)",
        ),
        (
            "respiratory_rate_per_min",
            "lt",
            limits.respiratory_rate_min,
            "Respiratory rate {v} /min is below {l} (slow breathing).",
            f"{NEWS2} (≤ 11 scores 1, ≤ 8 scores 3)",
        ),
        (
            "respiratory_rate_per_min",
            "gt",
            limits.respiratory_rate_max_per_min,
            "Respiratory rate {v} /min is above {l} (fast breathing).",
            f"{NEWS2} (≥ 25 scores 3)",
        ),
    ]
    named = {b.parameter for b in breaches}
    for name, operator, limit, message, source in rules:
        value = _value(values, name)
        if value is None or name in named:
            continue
        if (operator == "gt" and value > limit) or (operator == "lt" and value < limit):
            breaches.append(
                Breach(
                    name,
                    value,
                    f"{'>' if operator == 'gt' else '<'} {limit}",
                    message.format(v=value, l=limit),
                    source=source,
                )
            )
    level = values.get("consciousness") or ""
    if level in ACVPU and level != Consciousness.ALERT and "consciousness" not in named:
        breaches.append(
            Breach(
                "consciousness",
                ACVPU_LABELS[level],
                "below Alert",
                f"Consciousness below Alert: {ACVPU_LABELS[level]}.",
                source=f"{NEWS2} (ACVPU: any level below Alert scores 3)",
            )
        )
    if baseline:
        breaches += _baseline_changes(values, limits, baseline, breaches)
    breaches += _news2_red_flags(values, breaches)
    return breaches


BASELINE_NAMES = {
    "systolic_mmhg": "Systolic",
    "diastolic_mmhg": "Diastolic",
    "heart_rate_bpm": "Heart rate",
}


def _baseline_changes(values, limits, baseline, already) -> list[Breach]:
    """A rise (systolic, diastolic, heart rate) or a systolic fall from the pre-dose values,
    for a parameter no other rule has named."""
    named = {b.parameter for b in already}
    breaches = []
    for name, label in BASELINE_NAMES.items():
        value, before = _value(values, name), _value(baseline, name)
        if value is None or not before or name in named:
            continue
        change = (value - before) / before * 100
        if change > limits.baseline_rise_percent:
            breaches.append(
                Breach(
                    name,
                    value,
                    f"+{limits.baseline_rise_percent} % of baseline",
                    f"{label} {value} rose {change:.0f} % from the pre-dose {before} "
                    f"(limit +{limits.baseline_rise_percent} %).",
                    source=POLICY,
                )
            )
        elif name == "systolic_mmhg" and -change > limits.baseline_fall_percent:
            breaches.append(
                Breach(
                    name,
                    value,
                    f"−{limits.baseline_fall_percent} % of baseline",
                    f"Systolic {value} fell {-change:.0f} % from the pre-dose {before} "
                    f"(limit −{limits.baseline_fall_percent} %).",
                    source=f"{POLICY}; modified Aldrete 1995 (±20 % of the pre-anaesthetic value)",
                )
            )
    return breaches


def news2_of_values(values: Mapping):
    """The NEWS2 of a reading's values, partial when a parameter is missing (None when a value
    is outside what NEWS2 can score, which the vital-signs table refuses anyway)."""
    try:
        return news2_partial(
            respiratory_rate=values.get("respiratory_rate_per_min"),
            spo2=values.get("spo2_pct"),
            on_oxygen=bool(values.get("on_supplemental_oxygen")),
            systolic_bp=values.get("systolic_mmhg"),
            pulse=values.get("heart_rate_bpm"),
            consciousness=values.get("consciousness") or None,
            temperature_c=values.get("temperature_c"),
        )
    except ValueError:
        return None


def _news2_red_flags(values: Mapping, already: list[Breach]) -> list[Breach]:
    """NEWS2's single-parameter red flag for a parameter the protocol's limits let through (a
    temperature of 35.0 °C or below, or a limit the medical director set wider than NEWS2)."""
    result = news2_of_values(values)
    if result is None:
        return []
    named = {b.parameter for b in already}
    breaches = []
    for parameter in result.red_flags:
        name = NEWS2_FIELDS.get(parameter)
        if name is None or name in named:
            continue
        value = values.get(name)
        breaches.append(
            Breach(
                name,
                Decimal(str(value)) if name != "consciousness" else ACVPU_LABELS[str(value)],
                "NEWS2 3",
                f"NEWS2 red flag: {NEWS2_LABELS[parameter]} {value} scores 3 (urgent review).",
                source=f"{NEWS2}, a score of 3 in any single parameter",
            )
        )
    return breaches


def check_discharge(values: Mapping, limits: Limits, *, baseline: Mapping | None) -> list[Breach]:
    """Before discharge: the limits during the session, and the protocol's discharge limits."""
    breaches = check_during(values, limits, baseline=baseline)
    rules = [
        ("systolic_mmhg", limits.discharge_systolic_max, "Systolic {v} mmHg"),
        ("diastolic_mmhg", limits.discharge_diastolic_max, "Diastolic {v} mmHg"),
        ("heart_rate_bpm", limits.discharge_heart_rate_max, "Heart rate {v} /min"),
    ]
    for name, limit, text in rules:
        value = _value(values, name)
        if value is None or value <= limit or any(b.parameter == name for b in breaches):
            continue
        breaches.append(
            Breach(
                name,
                value,
                f"> {limit}",
                f"{text.format(v=value)} is above the discharge limit of {limit}.",
            )
        )
    return breaches


@dataclass(frozen=True)
class ScheduleStatus:
    next_due_at: datetime | None
    overdue: list[datetime]


def reading_schedule_status(
    *,
    schedule_minutes: list[int],
    dosed_at: datetime,
    taken_at: list[datetime],
    now: datetime,
    grace_minutes: int = 5,
) -> ScheduleStatus:
    """Which scheduled reading is due next and which are overdue. A scheduled reading counts as
    done when a reading was taken within `grace_minutes` of it (either side)."""
    grace = timedelta(minutes=grace_minutes)
    overdue, next_due = [], None
    for minutes in sorted(schedule_minutes):
        due_at = dosed_at + timedelta(minutes=minutes)
        done = any(abs(t - due_at) <= grace for t in taken_at)
        if done:
            continue
        if due_at + grace < now:
            overdue.append(due_at)
        elif next_due is None:
            next_due = due_at
    return ScheduleStatus(next_due, overdue)
