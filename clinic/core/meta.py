"""Typed access to a model's fields by name."""

from __future__ import annotations

from typing import TypeVar

from django.db import models

T = TypeVar("T")


def concrete_field(model: type[models.Model], name: str) -> models.Field:
    """The model's field `name`: a column of its own, not a reverse relation (Django's
    `get_field` answers either)."""
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field):
        raise LookupError(f"{model.__name__}.{name} is not a field of its own.")
    return field


def present(value: T | None, what: str) -> T:
    """`value`, which the record's state guarantees is set by now (a dose confirmed has its mg, a
    signed review its plan); `what` names it in the error if that guarantee was ever broken."""
    if value is None:
        raise ValueError(f"{what} is not set.")
    return value
