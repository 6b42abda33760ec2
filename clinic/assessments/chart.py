"""The chart's "Assessments" section and its safety-alert banner."""

from django.urls import reverse

from clinic.accounts.choices import Role
from clinic.assessments import selectors
from clinic.assessments.checks import open_check_of
from clinic.assessments.choices import AlertStatus, Respondent
from clinic.assessments.forms import SendQuestionnairesForm
from clinic.assessments.hooks import beside_scores
from clinic.assessments.instruments import INSTRUMENTS
from clinic.assessments.models import SafetyAlert, SideEffectCheck
from clinic.assessments.permissions import (
    RESULT_ROLES,
    SEND_ROLES,
    TABLET_ROLES,
    can_resolve_safety_alerts,
    can_view_results,
)
from clinic.assessments.policy import instruments_for_conditions, patient_answered
from clinic.assessments.progress import in_plain_words
from clinic.assessments.svg import progress_svg
from clinic.core.dates import show_datetime
from clinic.patients.chart import ChartSection, register_chart_banner, register_chart_section
from clinic.patients.policy import get_patient_policy
from clinic.patients.portal import PortalPanel, register_portal_panel


def _assessments_context(viewer, patient):
    results = can_view_results(viewer)
    default_codes = patient_answered(instruments_for_conditions(patient.primary_conditions))
    context = {
        "can_view_results": results,
        "can_resolve": can_resolve_safety_alerts(viewer),
        "can_hand_over_tablet": viewer.role in TABLET_ROLES,
        "send_form": SendQuestionnairesForm(
            initial={"instrument_codes": default_codes or ["phq9"]}
        ),
        "open_requests": selectors.open_requests(patient),
        "instruments": list(INSTRUMENTS.values()),
    }
    if results:
        progress = selectors.patient_progress(patient)
        context.update(
            progress=[(p, progress_svg(p) if p.instrument.charted else "") for p in progress],
            responses=selectors.recent_responses(patient),
            alerts=selectors.patient_alerts(patient),
            beside_scores=beside_scores(viewer, patient),
        )
    return context


register_chart_section(
    ChartSection(
        "assessments",
        "Assessments",
        "assessments/chart_section.html",
        10,
        frozenset(SEND_ROLES),
        _assessments_context,
    )
)


def _open_alert_banner(viewer, patient):
    if not can_view_results(viewer):
        return []
    alerts = list(
        SafetyAlert.objects.filter(patient=patient, status=AlertStatus.OPEN).order_by("raised_at")[
            :3
        ]
    )
    return [
        {
            "level": "error",
            "text": f"Urgent safety alert: {alert.get_reason_display()} (raised {show_datetime(alert.raised_at)}).",
            "url": reverse("assessments:alert", args=[alert.public_id]),
            "link_text": "Record what was done",
        }
        for alert in alerts
    ]


register_chart_banner(_open_alert_banner)


def _questionnaires_waiting_banner(viewer, patient):
    """A patient looking at their own record sees the questionnaires waiting for them."""
    if viewer.pk is None:
        return []
    if getattr(viewer, "role", None) == Role.GUARDIAN:
        if not get_patient_policy().guardians_see_questionnaire_answers:
            return []
        waiting = selectors.guardian_requests(patient)
        intro = f"{patient.display_name}'s care team asks them to answer"
    elif patient.user_id != viewer.pk:
        return []
    else:
        waiting = selectors.portal_requests(viewer)
        intro = "Your care team asks you to answer"
    return [
        {
            "level": "info",
            "text": f"{intro}: {', '.join(INSTRUMENTS[c].short_name for c in request.instrument_codes)}.",
            "url": reverse("assessments:portal_start", args=[request.public_id]),
            "link_text": "Answer now",
        }
        for request in waiting
    ]


register_chart_banner(_questionnaires_waiting_banner)


def _side_effects_context(viewer, patient):
    """Every side-effect report on one timeline, newest first (opening the section is audited as
    a chart view by the chart itself)."""
    return {
        "side_effect_reports": selectors.list_side_effect_reports(viewer, patient),
        "side_effect_checks": list(
            SideEffectCheck.objects.filter(patient=patient).select_related("report")[:12]
        ),
    }


register_chart_section(
    ChartSection(
        "side_effects",
        "Side effects",
        "assessments/chart_side_effects.html",
        11,
        frozenset(RESULT_ROLES),
        _side_effects_context,
    )
)


def _side_effect_banner(viewer, patient):
    """Staff who may read it see that a side-effect report waits for review."""
    if not can_view_results(viewer):
        return []
    waiting = selectors.reports_waiting_for_review(patient)
    if not waiting:
        return []
    latest = waiting[-1]
    return [
        {
            "level": "warning",
            "text": f"{len(waiting)} side-effect report{'s' if len(waiting) != 1 else ''} from the patient to review (latest {show_datetime(latest.reported_at)}: {'; '.join(latest.symptom_labels)}).",
            "url": reverse("assessments:side_effect_report", args=[latest.public_id]),
            "link_text": "Review",
        }
    ]


register_chart_banner(_side_effect_banner)


def _my_progress_panel(patient):
    """The patient's scores over time, in plain words, with a simple line of each."""
    progress = selectors.patient_progress(patient)
    if not progress:
        return None
    return {
        "progress": [
            (
                p,
                in_plain_words(p),
                progress_svg(p) if p.instrument.charted and p.has_follow_up else "",
            )
            for p in progress
            if p.instrument.respondent == Respondent.PATIENT
        ]
    }


def _side_effect_check_panel(patient):
    """The care team's side-effect check waiting for the patient, first on their home page."""
    check = open_check_of(patient)
    return {"check": check} if check is not None else None


register_portal_panel(
    PortalPanel("side_effect_check", 5, "assessments/portal_check.html", _side_effect_check_panel)
)


register_portal_panel(
    PortalPanel(
        "my_progress",
        20,
        "assessments/portal_progress.html",
        _my_progress_panel,
        shows_answers=True,
    )
)
