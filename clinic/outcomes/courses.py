"""Keeping `CourseSummary` and `OutcomeScore` in step with the record, so that the outcomes page
reads one indexed row per patient (and per series) whatever the size of the programme.

A course summary is derived data. `refresh_courses` recomputes the rows of some patients from
their signed evaluations, plans, dosed sessions, progress series and completed responses; the
services that change any of these call it inside their own transaction, through
`clinic.patients.hooks.course_changed` (registered in `OutcomesConfig.ready`), so a figure never
disagrees with a committed record. `rebuild_all` (`manage.py rebuild_course_summaries`) recomputes
every patient's, after an import. The rules themselves (`milestones`, `first_score_in`) are pure
functions over plain values, shared with the migration that filled the table.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, DurationField, ExpressionWrapper, F

from clinic.assessments.choices import ResponseStatus
from clinic.assessments.models import AssessmentResponse, ProgressSummary
from clinic.evaluation.choices import Decision, EvaluationStatus
from clinic.evaluation.models import Evaluation
from clinic.outcomes.locks import lock_course_patients
from clinic.outcomes.models import CourseSummary, OutcomeScore, SessionFigures
from clinic.patients.models import Patient
from clinic.sessions.models import SideEffect, TreatmentSession
from clinic.treatment.choices import PlanStatus
from clinic.treatment.models import TreatmentPlan, TreatmentPlanVersion

# The session at which response and remission are read: the sixth, the end of the usual IV
# induction of six infusions over 2–3 weeks (Murrough et al., Biol Psychiatry 2013;74:250–256;
# Phillips et al., Am J Psychiatry 2019;176:401–409).
OUTCOME_AT_SESSION = 6
# Response at 3 months: the first score from 12 weeks (84 days) after the first dose, up to 16
# weeks (112 days) [UNVERIFIED: clinic policy; a 4-week window so that a score taken a little
# late still counts, and a score months later is not read as the 3-month one].
THREE_MONTH_WINDOW_DAYS = (84, 112)
SIGNED_EVALUATION = (EvaluationStatus.COMPLETED, EvaluationStatus.AMENDED)
# Patients recomputed per query round (and per transaction when every patient's are).
PATIENTS_PER_BATCH = 2_000


@dataclass(frozen=True)
class Dose:
    """A session with a dose given: when, under which protocol, by which route."""

    dosed_at: datetime
    protocol_id: int
    route: str


@dataclass(frozen=True)
class Milestones:
    evaluated: bool
    suitable: bool
    plan_signed: bool
    induction_sessions: int
    dosed_sessions: int
    plan_completed: bool
    plan_stopped: bool
    first_dose: Dose | None
    outcome_dose: Dose | None


def milestones(
    *,
    signed_decisions: Sequence[str],
    latest_induction_sessions: int | None,
    plan_statuses: Iterable[str],
    doses: Sequence[Dose],
) -> Milestones:
    """A patient's course: `signed_decisions` of their signed evaluations, the induction of the
    latest signed plan version (None without one), the statuses of their plans, and their doses
    in the order given (by time, then record)."""
    statuses = set(plan_statuses)
    return Milestones(
        evaluated=bool(signed_decisions),
        suitable=Decision.SUITABLE in signed_decisions,
        plan_signed=latest_induction_sessions is not None,
        induction_sessions=latest_induction_sessions or 0,
        dosed_sessions=len(doses),
        plan_completed=PlanStatus.COMPLETED in statuses,
        plan_stopped=PlanStatus.STOPPED in statuses,
        first_dose=doses[0] if doses else None,
        outcome_dose=doses[OUTCOME_AT_SESSION - 1] if len(doses) >= OUTCOME_AT_SESSION else None,
    )


def first_score_in(
    scores: Iterable[tuple[datetime, Decimal | None]],
    start: datetime,
    end: datetime | None = None,
) -> Decimal | None:
    """The total of the first response (in the order given: by time, then record) taken at or
    after `start` and, with `end`, before it; None when there is none (or its total is empty)."""
    for taken_at, total in scores:
        if taken_at >= start and (end is None or taken_at < end):
            return total
    return None


def three_month_window(first_dose_at: datetime) -> tuple[datetime, datetime]:
    start, end = THREE_MONTH_WINDOW_DAYS
    return first_dose_at + timedelta(days=start), first_dose_at + timedelta(days=end)


@dataclass(frozen=True)
class Tables:
    """The models the rebuild reads and writes: the current ones, or a migration's historical
    ones (the backfill that filled the table runs this same code)."""

    patient: Any = Patient
    evaluation: Any = Evaluation
    plan: Any = TreatmentPlan
    plan_version: Any = TreatmentPlanVersion
    session: Any = TreatmentSession
    progress_summary: Any = ProgressSummary
    response: Any = AssessmentResponse
    course_summary: Any = CourseSummary
    outcome_score: Any = OutcomeScore
    # The session figures came later: a migration from before them passes None.
    session_figures: Any = None
    side_effect: Any = None


CURRENT = Tables(session_figures=SessionFigures, side_effect=SideEffect)


def _batches(ids: Sequence[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), PATIENTS_PER_BATCH):
        yield list(ids[start : start + PATIENTS_PER_BATCH])


def refresh_courses(patient_ids: Iterable[int]) -> None:
    """Recompute the course summaries and outcome scores of `patient_ids` from their record.

    Two services changing one patient's course at once would each write the summary without the
    other's change: the patients' rows are locked first (in key order), so the second waits for
    the first to commit and then reads both."""
    for chunk in _batches(sorted(set(patient_ids))):
        _refresh(chunk)


def rebuild_all(tables: Tables = CURRENT) -> int:
    """Every patient's course recomputed, a batch of patients per transaction. Returns the
    number of patients."""
    ids = list(tables.patient.objects.order_by("pk").values_list("pk", flat=True))
    for chunk in _batches(ids):
        with transaction.atomic():
            _refresh(chunk, tables)
    return len(ids)


def _refresh(ids: list[int], tables: Tables = CURRENT) -> None:
    locations = lock_course_patients(ids, model=tables.patient)
    decisions: dict[int, list[str]] = defaultdict(list)
    for patient_id, decision in tables.evaluation.objects.filter(
        patient_id__in=ids, status__in=SIGNED_EVALUATION
    ).values_list("patient_id", "decision"):
        decisions[patient_id].append(decision)
    latest_induction: dict[int, int] = {}
    for patient_id, sessions in (
        tables.plan_version.objects.filter(plan__patient_id__in=ids)
        .order_by("plan__patient_id", "-signed_at", "-pk")
        .values_list("plan__patient_id", "induction_sessions")
    ):
        latest_induction.setdefault(patient_id, sessions)
    plan_statuses: dict[int, set[str]] = defaultdict(set)
    for patient_id, status in tables.plan.objects.filter(patient_id__in=ids).values_list(
        "patient_id", "status"
    ):
        plan_statuses[patient_id].add(status)
    doses: dict[int, list[Dose]] = defaultdict(list)
    for patient_id, dosed_at, protocol_id, route in (
        tables.session.objects.filter(patient_id__in=ids, dosed_at__isnull=False)
        .order_by("patient_id", "dosed_at", "pk")
        .values_list("patient_id", "dosed_at", "plan_version__protocol_id", "route")
    ):
        doses[patient_id].append(Dose(dosed_at, protocol_id, route))
    courses = {
        patient_id: milestones(
            signed_decisions=decisions.get(patient_id, []),
            latest_induction_sessions=latest_induction.get(patient_id),
            plan_statuses=plan_statuses.get(patient_id, ()),
            doses=doses.get(patient_id, []),
        )
        for patient_id in locations
    }
    dosed_patients = [patient_id for patient_id, course in courses.items() if course.first_dose]
    series = list(
        tables.progress_summary.objects.filter(patient_id__in=dosed_patients).values_list(
            "patient_id", "instrument_code", "baseline_total"
        )
    )
    scores: dict[tuple[int, str], list[tuple[datetime, Decimal | None]]] = defaultdict(list)
    if series:
        for patient_id, code, taken_at, total in (
            tables.response.objects.filter(
                patient_id__in=dosed_patients,
                status=ResponseStatus.COMPLETED,
                taken_at__isnull=False,
            )
            .order_by("patient_id", "instrument_code", "taken_at", "pk")
            .values_list("patient_id", "instrument_code", "taken_at", "total")
        ):
            scores[(patient_id, code)].append((taken_at, total))

    tables.course_summary.objects.filter(patient_id__in=ids).delete()
    summaries = {
        patient_id: tables.course_summary(
            patient_id=patient_id,
            location_id=locations[patient_id],
            evaluated=course.evaluated,
            suitable=course.suitable,
            plan_signed=course.plan_signed,
            induction_sessions=course.induction_sessions,
            dosed_sessions=course.dosed_sessions,
            plan_completed=course.plan_completed,
            plan_stopped=course.plan_stopped,
            **_dose_columns("first_dose", course.first_dose),
            **_dose_columns("outcome_dose", course.outcome_dose),
        )
        for patient_id, course in courses.items()
    }
    tables.course_summary.objects.bulk_create(summaries.values())
    rows = []
    for patient_id, code, baseline_total in series:
        course = courses[patient_id]
        taken = scores.get((patient_id, code), [])
        after = first_score_in(taken, course.outcome_dose.dosed_at) if course.outcome_dose else None
        assert course.first_dose is not None  # series are read for dosed patients only
        at_3_months = first_score_in(taken, *three_month_window(course.first_dose.dosed_at))
        rows.append(
            tables.outcome_score(
                course=summaries[patient_id],
                patient_id=patient_id,
                instrument_code=code,
                baseline_total=baseline_total,
                score_after_outcome_dose=after,
                score_at_3_months=at_3_months,
            )
        )
    tables.outcome_score.objects.bulk_create(rows)
    if tables.session_figures is not None:
        _write_session_figures(tables, patient_ids=ids)


def _write_session_figures(
    tables: Tables, *, patient_ids: list[int] | None = None, session_id: int | None = None
) -> None:
    """Rewrite the figures rows of the dosed sessions of `patient_ids` (or of one session)."""
    sessions = tables.session.objects.filter(dosed_at__isnull=False)
    if session_id is not None:
        sessions = sessions.filter(pk=session_id)
        tables.session_figures.objects.filter(session_id=session_id).delete()
    else:
        sessions = sessions.filter(patient_id__in=patient_ids)
        tables.session_figures.objects.filter(patient_id__in=patient_ids).delete()
    side_effects = dict(
        tables.side_effect.objects.filter(session__in=sessions)
        .order_by()
        .values("session_id")
        .annotate(n=Count("*"))
        .values_list("session_id", "n")
    )
    delay = ExpressionWrapper(
        F("discharged_at") - F("ready_for_discharge_at"), output_field=DurationField()
    )
    tables.session_figures.objects.bulk_create(
        tables.session_figures(
            session_id=pk,
            patient_id=patient_id,
            location_id=location_id,
            dosed_at=dosed_at,
            route=route,
            protocol_id=protocol_id,
            side_effects=side_effects.get(pk, 0),
            discharge_delay=discharge_delay,
        )
        for pk, patient_id, location_id, dosed_at, route, protocol_id, discharge_delay in (
            sessions.annotate(delay=delay)
            .order_by("pk")
            .values_list(
                "pk",
                "patient_id",
                "location_id",
                "dosed_at",
                "route",
                "plan_version__protocol_id",
                "delay",
            )
        )
    )


def _dose_columns(prefix: str, dose: Dose | None) -> dict[str, Any]:
    """A course summary's three columns of one dose (its time, protocol and route)."""
    return {
        f"{prefix}_at": dose.dosed_at if dose else None,
        f"{prefix}_protocol_id": dose.protocol_id if dose else None,
        f"{prefix}_route": dose.route if dose else "",
    }


def course_changed(patient_id: int) -> None:
    """`clinic.patients.hooks.course_changed` callback: the patient's row recomputed."""
    refresh_courses([patient_id])


def session_changed(session_id: int) -> None:
    """`clinic.patients.hooks.session_changed` callback: a session's side effects or discharge
    changed, so its figures row is rewritten (nothing when no dose was given)."""
    _write_session_figures(CURRENT, session_id=session_id)
