from django import template

from clinic.assessments.choices import AlertAction, flag_label
from clinic.assessments.instruments import INSTRUMENTS

register = template.Library()


@register.filter
def band_label(code: str, instrument) -> str:
    return instrument.band_label(code)


@register.filter
def instrument_name(code: str) -> str:
    instrument = INSTRUMENTS.get(code)
    return instrument.short_name if instrument else code


@register.filter
def instrument_names(codes) -> str:
    """Instruments named as staff know them ("PHQ-9, GAD-7"), never by their internal codes."""
    return ", ".join(instrument_name(code) for code in codes or [])


@register.filter
def flag_labels(flags) -> str:
    """A response's flags in words ("PHQ-9 item 9: thoughts of death or self-harm")."""
    return "; ".join(flag_label(flag) for flag in sorted(flags or []))


@register.filter
def signed(value) -> str:
    if value is None:
        return ""
    text = f"{value.normalize():f}" if hasattr(value, "normalize") else str(value)
    return text if text.startswith("-") or text in {"0", "0.0"} else f"+{text}"


@register.filter
def answer_label(item, value) -> str:
    return item.label_of(value) if value is not None else "—"


@register.filter
def alert_actions(codes) -> str:

    labels = dict(AlertAction.choices)
    return "; ".join(str(labels.get(code, code)) for code in codes or [])
