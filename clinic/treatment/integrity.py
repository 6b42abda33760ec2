"""Recomputing plan versions' signatures (clinic.core.integrity)."""

from __future__ import annotations

from clinic.core.integrity import SealCheck, register_seal_check
from clinic.core.signing import content_sha256
from clinic.treatment.models import TreatmentPlanVersion
from clinic.treatment.services import plan_version_content


def plan_version_seal_problems(version: TreatmentPlanVersion, *, patient=None) -> list[str]:
    """What no longer matches a plan version's signature (`patient`, when the caller has it,
    saves reading it again)."""
    if patient is not None:
        version.plan.patient = patient
    if content_sha256(plan_version_content(version)) != version.content_sha256:
        return [f"Plan version {version.number} differs from what was signed."]
    return []


def register() -> None:
    register_seal_check(
        SealCheck(
            name="plan version",
            records=lambda: TreatmentPlanVersion.objects.select_related("plan__patient").order_by(
                "pk"
            ),
            problems=plan_version_seal_problems,
        )
    )
