from __future__ import annotations

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
