from __future__ import annotations

from clinic.assessments.selectors import patient_progress
from clinic.audit.choices import AuditEventType
from clinic.audit.services import record_audit_event
from clinic.core.choices import Route
from clinic.evaluation.selectors import mme_series
from clinic.treatment.choices import ChangeReason, PlanDraftStatus, PlanStatus
from clinic.treatment.dosing import infusion_rates
from clinic.treatment.goals import MME_MEASURE, GoalProgress, Reading, goal_progress
from clinic.treatment.models import (
    ProtocolTemplate,
    RemsPatientEnrolment,
    RemsSettingCertification,
    TreatmentPlan,
    TreatmentPlanDraft,
    TreatmentPlanVersion,
)


def active_plan(patient) -> TreatmentPlan | None:
    return TreatmentPlan.objects.filter(patient=patient, status=PlanStatus.ACTIVE).first()


def plan_history(patient) -> list[TreatmentPlanVersion]:
    return list(
        TreatmentPlanVersion.objects.filter(plan__patient=patient)
        .select_related("plan", "protocol", "signed_by")
        .order_by("-plan__created_at", "-number")
    )


def current_plan_version(patient) -> TreatmentPlanVersion | None:
    """The newest version of the patient's active plan, in one query."""
    return (
        TreatmentPlanVersion.objects.filter(plan__patient=patient, plan__status=PlanStatus.ACTIVE)
        .select_related("plan", "protocol", "signed_by")
        .order_by("-number")
        .first()
    )


def plan_routes(patient) -> set[str] | None:
    """The route of the patient's active plan, and of a drafted next version waiting to be
    signed (a change of route needs its consent before the new version is used); None without
    an active plan or draft."""
    routes = set(
        TreatmentPlanVersion.objects.filter(plan__patient=patient, plan__status=PlanStatus.ACTIVE)
        .order_by("-number")
        .values_list("route", flat=True)[:1]
    )
    draft = open_plan_draft(patient)
    drafted_route = (draft.values or {}).get("route") if draft is not None else None
    if isinstance(drafted_route, str) and drafted_route:
        routes.add(drafted_route)
    return routes or None


def open_plan_draft(patient) -> TreatmentPlanDraft | None:
    """The drafted next version waiting to be checked and signed, if any."""
    return (
        TreatmentPlanDraft.objects.filter(patient=patient, status=PlanDraftStatus.OPEN)
        .select_related("based_on", "created_by")
        .first()
    )


def plan_draft_for(patient, public_id) -> TreatmentPlanDraft | None:
    """The patient's open draft with this public id (None for another patient's, or a closed one)."""
    return (
        TreatmentPlanDraft.objects.filter(
            patient=patient, public_id=public_id, status=PlanDraftStatus.OPEN
        )
        .select_related("based_on")
        .first()
    )


def record_plan_viewed(viewer, patient, current: TreatmentPlanVersion | None) -> None:
    """The plan page shows the current plan (dose, indications, schedule) and the evaluation it
    rests on: every showing is audited (HIPAA §164.312(b) audit controls)."""
    record_audit_event(
        actor=viewer,
        event_type=AuditEventType.PLAN_VIEWED,
        target=current,
        about=patient,
        details={"version": current.number} if current else {},
    )


def pump_settings(version: TreatmentPlanVersion, *, dose_mg=None, weight_kg=None):
    """What the nurse programs into the pump for an IV plan version: today's dose and weight when
    given (chair-side), else the plan's. A version signed before the product and bag were recorded
    takes them from its protocol as it is now. None when it is not an infusion or a value is
    missing; the arithmetic refusing is reported as None too (the page shows no settings)."""

    if version is None or version.route != Route.IV or not version.infusion_minutes:
        return None
    concentration = (
        version.stock_concentration_mg_per_ml or version.protocol.stock_concentration_mg_per_ml
    )
    bag = version.bag_volume_ml or version.protocol.bag_volume_ml
    dose = dose_mg or version.dose_mg
    weight = weight_kg or version.weight_kg
    if not (concentration and bag and dose and weight):
        return None
    try:
        return infusion_rates(
            dose_mg=dose,
            minutes=version.infusion_minutes,
            weight_kg=weight,
            concentration_mg_per_ml=concentration,
            bag_volume_ml=bag,
        )
    except ValueError:
        return None


