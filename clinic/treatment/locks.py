"""Row locks on treatment plans and their drafts, held until the transaction ends.

A step that changes a patient's plan locks the patient's row first
(`clinic.patients.locks.lock_patient`), then the drafts; several drafts are locked in
primary-key order.
"""

from __future__ import annotations

from clinic.treatment.choices import PlanDraftStatus
from clinic.treatment.models import TreatmentPlan, TreatmentPlanDraft


def lock_plan(plan_id: int) -> TreatmentPlan:
    """The plan's row, locked (DoesNotExist if there is none)."""
    return TreatmentPlan.objects.select_for_update().get(pk=plan_id)


def lock_plan_draft(draft_id: int) -> TreatmentPlanDraft:
    """The drafted version's row, locked (DoesNotExist if there is none)."""
    return TreatmentPlanDraft.objects.select_for_update().get(pk=draft_id)


def lock_open_plan_draft(draft_id: int, *, patient_id: int) -> TreatmentPlanDraft | None:
    """The draft, locked, if it is this patient's and still open; None if not."""
    return (
        TreatmentPlanDraft.objects.select_for_update()
        .filter(pk=draft_id, patient_id=patient_id, status=PlanDraftStatus.OPEN)
        .first()
    )


def lock_open_plan_drafts_of(patient_id: int) -> list[TreatmentPlanDraft]:
    """The patient's open drafts, locked in primary-key order."""
    return list(
        TreatmentPlanDraft.objects.select_for_update()
        .filter(patient_id=patient_id, status=PlanDraftStatus.OPEN)
        .order_by("pk")
    )
