"""Change from baseline, response and remission: pure functions over a patient's scores.

Definitions per instrument live in each instrument's `Outcome` with its source (PHQ-9: response
≥ 50 % reduction, remission < 5, Oliver et al.; others in their declarations). A zero baseline
makes the percent change "not computable". Remission describes a move from above the cut-off to
below it and presupposes the disorder at baseline (Mataix-Cols et al., World Psychiatry
2016;15:80; Stress Health 2021;37:547), so a patient whose baseline was already below the cut-off
is "not applicable: started below", never "in remission" [UNVERIFIED as a written rule: no source
states it on its own].
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from clinic.assessments.choices import AssessmentContext, RemissionStatus
from clinic.assessments.instruments.base import Instrument


@dataclass(frozen=True)
class Point:
    taken_at: datetime
    total: Decimal
    severity: str
    context: str
    response_id: str = ""


def completed_point(
    taken_at: datetime | None,
    total: Decimal | int | None,
    severity: str,
    context: str,
    response_id: str = "",
) -> Point:
    """The point of a completed response's row (a completed response has its time and total)."""
    if taken_at is None or total is None:
        raise ValueError("A completed response has the time it was taken and its total.")
    return Point(taken_at, Decimal(total), severity, context, response_id)


@dataclass(frozen=True)
class Progress:
    instrument: Instrument
    points: tuple[Point, ...]
    baseline: Point
    latest: Point
    previous: Point | None
    change_points: Decimal
    change_percent: Decimal | None
    response: bool | None
    remission: bool | None
    worsening: bool
    # A RemissionStatus, or "" (no rule, or no follow-up yet).
    remission_status: str = ""

    @property
    def started_below(self) -> bool:
        return self.remission_status == STARTED_BELOW

    @property
    def has_follow_up(self) -> bool:
        return len(self.points) > 1


REMISSION = RemissionStatus.REMISSION
NO_REMISSION = RemissionStatus.NO_REMISSION
STARTED_BELOW = RemissionStatus.STARTED_BELOW


def baseline_of(points: list[Point]) -> Point:
    """The earliest response given at baseline, else the earliest response."""
    for point in points:
        if point.context == AssessmentContext.BASELINE:
            return point
    return points[0]


def compute_progress(instrument: Instrument, points: list[Point]) -> Progress:
    if not points:
        raise ValueError("Progress needs at least one score.")
    points = sorted(points, key=lambda p: p.taken_at)
    baseline = baseline_of(points)
    latest = points[-1]
    previous = points[-2] if len(points) > 1 else None
    change = latest.total - baseline.total
    percent = None
    if baseline.total != 0:
        percent = (change / baseline.total * 100).quantize(Decimal("0.1"), ROUND_HALF_UP)
    outcome = instrument.outcome
    follow_up = latest is not baseline and latest.taken_at > baseline.taken_at
    response = None
    if follow_up and outcome.response_reduction_percent is not None and percent is not None:
        response = -percent >= outcome.response_reduction_percent
    elif follow_up and outcome.response_reduction_points is not None:
        response = -change >= outcome.response_reduction_points
    remission = None
    remission_status = ""
    if follow_up and outcome.remission_below is not None:
        if baseline.total < outcome.remission_below:
            remission_status = STARTED_BELOW
        else:
            remission = latest.total < outcome.remission_below
            if outcome.remission_needs_response:
                remission = remission and response is True
            remission_status = REMISSION if remission else NO_REMISSION
    worsening = False
    threshold = outcome.meaningful_change_points
    if threshold is not None and follow_up:
        worse_than_baseline = change >= threshold
        worse_than_previous = previous is not None and latest.total - previous.total >= threshold
        worsening = worse_than_baseline or worse_than_previous
    return Progress(
        instrument,
        tuple(points),
        baseline,
        latest,
        previous,
        change,
        percent,
        response,
        remission,
        worsening,
        remission_status,
    )


def in_plain_words(progress: Progress) -> str:
    """The patient's own reading of one questionnaire's scores: where they started, where they are
    now, and what the change means by the clinic's outcome rules (a fall is better on every
    instrument that has a response rule: each is a symptom scale)."""
    instrument = progress.instrument
    first, latest = progress.baseline, progress.latest
    started = (
        f"You started at {_score(first.total)} ({instrument.band_label(first.severity).lower()})"
    )
    if not progress.has_follow_up:
        return started + ". Your next answers will show how this changes."
    now = f"your latest score is {_score(latest.total)} ({instrument.band_label(latest.severity).lower()})"
    change = progress.change_points
    if change < 0:
        moved = f", {_score(-change)} points lower"
    elif change > 0:
        moved = f", {_score(change)} points higher"
    else:
        moved = ", the same"
    words = f"{started}; {now}{moved}."
    if instrument.outcome.response_definition:
        if progress.remission:
            words += " That is in the range the clinic calls remission."
        elif progress.response:
            words += " That is a response to treatment by the clinic's measure."
        elif progress.worsening:
            words += " That is worse than before: your care team will look at it with you."
        words += " On this questionnaire a lower score means fewer symptoms."
    return words


def _score(value) -> str:
    value = Decimal(value)
    return str(value.normalize()) if value == value.to_integral() else str(value)
