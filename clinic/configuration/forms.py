"""The configuration forms: one labelled field (with its unit) per configurable value, made from
the target's table so that the field's own limits apply, and the table's rules checked on the
would-be row (its validators, clean() and constraints) beside each field."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.validators import MaxLengthValidator
from django.db import models

from clinic.configuration.targets import ConfigField, ConfigTarget
from clinic.evaluation.choices import RuleOperator, RuleSeverity
from clinic.evaluation.rules import SCREENABLE_FIELDS

MAX_LIST_ITEMS = 24


class NumberListField(forms.CharField):
    """Numbers typed as "56, 84" (stored as a JSON list)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 200)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return ", ".join(str(item) for item in value)
        return value

    def clean(self, value: Any) -> list[int | float]:
        text = super().clean(value) or ""
        parts = [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]
        if len(parts) > MAX_LIST_ITEMS:
            raise forms.ValidationError(f"At most {MAX_LIST_ITEMS} numbers.")
        numbers: list[int | float] = []
        for part in parts:
            try:
                number = Decimal(part)
            except InvalidOperation:
                raise forms.ValidationError(
                    f"“{part[:20]}” is not a number: separate numbers with commas, e.g. 56, 84."
                ) from None
            if not number.is_finite() or number < 0 or number > 10000:
                raise forms.ValidationError(f"“{part[:20]}” is not a number from 0 to 10000.")
            numbers.append(int(number) if number == number.to_integral_value() else float(number))
        return numbers


def _form_field(target: ConfigTarget, row: models.Model, config_field: ConfigField) -> forms.Field:
    unit = config_field.unit_for(row)
    label = f"{config_field.label} ({unit})" if unit else config_field.label
    if config_field.number_list:
        return NumberListField(label=label, help_text=config_field.help)
    if config_field.choices:
        # Not required here: the target's rules say "Choose at least one …" in their own words.
        return forms.MultipleChoiceField(
            label=label,
            help_text=config_field.help,
            choices=config_field.choices,
            widget=forms.CheckboxSelectMultiple,
            required=False,
        )
    model_field = target.model_field(config_field.name)
    form_field = model_field.formfield()
    if form_field is None:  # pragma: no cover - every configured field is editable
        raise LookupError(config_field.name)
    form_field.label = label
    form_field.help_text = config_field.help
    if isinstance(form_field, forms.DecimalField | forms.IntegerField):
        form_field.widget.attrs.setdefault("inputmode", "decimal")
    if isinstance(model_field, models.TextField):
        form_field.widget.attrs.update({"rows": 4, "maxlength": 4000})
        form_field.validators.append(MaxLengthValidator(4000))
    return form_field


class ConfigurationForm(forms.Form):
    """The values of one configured row, with why they change."""

    reason = forms.CharField(
        label="Why the change (optional)",
        max_length=500,
        required=False,
        help_text="Shown to the reviewer and kept in the history, e.g. “new label, 2026”.",
    )

    def __init__(
        self, data: Any, *, target: ConfigTarget, row: models.Model, values: dict, reason: str = ""
    ) -> None:
        initial = {**values, "reason": reason}
        super().__init__(data, initial=initial)
        self.target = target
        self.row = row
        reason_field = self.fields.pop("reason")
        for config_field in target.fields:
            self.fields[config_field.name] = _form_field(target, row, config_field)
        self.fields["reason"] = reason_field

    def groups(self) -> list[tuple[str, list[forms.BoundField]]]:
        grouped: dict[str, list[forms.BoundField]] = {}
        for config_field in self.target.fields:
            grouped.setdefault(config_field.group, []).append(self[config_field.name])
        return list(grouped.items())

    def values(self) -> dict[str, Any]:
        return {f.name: self.cleaned_data.get(f.name) for f in self.target.fields}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        for name, messages in self.target.validation_errors(self.row, self.values()).items():
            for message in messages:
                self.add_error(name if name in self.fields else None, message)
        return cleaned


class ReviewForm(forms.Form):
    attested = forms.BooleanField(
        label="I have checked these values against their sources", required=False
    )


class AcceptanceForm(forms.Form):
    note = forms.CharField(
        label="Note (optional)",
        max_length=500,
        required=False,
        help_text="e.g. “Matches our sedation policy, reviewed with the nursing lead”.",
    )


class DocumentDraftForm(forms.Form):
    title = forms.CharField(label="Title", max_length=200)
    body = forms.CharField(
        label="Text the patient reads",
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 18}),
        help_text="Plain language. Separate paragraphs with a blank line.",
    )


class ScreeningRuleForm(forms.Form):
    label = forms.CharField(label="Rule", max_length=200)
    severity = forms.ChoiceField(
        label="Severity",
        choices=RuleSeverity.choices,
        help_text="Absolute: do not treat; relative: treat only with caution and a reason.",
    )
    field = forms.ChoiceField(
        label="What the screen reads", choices=list(SCREENABLE_FIELDS.items())
    )
    operator = forms.ChoiceField(label="Comparison", choices=RuleOperator.choices)
    value_text = forms.CharField(
        label="Value",
        max_length=200,
        required=False,
        help_text="For “is one of”, separate values with commas; for “is yes”, leave it empty.",
    )
    advice = forms.CharField(
        label="Advice shown when it fires",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    source = forms.CharField(
        label="Source", max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class RuleSetNotesForm(forms.Form):
    notes = forms.CharField(
        label="What changed in this version and why",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