def current_rems_certification(location) -> RemsSettingCertification | None:
    """The location's Spravato REMS certification in force (the latest recorded)."""
    return RemsSettingCertification.objects.filter(location=location).first()


def current_rems_enrolment(patient) -> RemsPatientEnrolment | None:
    """The patient's Spravato REMS enrolment in force (the latest recorded)."""
    return RemsPatientEnrolment.objects.filter(patient=patient).first()


def goal_readings(patient) -> dict[str, list[Reading]]:
    """Each goal measure's readings: the scores per instrument (the baseline answer marked) and
    the daily MME of each recorded medicine list whose opioids are all converted (a partial
    total would show a fall that is only a medicine not counted). Three queries."""
    readings: dict[str, list[Reading]] = {}
    for progress in patient_progress(patient):
        readings[progress.instrument.code] = [
            Reading(point.taken_at, point.total, baseline=point is progress.baseline)
            for point in progress.points
        ]
    readings[MME_MEASURE] = [
        Reading(entry.recorded_at, entry.mme.total)
        for entry in mme_series(patient)
        if entry.mme.complete
    ]
    return readings


def plan_goal_progress(patient, version=None, *, until=None) -> list[GoalProgress]:
    """Progress toward each goal of the patient's current plan version (none without goals),
    from the readings up to `until` (all when None)."""
    version = version if version is not None else current_plan_version(patient)
    if version is None or not version.goals:
        return []
    readings = goal_readings(patient)
    if until is not None:
        readings = {
            code: [r for r in rows if r.taken_at <= until] for code, rows in readings.items()
        }
    return [
        goal_progress(goal, readings.get(goal.get("measure") or "", [])) for goal in version.goals
    ]


# --- writing a plan version ----------------------------------------------------------------
def plan_change_reason(current: TreatmentPlanVersion | None) -> str:
    """The reason a new version starts with: the first plan, or a change after the response."""
    return ChangeReason.RESPONSE if current is not None else ChangeReason.INITIAL


def goals_carried(
    plan_draft: TreatmentPlanDraft | None, current: TreatmentPlanVersion | None
) -> list | None:
    """The goals a new version starts from: the drafted version's, else the current version's
    (None without either)."""
    if plan_draft is not None:
        return plan_draft.values.get("goals")
    return current.goals if current is not None else None


def protocol_to_offer(
    patient, requested: str | None, current: TreatmentPlanVersion | None
) -> ProtocolTemplate | None:
    """The protocol the plan form opens with: the one asked for (an active one), else the
    current version's, else an active IV protocol for one of the patient's conditions, else
    any active protocol."""
    requested = requested or ""
    protocol = (
        ProtocolTemplate.objects.filter(pk=requested or 0, is_active=True).first()
        if requested.isdigit()
        else None
    )
    if protocol is None and current is not None:
        protocol = current.protocol
    if protocol is None:
        protocol = (
            ProtocolTemplate.objects.filter(
                is_active=True, indication__in=patient.primary_conditions, route=Route.IV
            ).first()
            or ProtocolTemplate.objects.filter(is_active=True).first()
        )
    return protocol


def plan_values_carried(
    current: TreatmentPlanVersion | None, plan_draft: TreatmentPlanDraft | None
) -> dict:
    """What a new version keeps over the protocol's defaults: the current version's dose, weight
    basis and targets, then every value of the drafted version being checked."""
    values: dict = {}
    if current is not None:
        values.update(
            dose=current.dose.normalize(),
            weight_basis=current.weight_basis or "actual",
            target_outcomes=current.target_outcomes,
        )
    if plan_draft is not None:
        values.update(plan_draft.values)
    return values
