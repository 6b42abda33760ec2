from django import template

from clinic.treatment import selectors
from clinic.treatment.goals import describe_target

register = template.Library()


@register.inclusion_tag("treatment/_pump_settings.html")
def pump_settings(plan_version, dose_mg=None, weight_kg=None):
    """The pump settings panel for an IV plan version (today's dose and weight when given)."""
    return {
        "pump": selectors.pump_settings(plan_version, dose_mg=dose_mg, weight_kg=weight_kg),
    }


@register.inclusion_tag("treatment/_pump_settings.html")
def pump_settings_of(pump):
    """The same panel for settings already worked out (the plan preview)."""
    return {"pump": pump}


@register.filter
def goal_target(goal) -> str:
    """A goal's target in words ("PHQ-9 below 10 by Mar 1, 2027")."""
    return describe_target(goal)
