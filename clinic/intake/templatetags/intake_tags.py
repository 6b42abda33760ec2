from django import template

from clinic.intake.choices import ContactTime

register = template.Library()


@register.filter
def contact_times(codes) -> str:
    labels = dict(ContactTime.choices)
    return ", ".join(str(labels.get(code, code)) for code in codes or []) or "any time"
