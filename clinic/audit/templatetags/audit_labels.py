from django import template

from clinic.audit.labels import code_label

register = template.Library()


@register.filter(name="code_label")
def code_label_filter(value, key: str = "") -> str:
    """A stored code in words: `{{ event.actor_role|code_label:"role" }}` is "Medical director"."""
    return code_label(value, key)
