"""Treatment goals: what the patient wants from treatment, in their own words, and the measurable
targets tied to an instrument or to the daily opioid dose, each with a target date. Goals are
kept in the signed plan version (a list of plain dicts, JSON-ready, so that the signature covers
them exactly as written) and progress toward each is worked by `goal_progress` from the scores.

Why these two kinds of target: a cut-off on the latest score ("PHQ-9 below 10", the PHQ-9's
moderate band beginning at 10: Kroenke et al., J Gen Intern Med 2001;16:606-613) and a percent
reduction from the baseline score ("pain NRS down 30 %", the reduction IMMPACT calls moderately
important: Dworkin et al., J Pain 2008;9:105-121). Which target suits a patient is the
clinician's choice with the patient; nothing here proposes one.

"Met" reads the latest value only: a target met once and lost since is "not yet" again (the goal
is where the patient is now, not where they once were) [clinic policy, UNVERIFIED].
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from clinic.assessments.instruments import INSTRUMENTS
from clinic.core.dates import show_date
from clinic.treatment.choices import GoalStatus

# What a goal is measured by, besides an instrument's code.
MME_MEASURE = "mme"
MME_LABEL = "Daily opioid dose (MME)"

# How the target is read.
BELOW = "below"  # the latest value strictly below the target value
REDUCE_BY_PERCENT = "reduce_by_percent"  # the latest value at least N % below the baseline
COMPARISONS = {
    BELOW: "below",
    REDUCE_BY_PERCENT: "down by at least (%) from baseline",
}

# Progress states.
MET = GoalStatus.MET
NOT_YET = GoalStatus.NOT_YET
NO_DATA = GoalStatus.NO_DATA
NOT_MEASURED = GoalStatus.NOT_MEASURED
STATUS_LABELS = dict(GoalStatus.choices)

MAX_GOALS = 10
MAX_WORDS = 300


@dataclass(frozen=True)
class Reading:
    """One value of a goal's measure at a moment (a score, or a day's MME)."""

    taken_at: datetime
    value: Decimal
    baseline: bool = False


@dataclass(frozen=True)
class GoalProgress:
    goal: dict[str, Any]
    status: str
    baseline: Decimal | None
    latest: Decimal | None
    latest_on: datetime | None
    # The value the latest must be below (a cut-off, or the baseline less the percent).
    target_value: Decimal | None
    change_percent: Decimal | None
    summary: str

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


def measure_label(code: str) -> str:
    if code == MME_MEASURE:
        return MME_LABEL

    instrument = INSTRUMENTS.get(code)
    return instrument.short_name if instrument else code


def _plain(value: Decimal | None) -> str:
    if value is None:
        return "—"
    value = Decimal(value)
    if value == value.to_integral():
        return str(int(value))
    return str(value.quantize(Decimal("0.1"), ROUND_HALF_UP).normalize())


def describe_target(goal: dict[str, Any]) -> str:
    """The target in words: "PHQ-9 below 10 by Mar 1, 2027"."""
    measure = goal.get("measure") or ""
    by = ""
    if goal.get("target_date"):
        by = f" by {show_date(date.fromisoformat(goal['target_date']))}"
    if not measure:
        return by.strip() or "no target date"
    value = _plain(Decimal(goal["value"]))
    if goal.get("comparison") == REDUCE_BY_PERCENT:
        return f"{measure_label(measure)} down {value} % from baseline{by}"
    return f"{measure_label(measure)} below {value}{by}"


def describe_for_patient(goal: dict[str, Any]) -> str:
    """The target in the patient's plain words: "your depression questionnaire (PHQ-9) score
    below 10, by March 1, 2027"."""
    measure = goal.get("measure") or ""
    by = ""
    if goal.get("target_date"):
        by = f"by {show_date(date.fromisoformat(goal['target_date']))}"
    if not measure:
        return by
    value = _plain(Decimal(goal["value"]))
    if measure == MME_MEASURE:
        what = "the opioid pain medicine you take each day (counted in morphine equivalents)"
    else:
        instrument = INSTRUMENTS.get(measure)
        what = (
            f"your {instrument.purpose.lower()} questionnaire ({instrument.short_name}) score"
            if instrument
            else measure
        )
    if goal.get("comparison") == REDUCE_BY_PERCENT:
        return f"{what} down by {value} % from where you started, {by}".strip(", ")
    return f"{what} below {value}, {by}".strip(", ")


