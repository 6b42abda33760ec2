"""The chart's "Evaluation" section: where the patient stands before treatment."""

from clinic.core.integrity import report_broken_seal
from clinic.evaluation import selectors
from clinic.evaluation.choices import Decision, EvaluationStatus, RuleSeverity
from clinic.evaluation.integrity import consent_signature_problems
from clinic.evaluation.models import ConsentSignature
from clinic.evaluation.permissions import CONSENT_WITNESS_ROLES, READ_ROLES, can_evaluate
from clinic.patients.chart import (
    ChartSection,
    register_chart_banner,
    register_chart_section,
    register_chart_summary,
)
from clinic.patients.portal import PortalPanel, register_portal_panel


def _evaluation_context(viewer, patient):
    evaluation = selectors.latest_evaluation(patient)
    findings = selectors.run_screen(evaluation)[1] if evaluation else []
    consent = selectors.consent_status(patient)
    # Each signature shown is checked against the text it signed.
    problems = [
        problem
        for row in consent
        for signature in (row["signature"], row["guardian_signature"])
        if signature is not None
        for problem in consent_signature_problems(signature)
    ]
    return {
        "evaluation": evaluation,
        "open_evaluation": evaluation is not None
        and evaluation.status == EvaluationStatus.IN_PROGRESS,
        "findings": findings,
        "consent": consent,
        "seal": report_broken_seal(
            viewer=viewer,
            record=None,
            problems=problems,
            patient_id=patient.pk,
            location_id=patient.location_id,
        ),
        "can_evaluate": can_evaluate(viewer),
        "can_witness": viewer.role in CONSENT_WITNESS_ROLES,
        "education_opened": selectors.education_pages_opened(patient, limit=20),
    }


register_chart_section(
    ChartSection(
        "evaluation",
        "Evaluation & consent",
        "evaluation/chart_section.html",
        20,
        frozenset(READ_ROLES),
        _evaluation_context,
    )
)


def _evaluation_summary(viewer, patient):
    """Evaluation and consent at a glance, for clinical roles."""
    if viewer.role not in READ_ROLES:
        return []
    evaluation = selectors.latest_evaluation(patient)
    if evaluation is None:
        items = [{"label": "Evaluation", "value": "pending", "level": "warning"}]
    elif not evaluation.is_locked:
        items = [{"label": "Evaluation", "value": "in progress", "level": "warning"}]
    else:
        absolute = sum(
            1 for f in evaluation.screen_findings if f["severity"] == RuleSeverity.ABSOLUTE
        )
        relative = len(evaluation.screen_findings) - absolute
        flags = (
            f" · {absolute} absolute, {relative} relative flag(s)"
            if evaluation.screen_findings
            else ""
        )
        level = "ok" if evaluation.decision == Decision.SUITABLE else "warning"
        items = [
            {
                "label": "Decision",
                "value": f"{evaluation.get_decision_display()}{flags}",
                "level": level,
            }
        ]
    signed = [row["document"].title for row in selectors.consent_status(patient) if row["complete"]]
    items.append(
        {
            "label": "Consent",
            "value": ", ".join(signed) if signed else "none signed",
            "level": "ok" if signed else "warning",
        }
    )
    return items


register_chart_summary(_evaluation_summary)


def allergy_banners(viewer, patient):
    """The patient's allergies, above the chart and on the session pages, for clinical roles."""
    if getattr(viewer, "role", None) not in READ_ROLES:
        return []
    allergies = selectors.patient_allergies(patient)
    if allergies["items"]:
        return [{"level": "error", "text": f"Allergies: {'; '.join(allergies['items'])}"}]
    if allergies["none_known"]:
        return [{"level": "info", "text": "No known allergies"}]
    return []


register_chart_banner(allergy_banners)


def _signed_consent_panel(patient):
    """The consent forms the patient signed, each downloadable as a PDF."""
    signatures = list(
        ConsentSignature.objects.filter(patient=patient, withdrawn_at__isnull=True)
        .select_related("document")
        .order_by("-signed_at")[:20]
    )
    return {"signatures": signatures}


register_portal_panel(
    PortalPanel("signed_consent", 40, "evaluation/portal_consent.html", _signed_consent_panel)
)


def _medicines_context(viewer, patient):
    series = selectors.mme_series(patient)
    return {"series": list(reversed(series[-12:])), "latest": series[-1] if series else None}


register_chart_section(
    ChartSection(
        "medicines",
        "Medicines & opioid dose",
        "evaluation/chart_medicines.html",
        25,
        frozenset(READ_ROLES),
        _medicines_context,
    )
)
