"""A screening rule's condition as the director types it and as it reads in words: the value is
typed as text and read by the comparison chosen (a number for "is at least", a list for "is one
of", nothing for "is yes"), then checked by the evaluation app's own validate_rule."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from clinic.evaluation.choices import RuleOperator
from clinic.evaluation.rules import NUMERIC_OPERATORS, SCREENABLE_FIELDS


def value_from_text(operator: str, text: str) -> Any:
    """The rule's value from what was typed (ValueError with a message if it cannot be read)."""
    text = (text or "").strip()
    if operator == RuleOperator.IS_TRUE:
        return None
    if operator == RuleOperator.IN:
        return [part.strip() for part in text.split(",") if part.strip()]
    if operator in NUMERIC_OPERATORS:
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"“{text[:20]}” is not a number.") from None
        if not number.is_finite() or abs(number) > 100_000:
            raise ValueError(f"“{text[:20]}” is not a number the screen can compare.")
        return int(number) if number == number.to_integral_value() else float(number)
    return text or None


def value_as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def condition_in_words(field: str, operator: str, value: Any) -> str:
    """ "Baseline systolic (mmHg) is more than 140"."""
    name = SCREENABLE_FIELDS.get(field, field)
    words = RuleOperator(operator).label if operator in RuleOperator.values else operator
    shown = value_as_text(value).replace("_", " ")
    return f"{name} {words}{f' {shown}' if shown else ''}"
