from __future__ import annotations

from clinic.audit.choices import AuditEventType
from clinic.audit.services import record_audit_event
from clinic.treatment.choices import PlanStatus
from clinic.treatment.models import TreatmentPlan, TreatmentPlanVersion


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


def record_plan_viewed(viewer, patient, current: TreatmentPlanVersion | None) -> None:
    """The plan page shows the current plan (dose, indications, schedule) and the evaluation it
    rests on: every showing is audited (HIPAA §164.312(b) audit controls)."""
    record_audit_event(
        actor=viewer,
        event_type=AuditEventType.PLAN_VIEWED,
        target=current,
        patient_id=patient.pk,
        location_id=patient.location_id,
        details={"version": current.number} if current else {},
    )