def clean_goal(raw: dict[str, Any]) -> dict[str, Any]:
    """One goal as stored, or ValueError saying what is wrong. Keys: words (the patient's own),
    measure ("" / instrument code / "mme"), comparison, value (text), target_date (ISO)."""

    words = " ".join(str(raw.get("words") or "").split())
    measure = str(raw.get("measure") or "")
    comparison = str(raw.get("comparison") or "")
    target_date = raw.get("target_date")
    if isinstance(target_date, date):
        target_date = target_date.isoformat()
    if len(words) > MAX_WORDS:
        raise ValueError(f"A goal's words are at most {MAX_WORDS} characters.")
    if not target_date:
        raise ValueError("Give each goal a target date.")
    try:
        date.fromisoformat(str(target_date))
    except ValueError as error:
        raise ValueError("The target date is not a date.") from error
    if not measure:
        if not words:
            raise ValueError("Write the goal in the patient's words, or choose what measures it.")
        return {"words": words, "measure": "", "target_date": str(target_date)}
    if measure != MME_MEASURE and measure not in INSTRUMENTS:
        raise ValueError(f"Unknown measure {measure!r}.")
    if comparison not in COMPARISONS:
        raise ValueError("Choose how the target is read: below a value, or down by a percent.")
    try:
        value = Decimal(str(raw.get("value")))
    except (InvalidOperation, ValueError, TypeError) as error:
        raise ValueError("The target value is not a number.") from error
    if not value.is_finite():
        raise ValueError("The target value is not a number.")
    if comparison == REDUCE_BY_PERCENT and not Decimal("0") < value <= Decimal("100"):
        raise ValueError("A reduction is a percent above 0 and at most 100.")
    if comparison == BELOW:
        if value < 0:
            raise ValueError("A target value cannot be negative.")
        if measure != MME_MEASURE and value > Decimal(INSTRUMENTS[measure].max_total):
            raise ValueError(
                f"{INSTRUMENTS[measure].short_name} scores go up to "
                f"{INSTRUMENTS[measure].max_total}: the target is above that."
            )
        if measure == MME_MEASURE and value > Decimal("10000"):
            raise ValueError("A daily MME target is at most 10000.")
    return {
        "words": words,
        "measure": measure,
        "comparison": comparison,
        "value": str(value.normalize()) if value != value.to_integral() else str(int(value)),
        "target_date": str(target_date),
    }


def clean_goals(raws: list[dict[str, Any]]) -> list[dict[str, Any]]:
    goals = [clean_goal(raw) for raw in raws]
    if len(goals) > MAX_GOALS:
        raise ValueError(f"A plan holds at most {MAX_GOALS} goals.")
    return goals


def goal_progress(goal: dict[str, Any], readings: list[Reading]) -> GoalProgress:
    """Progress toward one goal from its measure's readings (any order). The baseline is the
    first reading marked baseline, else the first; the latest is the last by time.

    - below: met when the latest value is strictly below the target value (PHQ-9 9 is below 10;
      10 is not).
    - reduce_by_percent: met when the latest value is at least the percent below the baseline
      (exactly 30 % down meets "down 30 %"); needs a reading after the baseline, and a baseline
      above zero (a percent of zero is not computable).
    """
    measure = goal.get("measure") or ""
    if not measure:
        return GoalProgress(goal, NOT_MEASURED, None, None, None, None, None, "")
    points = sorted(readings, key=lambda r: r.taken_at)
    if not points:
        return GoalProgress(
            goal, NO_DATA, None, None, None, None, None, f"No {measure_label(measure)} recorded."
        )
    baseline = next((p for p in points if p.baseline), points[0])
    latest = points[-1]
    target = Decimal(goal["value"])
    change_percent = None
    if baseline.value != 0 and latest is not baseline:
        change_percent = ((latest.value - baseline.value) / baseline.value * 100).quantize(
            Decimal("0.1"), ROUND_HALF_UP
        )
    if goal.get("comparison") == REDUCE_BY_PERCENT:
        if baseline.value == 0:
            return GoalProgress(
                goal,
                NO_DATA,
                baseline.value,
                latest.value,
                latest.taken_at,
                None,
                None,
                "The baseline is 0: a reduction by a percent cannot be worked.",
            )
        target_value = baseline.value * (1 - target / 100)
        if latest is baseline or latest.taken_at <= baseline.taken_at:
            return GoalProgress(
                goal,
                NO_DATA,
                baseline.value,
                None,
                None,
                target_value,
                None,
                f"Baseline {_plain(baseline.value)}; no value since.",
            )
        # Compared exactly (no rounding): latest ≤ baseline × (1 − p/100).
        met = latest.value <= target_value
        summary = (
            f"{_plain(baseline.value)} → {_plain(latest.value)} ({_plain(change_percent)} %); "
            f"target {_plain(target_value)} or less"
        )
        return GoalProgress(
            goal,
            MET if met else NOT_YET,
            baseline.value,
            latest.value,
            latest.taken_at,
            target_value,
            change_percent,
            summary,
        )
    met = latest.value < target
    summary = f"latest {_plain(latest.value)}; target below {_plain(target)}"
    if latest is not baseline:
        summary = (
            f"{_plain(baseline.value)} → {_plain(latest.value)}; target below {_plain(target)}"
        )
    return GoalProgress(
        goal,
        MET if met else NOT_YET,
        baseline.value,
        latest.value,
        latest.taken_at,
        target,
        change_percent,
        summary,
    )
