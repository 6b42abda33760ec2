from django import template

from clinic.evaluation.opioids import shown

register = template.Library()


@register.filter
def mme(value) -> str:
    """An MME figure or daily amount, one decimal place at most."""
    return shown(value)
