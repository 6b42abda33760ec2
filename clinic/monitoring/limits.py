"""Vital-sign limits of a ketamine session and the monitoring schedule: pure rules over protocol
data (the medical director's `MonitoringProtocol`, one per route).

Default limits [UNVERIFIED: clinic policy, not found in the APA consensus statement, Sanacora et
al., JAMA Psychiatry 2017;74(4):399–405]: do not start above 140/90 mmHg (also the example of an
elevated baseline in the Spravato (esketamine) US prescribing information, Janssen 2019), stop or
escalate above 180/100 mmHg, heart rate above 110 /min. SpO₂ below 92 % mirrors the NEWS2 scale 1
band that scores 3 (Royal College of Physicians, NEWS2, 2017, Chart 1). Comparisons are strict
("above 140" means 141 breaches, 140 does not), stated because the sources that quote these
numbers do not say on which side the limit itself falls.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal


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


@dataclass(frozen=True)
class Breach:
    parameter: str
    value: Decimal
    limit: str
    message: str
    blocks_dosing: bool = False


def _value(values: Mapping, name: str) -> Decimal | None:
    value = values.get(name)
    return None if value is None else Decimal(str(value))


def check_pre_dose(values: Mapping, limits: Limits) -> list[Breach]:
    """Before dosing: a blood pressure above the pre-dose limit blocks dosing until it is
    re-measured or a clinician documents an override."""
    breaches = []
    systolic, diastolic = _value(values, "systolic_mmhg"), _value(values, "diastolic_mmhg")
    if systolic is not None and systolic > limits.pre_dose_systolic_max:
        breaches.append(
            Breach(
                "systolic_mmhg",
                systolic,
                f"> {limits.pre_dose_systolic_max}",
                f"Systolic {systolic} mmHg is above the pre-dose limit of {limits.pre_dose_systolic_max}.",
                True,
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
            )
        )
    return breaches + check_during(values, limits, baseline=None)


def check_during(values: Mapping, limits: Limits, *, baseline: Mapping | None) -> list[Breach]:
    """During monitoring: absolute limits, then rises from the patient's own pre-dose baseline."""
    rules = [
        ("systolic_mmhg", "gt", limits.systolic_max, "Systolic {v} mmHg is above {l}."),
        ("diastolic_mmhg", "gt", limits.diastolic_max, "Diastolic {v} mmHg is above {l}."),
        ("heart_rate_bpm", "gt", limits.heart_rate_max, "Heart rate {v} /min is above {l}."),
        ("heart_rate_bpm", "lt", limits.heart_rate_min, "Heart rate {v} /min is below {l}."),
        ("spo2_pct", "lt", limits.spo2_min, "SpO₂ {v} % is below {l}."),
        (
            "respiratory_rate_per_min",
            "lt",
            limits.respiratory_rate_min,
            "Respiratory rate {v} /min is below {l}.",
        ),
    ]
    breaches = []
    for name, operator, limit, message in rules:
        value = _value(values, name)
        if value is None:
            continue
        if (operator == "gt" and value > limit) or (operator == "lt" and value < limit):
            breaches.append(
                Breach(
                    name,
                    value,
                    f"{'>' if operator == 'gt' else '<'} {limit}",
                    message.format(v=value, l=limit),
                )
            )
    if baseline:
        for name in ("systolic_mmhg", "heart_rate_bpm"):
            value, before = _value(values, name), _value(baseline, name)
            if value is None or not before:
                continue
            rise = (value - before) / before * 100
            if rise > limits.baseline_rise_percent and not any(
                b.parameter == name for b in breaches
            ):
                breaches.append(
                    Breach(
                        name,
                        value,
                        f"+{limits.baseline_rise_percent} % of baseline",
                        f"{name.split('_')[0].capitalize()} rose {rise:.0f} % from the pre-dose {before} (limit +{limits.baseline_rise_percent} %).",
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
