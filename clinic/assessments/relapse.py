"""Possible relapse: a patient who had responded on an instrument and whose score has come back
most of the way towards baseline. Pure functions over a patient's scores (no database).

"Had responded" is the instrument's own response rule (`Outcome`, with its source: PHQ-9 a fall of
at least 50 % from baseline, Oliver et al.; see clinic.assessments.progress), met by the best
score after baseline. The score "comes back" when it is above the point `share` of the way from
the best score back up to baseline (half-way by default) on the last `RELAPSE_ANSWERS_IN_A_ROW`
answers. No retrieved source fixes either number for ketamine care: both are clinic policy
[UNVERIFIED]; the share is `AssessmentPolicy.relapse_share_percent`, edited by the medical
director. Every instrument the clinic repeats scores worse as it rises, which the rule assumes.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from clinic.assessments.instruments.base import Instrument
from clinic.assessments.progress import Point, baseline_of

# Two answers in a row above the threshold, so that one bad week is not called a relapse
# [clinic policy, UNVERIFIED].
RELAPSE_ANSWERS_IN_A_ROW = 2
DEFAULT_RELAPSE_SHARE_PERCENT = 50


@dataclass(frozen=True)
class Relapse:
    """A possible relapse on one instrument, with the numbers it was decided on."""

    instrument_code: str
    baseline_total: Decimal
    best_total: Decimal
    threshold: Decimal
    latest_totals: tuple[Decimal, ...]

    @property
    def text(self) -> str:
        latest = ", ".join(_shown(total) for total in self.latest_totals)
        return (
            f"had fallen from {_shown(self.baseline_total)} to {_shown(self.best_total)}; "
            f"the last answers ({latest}) are above {_shown(self.threshold)}"
        )


def _shown(value: Decimal) -> str:
    """A score as a person writes it (20, not 2E+1 or 20.00)."""
    return str(int(value)) if value == value.to_integral() else str(value.normalize())


def responded(instrument: Instrument, baseline_total: Decimal, best_total: Decimal) -> bool:
    """Whether a fall from `baseline_total` to `best_total` meets the instrument's response rule."""
    outcome = instrument.outcome
    fall = baseline_total - best_total
    if outcome.response_reduction_percent is not None:
        return baseline_total > 0 and fall * 100 >= baseline_total * Decimal(
            outcome.response_reduction_percent
        )
    if outcome.response_reduction_points is not None:
        return fall >= outcome.response_reduction_points
    return False


def relapse_threshold(
    baseline_total: Decimal, best_total: Decimal, share_percent: int | Decimal
) -> Decimal:
    """The score `share_percent` of the way from the best score back up to baseline."""
    return best_total + (baseline_total - best_total) * Decimal(share_percent) / 100


def best_after_baseline(points: list[Point]) -> tuple[Point, Point | None]:
    """The baseline and the lowest score after it (None with no score after baseline)."""
    ordered = sorted(points, key=lambda p: p.taken_at)
    baseline = baseline_of(ordered)
    later = [p for p in ordered if p.taken_at > baseline.taken_at]
    return baseline, (min(later, key=lambda p: p.total) if later else None)


def possible_relapse(
    instrument: Instrument,
    points: list[Point],
    *,
    share_percent: int | Decimal = DEFAULT_RELAPSE_SHARE_PERCENT,
) -> Relapse | None:
    """A Relapse when the patient had responded and the last answers are all above the
    threshold, else None."""
    if not points:
        return None
    ordered = sorted(points, key=lambda p: p.taken_at)
    baseline, best = best_after_baseline(ordered)
    if best is None or not responded(instrument, baseline.total, best.total):
        return None
    threshold = relapse_threshold(baseline.total, best.total, share_percent)
    after_best = [p for p in ordered if p.taken_at > best.taken_at]
    last = after_best[-RELAPSE_ANSWERS_IN_A_ROW:]
    if len(last) < RELAPSE_ANSWERS_IN_A_ROW or any(p.total <= threshold for p in last):
        return None
    return Relapse(
        instrument.code, baseline.total, best.total, threshold, tuple(p.total for p in last)
    )
