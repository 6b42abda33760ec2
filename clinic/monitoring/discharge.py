"""Discharge readiness: the modified Aldrete score (Aldrete, J Clin Anesth 1995).

    from clinic.monitoring.discharge import modified_aldrete
    modified_aldrete(activity=2, respiration=2, circulation=2, consciousness=2, oxygen_saturation=2)  # 10

Five items scored 0–2, total 0–10; ≥ 9 is required to leave phase-I recovery (Aldrete JA, The
post-anesthesia recovery score revisited, J Clin Anesth 1995;7:89–91). The threshold is a setting
the medical director may change; 9 is the default.
Boundary choices (published copies of the table differ at exactly 20 % and 50 %, so one is chosen
and documented here):
- circulation: blood pressure within ±20 % of the pre-dose value (inclusive) = 2; more than 20 %
  and less than 50 % = 1; 50 % or more = 0.
- SpO₂: above 92 % on room air = 2; needs oxygen to stay above 90 % = 1; below 90 % even with
  oxygen = 0 (90–92 % on air is read as "needs oxygen": 1).
"""

from __future__ import annotations

from decimal import Decimal

DEFAULT_DISCHARGE_THRESHOLD = 9
ITEMS = ("activity", "respiration", "circulation", "consciousness", "oxygen_saturation")


def modified_aldrete(
    *, activity: int, respiration: int, circulation: int, consciousness: int, oxygen_saturation: int
) -> int:
    scores = {
        "activity": activity,
        "respiration": respiration,
        "circulation": circulation,
        "consciousness": consciousness,
        "oxygen_saturation": oxygen_saturation,
    }
    for name, value in scores.items():
        if isinstance(value, bool) or not isinstance(value, int) or value not in (0, 1, 2):
            raise ValueError(f"{name} must be scored 0, 1 or 2, not {value!r}.")
    return sum(scores.values())


def circulation_score(*, systolic_mmhg, pre_dose_systolic_mmhg) -> int:
    """2 within ±20 % of the pre-dose systolic pressure, 1 within ±20–50 %, 0 at ±50 % or more."""
    current, baseline = Decimal(str(systolic_mmhg)), Decimal(str(pre_dose_systolic_mmhg))
    if baseline <= 0 or current <= 0:
        raise ValueError("Blood pressures must be positive numbers.")
    change = abs(current - baseline) / baseline * 100
    if change <= 20:
        return 2
    if change < 50:
        return 1
    return 0


def oxygen_saturation_score(*, spo2_pct, on_oxygen: bool) -> int:
    spo2 = Decimal(str(spo2_pct))
    if not 0 <= spo2 <= 100:
        raise ValueError(f"SpO₂ of {spo2_pct} % is not possible.")
    if spo2 > 92 and not on_oxygen:
        return 2
    if spo2 >= 90:
        return 1
    return 0


def ready_for_discharge(score: int, *, threshold: int = DEFAULT_DISCHARGE_THRESHOLD) -> bool:
    return score >= threshold
