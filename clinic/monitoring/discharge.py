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
  oxygen = 0 (90–92 % on air is read as "needs oxygen": 1). Any saturation on oxygen is at most 1:
  the 2 is for room air.
- consciousness from the recorded ACVPU (RCP NEWS2 2017 scale): Alert = 2 ("fully awake"),
  responds to Voice = 1 ("arousable on calling"), responds to Pain or Unresponsive = 0 ("not
  responding") [mapping UNVERIFIED: Aldrete's table does not speak ACVPU]; new Confusion has no
  Aldrete equivalent, so the nurse scores it.
Which items the record can answer (`derived_items`): SpO₂ (with oxygen on or off), circulation
(with a pre-dose blood pressure) and consciousness (with ACVPU). Activity and respiration ("breathes
deeply, coughs freely") need the nurse's eyes: vital signs give at most 6 of the 10 points.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

DEFAULT_DISCHARGE_THRESHOLD = 9
ITEMS = ("activity", "respiration", "circulation", "consciousness", "oxygen_saturation")
ITEM_LABELS = {
    "activity": "Activity",
    "respiration": "Respiration",
    "circulation": "Circulation",
    "consciousness": "Consciousness",
    "oxygen_saturation": "O₂ saturation",
}
# ACVPU (patients.Consciousness values) → Aldrete consciousness; "new_confusion" is absent: the
# nurse decides.
CONSCIOUSNESS_SCORES = {"alert": 2, "voice": 1, "pain": 0, "unresponsive": 0}


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


def consciousness_score(acvpu: str) -> int | None:
    """Aldrete consciousness from ACVPU, or None when ACVPU does not answer it (new confusion,
    not recorded)."""
    return CONSCIOUSNESS_SCORES.get(acvpu or "")


@dataclass(frozen=True)
class DerivedItem:
    """An Aldrete item as the recorded data score it, and what it was scored from."""

    score: int
    basis: str


def derived_items(values: Mapping, *, pre_dose_systolic_mmhg=None) -> dict[str, DerivedItem]:
    """The Aldrete items these vital signs answer. `values` holds the latest recorded value of
    each parameter (spo2_pct with on_supplemental_oxygen, systolic_mmhg, consciousness); an item
    whose data are missing is left out."""
    items: dict[str, DerivedItem] = {}
    spo2 = values.get("spo2_pct")
    if spo2 is not None:
        on_oxygen = bool(values.get("on_supplemental_oxygen"))
        items["oxygen_saturation"] = DerivedItem(
            oxygen_saturation_score(spo2_pct=spo2, on_oxygen=on_oxygen),
            f"SpO₂ {spo2} % {'on oxygen' if on_oxygen else 'on room air'}",
        )
    systolic = values.get("systolic_mmhg")
    if systolic and pre_dose_systolic_mmhg:
        items["circulation"] = DerivedItem(
            circulation_score(
                systolic_mmhg=systolic, pre_dose_systolic_mmhg=pre_dose_systolic_mmhg
            ),
            f"systolic {systolic} mmHg against {pre_dose_systolic_mmhg} before the dose",
        )
    acvpu = values.get("consciousness") or ""
    score = consciousness_score(acvpu)
    if score is not None:
        items["consciousness"] = DerivedItem(score, f"ACVPU {ACVPU_LABELS[acvpu]}")
    return items


ACVPU_LABELS = {
    "alert": "alert",
    "voice": "responds to voice",
    "pain": "responds to pain",
    "unresponsive": "unresponsive",
}
