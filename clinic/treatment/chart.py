"""The chart's "Plan" section: the current plan and every signed version before it."""

from clinic.patients.chart import ChartSection, register_chart_section
from clinic.treatment import selectors
from clinic.treatment.permissions import PLAN_READ_ROLES, can_write_plans


def _plan_context(viewer, patient):
    plan = selectors.active_plan(patient)
    return {
        "plan": plan,
        "current": selectors.current_version(plan),
        "history": selectors.plan_history(patient),
        "can_write": can_write_plans(viewer),
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
