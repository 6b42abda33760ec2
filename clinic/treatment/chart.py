"""The chart's "Plan" section: the current plan and every signed version before it."""

from django.template.loader import render_to_string
from django.urls import reverse

from clinic.assessments.hooks import on_beside_scores
from clinic.core.choices import Route
from clinic.core.integrity import report_broken_seal
from clinic.core.template_choices import template_choices
from clinic.evaluation.selectors import has_current_consent
from clinic.patients.chart import (
    ChartSection,
    register_chart_banner,
    register_chart_section,
    register_chart_summary,
)
from clinic.treatment import selectors
from clinic.treatment.integrity import plan_version_seal_problems
from clinic.treatment.permissions import (
    PLAN_READ_ROLES,
    can_record_rems_enrolment,
    can_write_plans,
)
from clinic.treatment.rules import REMS_COUNTRY


def _plan_context(viewer, patient):
    current = selectors.current_plan_version(patient)
    history = selectors.plan_history(patient)
    enrolment = selectors.current_rems_enrolment(patient)
    problems = [
        problem
        for version in history
        for problem in plan_version_seal_problems(version, patient=patient)
    ]
    return {
        "plan": current.plan if current else None,
        "current": current,
        "history": history,
        "can_write": can_write_plans(viewer),
        "plan_draft": selectors.open_plan_draft(patient),
        "rems_enrolment": enrolment,
        # Shown where the REMS binds: a US patient whose plan is esketamine, or who is enrolled.
        "rems_shown": patient.location.country == REMS_COUNTRY
        and (enrolment is not None or (current is not None and current.route == Route.INTRANASAL)),
        "can_enrol": can_record_rems_enrolment(viewer),
        "goal_progress": selectors.plan_goal_progress(patient, current) if current else [],
        "seal": report_broken_seal(
            viewer=viewer,
            record=current.plan if current else None,
            problems=problems,
            patient_id=patient.pk,
            location_id=patient.location_id,
        ),
    }


register_chart_section(
    ChartSection(
        "plan",
        "Treatment plan",
        "treatment/chart_section.html",
        30,
        frozenset(PLAN_READ_ROLES),
        _plan_context,
    )
)


def _plan_summary(viewer, patient):
    if viewer.role not in PLAN_READ_ROLES:
        return []
    version = selectors.current_plan_version(patient)
    if version is None:
        return [{"label": "Plan", "value": "none yet", "level": "muted"}]
    consent = has_current_consent(patient, version.route)
    value = f"v{version.number}: {version.get_route_display()} {version.dose_mg} mg, {version.induction_sessions} sessions"
    items = [{"label": "Plan", "value": value, "level": "ok"}]
    if not consent:
        items.append(
            {
                "label": "Consent",
                "value": f"missing for {version.get_route_display()}: no session can start",
                "level": "warning",
            }
        )
    return items


def _consent_needed_banner(viewer, patient):
    """A patient whose plan's route lacks a current signed consent is asked to sign it."""
    if viewer.pk is None or patient.user_id != viewer.pk:
        return []
    version = selectors.current_plan_version(patient)
    if version is None or has_current_consent(patient, version.route):
        return []
    return [
        {
            "level": "info",
            "text": f"Please read and sign the consent for {version.get_route_display().lower()} before your first session.",
            "url": reverse("evaluation:my_consent"),
            "link_text": "Read and sign",
        }
    ]


register_chart_summary(_plan_summary)
register_chart_banner(_consent_needed_banner)


@on_beside_scores
def _goal_progress_beside_scores(viewer, patient) -> str:
    """Progress toward the plan's goals, above the score charts (staff who read plans)."""
    if viewer.role not in PLAN_READ_ROLES:
        return ""
    version = selectors.current_plan_version(patient)
    progress = selectors.plan_goal_progress(patient, version) if version else []
    if not progress:
        return ""
    return render_to_string(
        "treatment/_goal_progress.html",
        # Rendered without a request, so without the context processors.
        {**template_choices(), "goal_progress": progress, "version": version},
    )
