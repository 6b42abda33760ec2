"""The chart's "Evaluation" section: where the patient stands before treatment."""

from clinic.evaluation import selectors
from clinic.evaluation.choices import EvaluationStatus
from clinic.evaluation.permissions import CONSENT_WITNESS_ROLES, READ_ROLES, can_evaluate
from clinic.patients.chart import ChartSection, register_chart_section


def _evaluation_context(viewer, patient):
    evaluation = selectors.latest_evaluation(patient)
    findings = selectors.run_screen(evaluation)[1] if evaluation else []
    return {
        "evaluation": evaluation,
        "open_evaluation": evaluation is not None
        and evaluation.status == EvaluationStatus.IN_PROGRESS,
        "findings": findings,
        "consent": selectors.consent_status(patient),
        "can_evaluate": can_evaluate(viewer),
        "can_witness": viewer.role in CONSENT_WITNESS_ROLES,
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
