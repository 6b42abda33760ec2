"""What the audit log shows instead of the codes it stores.

An audit row keeps codes as they were written (`actor_role="medical_director"`,
`details={"kind": "rate_reduced"}`, `target_type="sessions.treatmentsession"`): the trail is
evidence and is never rewritten. The log's page reads them back in words. The audit app ranks
below every other app and imports none of them, so it finds what it can on its own (the models'
choices, a record's own name) and the apps that own other codes (an instrument's item codes, the
scoring's flags) register their labels from their `AppConfig.ready()`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from functools import cache

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.text import capfirst

_registered_labels: dict[str, dict[str, str]] = defaultdict(dict)


def register_code_labels(labels: Mapping[str, str], *, key: str = "") -> None:
    """Codes that are no model field's choices (item codes, flags), as people read them; with
    `key`, only where the details name them so (a chart "section")."""
    _registered_labels[key].update(labels)


@cache
def _choice_labels() -> tuple[dict[str, dict[str, str]], dict[str, str]]:
    """Every model field's choices: by the field's name, and by value alone (the first wins)."""
    by_field: dict[str, dict[str, str]] = defaultdict(dict)
    by_value: dict[str, str] = {}
    for model in apps.get_models():
        if not model.__module__.startswith("clinic."):
            continue
        for field in model._meta.get_fields():
            for value, label in getattr(field, "flatchoices", None) or ():
                if isinstance(value, str) and value:
                    by_field[field.name].setdefault(value, str(label))
                    by_value.setdefault(value, str(label))
    # Choices kept in a list or JSON field (a side effect's interventions) are on no field.
    pending = list(models.TextChoices.__subclasses__())
    while pending:
        choices = pending.pop()
        pending.extend(choices.__subclasses__())
        if choices.__module__.startswith("clinic."):
            for value, label in choices.choices:
                by_value.setdefault(value, str(label))
    return dict(by_field), by_value


def code_label(value: str, key: str = "") -> str:
    """A stored code in words: the label of the field named `key` first (a "status" of one
    model and another can say different things), then any field's, then a registered one; a
    value that is no code (free text, a number) is returned as it is."""
    if not isinstance(value, str) or not value:
        return value
    by_field, by_value = _choice_labels()
    if value in by_field.get(key, {}):
        return by_field[key][value]
    for registered in (_registered_labels.get(key, {}), _registered_labels.get("", {})):
        if value in registered:
            return registered[value]
    return by_value.get(value, value)


def _model_of(target_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(target_type)
    except (LookupError, ValueError):
        return None


def _kind_of(target_type: str) -> str:
    model = _model_of(target_type)
    return capfirst(str(model._meta.verbose_name) if model is not None else target_type)


def fallback_target_label(target_type: str, target_id: str) -> str:
    """ "Treatment session, record 55": a record that is gone, or an export that reads none."""
    if not target_type:
        return ""
    kind = _kind_of(target_type)
    return f"{kind}, record {target_id}" if target_id else kind


def _patient_field(model: type[models.Model]) -> str | None:
    for field in model._meta.get_fields():
        related = getattr(field, "related_model", None)
        label = getattr(getattr(related, "_meta", None), "label_lower", "")
        if isinstance(field, models.ForeignKey) and label == "patients.patient":
            return field.name
    return None


def target_labels(targets: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """What each (target_type, target_id) names, in words: "Alice Moreno (KC-000001)",
    "Treatment session of Alice Moreno (KC-000001)", "Boston". One query for each kind of record
    on the page, so the log's page costs the same whatever it lists."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for target_type, target_id in targets:
        if target_type and target_id:
            wanted[target_type].add(target_id)
    names: dict[tuple[str, str], str] = {}
    for target_type, ids in wanted.items():
        model = _model_of(target_type)
        if model is None:
            continue
        patient_field = _patient_field(model)
        # The rows a name reads are read with it: a record's name must not cost a query each.
        rows = model._base_manager.select_related(*([patient_field] if patient_field else []))
        try:
            found = rows.in_bulk([model._meta.pk.to_python(i) for i in ids])
        except (ValidationError, ValueError, TypeError):
            continue
        kind = _kind_of(target_type)
        for pk, row in found.items():
            if patient_field:
                name = f"{kind} of {getattr(row, patient_field)}"
            elif model.__str__ is not models.Model.__str__:
                name = str(row)
            else:
                continue
            names[(target_type, str(pk))] = name
    return names
