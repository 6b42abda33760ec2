from django import template
from django.utils import timezone

from clinic.core.choices import condition_labels
from clinic.core.phone import for_display
from clinic.core.validators import age_in_years

register = template.Library()


@register.filter
def conditions(codes) -> str:
    return ", ".join(condition_labels(list(codes or []))) or "—"


@register.filter
def age(date_of_birth) -> int | str:
    if not date_of_birth:
        return ""
    return age_in_years(date_of_birth, timezone.localdate())


@register.filter
def split(text: str) -> list[str]:
    return text.split()


@register.filter
def field(form, name: str):
    return form[name]


@register.filter
def phone(value) -> str:
    """A stored E.164 number as people read it: (617) 555-0100, or +44 20 7946 0958 abroad."""
    return for_display(value or "")


@register.filter
def status_phrase(label) -> str:
    """A status label written for a table cell, inside a sentence that already has its own
    brackets or dash: “Active (used for new decisions)” reads “active, used for new decisions”."""
    text = str(label or "")
    head, bracket, rest = text.partition(" (")
    if bracket and rest.endswith(")"):
        text = f"{head}, {rest[:-1]}"
    return text[:1].lower() + text[1:]
