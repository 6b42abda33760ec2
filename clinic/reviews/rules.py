"""Pure rules of the follow-up review: what each decision changes in the plan, what it needs,
and when the next review falls due. No database.

The intervals come from `ReviewPolicy` (clinic policy, UNVERIFIED: no retrieved source fixes
when a ketamine course is reviewed). Response and remission are the instruments' own rules
(clinic.assessments.progress, with their sources); possible relapse is clinic.assessments.relapse.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from clinic.core.choices import Route
from clinic.reviews.choices import ReviewDecision
from clinic.treatment.choices import ChangeReason

BOOSTER_DEFAULT_SESSIONS = 1


@dataclass(frozen=True)
class DecisionValues:
    """What the clinician typed beside the decision."""

    new_dose: Decimal | None = None
    new_infusion_minutes: int | None = None
    new_interval_days: int | None = None
    booster_sessions: int | None = None


@dataclass(frozen=True)
class CurrentPlan:
    """The parts of the current plan version a decision starts from."""

    dose: Decimal
    infusion_minutes: int | None
    maintenance_interval_days: int
    induction_sessions_per_week: int
    route: str


@dataclass(frozen=True)
class PlanChange:
    """The next plan version a decision drafts: why, and the plan form's values it sets."""

    change_reason: str
    changes: dict = field(default_factory=dict)
    summary: str = ""


def decision_problems(
    decision: str, values: DecisionValues, current: CurrentPlan | None
) -> dict[str, str]:
    """What is missing or wrong for `decision` (field → message); empty when it can be signed."""
    problems: dict[str, str] = {}
    if decision not in ReviewDecision.values:
        return {"decision": "Choose a decision."}
    if decision in {
        ReviewDecision.ADJUST_DOSE,
        ReviewDecision.CHANGE_INTERVAL,
        ReviewDecision.TO_MAINTENANCE,
        ReviewDecision.BOOSTER,
    } and (current is None):
        problems["decision"] = "The patient has no active plan to change: write the plan first."
        return problems
    if current is None:  # the decisions left prescribe nothing to compare with a plan
        return problems
    if decision == ReviewDecision.ADJUST_DOSE:
        dose_differs = values.new_dose is not None and values.new_dose != current.dose
        minutes_differ = (
            values.new_infusion_minutes is not None
            and values.new_infusion_minutes != current.infusion_minutes
        )
        if values.new_dose is None and values.new_infusion_minutes is None:
            problems["new_dose"] = "Give the new dose, the new infusion duration, or both."
        elif not (dose_differs or minutes_differ):
            problems["new_dose"] = "That is the plan's current dose and rate: nothing changes."
        if values.new_infusion_minutes is not None and current.route != Route.IV:
            problems["new_infusion_minutes"] = "Only an IV plan has an infusion duration."
    if decision == ReviewDecision.CHANGE_INTERVAL:
        if values.new_interval_days is None:
            problems["new_interval_days"] = "Give the new interval in days."
        elif values.new_interval_days == current.maintenance_interval_days:
            problems["new_interval_days"] = "That is the plan's current interval: nothing changes."
    return problems


def plan_change(
    decision: str, values: DecisionValues, current: CurrentPlan, *, today: date
) -> PlanChange | None:
    """The next plan version `decision` drafts (None for a decision that prescribes nothing)."""
    if decision == ReviewDecision.ADJUST_DOSE:
        changes: dict = {}
        parts = []
        if values.new_dose is not None:
            changes["dose"] = values.new_dose
            parts.append(f"dose {current.dose.normalize()} → {values.new_dose.normalize()}")
        if values.new_infusion_minutes is not None:
            changes["infusion_minutes"] = values.new_infusion_minutes
            parts.append(
                f"infusion {current.infusion_minutes or '—'} → {values.new_infusion_minutes} min"
            )
        return PlanChange(ChangeReason.RESPONSE, changes, "Adjusted " + ", ".join(parts))
    if decision == ReviewDecision.CHANGE_INTERVAL:
        return PlanChange(
            ChangeReason.RESPONSE,
            {"maintenance_interval_days": values.new_interval_days},
            f"Interval {current.maintenance_interval_days} → {values.new_interval_days} days",
        )
    if decision == ReviewDecision.TO_MAINTENANCE:
        # A maintenance version: one session on its start date, then every `interval` days.
        interval = values.new_interval_days or current.maintenance_interval_days
        return PlanChange(
            ChangeReason.MAINTENANCE,
            {
                "induction_sessions": 1,
                "induction_sessions_per_week": 1,
                "maintenance_interval_days": interval,
                "start_date": today + timedelta(days=interval),
            },
            f"Maintenance: one session every {interval} days",
        )
    if decision == ReviewDecision.BOOSTER:
        sessions = values.booster_sessions or BOOSTER_DEFAULT_SESSIONS
        return PlanChange(
            ChangeReason.RESPONSE,
            {
                "induction_sessions": sessions,
                "induction_sessions_per_week": min(sessions, current.induction_sessions_per_week),
                "start_date": today + timedelta(days=1),
            },
            f"Booster: {sessions} session(s), then every {current.maintenance_interval_days} days",
        )
    return None


def in_maintenance_after(decision: str, *, in_maintenance: bool) -> bool:
    """Whether the patient is in maintenance once `decision` is signed."""
    return in_maintenance or decision == ReviewDecision.TO_MAINTENANCE


def next_review_on(
    decision: str,
    *,
    in_maintenance: bool,
    signed_on: date,
    induction_ends_on: date | None,
    interval_weeks: int,
    after_induction_days: int,
) -> date | None:
    """When the next review falls due after a review signed on `signed_on` with `decision`:
    never after "end treatment"; after the induction series while one is still to come; else
    `interval_weeks` later (maintenance, a pause, a booster)."""
    if decision == ReviewDecision.END_TREATMENT:
        return None
    maintenance = in_maintenance_after(decision, in_maintenance=in_maintenance)
    series_to_come = decision not in {ReviewDecision.PAUSE, ReviewDecision.BOOSTER}
    if (
        not maintenance
        and series_to_come
        and induction_ends_on is not None
        and induction_ends_on >= signed_on
    ):
        return induction_ends_on + timedelta(days=after_induction_days)
    return signed_on + timedelta(weeks=interval_weeks)


def induction_just_ended(*, doses_given_under_version: int, induction_sessions: int) -> bool:
    """The session just locked was the last of the version's induction series."""
    return doses_given_under_version == induction_sessions
