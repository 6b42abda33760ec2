"""Validating a record before it is written, without asking the database first.

Django's `full_clean()` reads the database to check a record: one query for each foreign key
(does the row exist?), one for each unique field, one (in a savepoint) for each check constraint.
The database enforces all of these itself when the row is written, so a service that writes many
rows pays for every check twice. `clean_without_queries()` runs the same checks that need no
database: each field's own validation, the model's `clean()`, and the check constraints, worked
out in Python with SQL's rules for NULL. Foreign keys and uniqueness are left to the database;
when it refuses a write, `explain_refusal()` runs Django's own `full_clean()` on the records,
with its queries, to give the same message the check before the write would have given.
"""

from __future__ import annotations

import contextvars
import operator
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.db import IntegrityError, models
from django.db.models import F, Q
from django.db.models.expressions import DatabaseDefault

# The records checked by `clean_without_queries()` inside `explain_refusal()`.
_checked: contextvars.ContextVar[list | None] = contextvars.ContextVar(
    "clinic_records_checked_without_queries", default=None
)


class _CannotWorkOut(Exception):
    """The condition uses something this module does not evaluate: the database checks it."""


class _Excluded(Exception):
    """The condition names a field left out of validation: skipped, as `full_clean()` skips it."""


_ORDERING = {
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
}
# Compared in Python only where Python and SQL order alike (never text: collations differ).
_ORDERED_FIELDS = (
    models.IntegerField,
    models.DecimalField,
    models.FloatField,
    models.DateField,
    models.DateTimeField,
    models.DurationField,
)


def _value(instance, name: str, exclude: set[str]):
    if name == "pk":
        field = instance._meta.pk
    else:
        try:
            field = instance._meta.get_field(name)
        except FieldDoesNotExist as error:
            raise _CannotWorkOut(name) from error
    if not field.concrete or field.many_to_many or field.one_to_many:
        raise _CannotWorkOut(name)
    if field.name in exclude:
        raise _Excluded(name)
    return field, getattr(instance, field.attname)


def _lookup(instance, name: str, rhs, exclude: set[str]) -> bool | None:
    """One `field__lookup=value` of a condition: True, False, or None for SQL's "unknown"."""
    field_name, _, lookup = name.partition("__")
    lookup = lookup or "exact"
    if "__" in lookup:
        raise _CannotWorkOut(name)
    field, value = _value(instance, field_name, exclude)
    if isinstance(rhs, F):
        rhs = _value(instance, rhs.name, exclude)[1]
    elif hasattr(rhs, "resolve_expression"):
        raise _CannotWorkOut(name)
    elif lookup == "exact" and rhs is None:
        # `field=None` is Django's way of writing IS NULL (a column equal to NULL is unknown).
        lookup, rhs = "isnull", True
    if isinstance(value, DatabaseDefault) or isinstance(rhs, DatabaseDefault):
        raise _CannotWorkOut(name)
    if lookup == "isnull":
        return (value is None) == bool(rhs)
    if value is None:
        return None
    try:
        if lookup == "exact":
            return None if rhs is None else value == rhs
        if lookup == "in":
            choices = list(rhs)
            if value in [c for c in choices if c is not None]:
                return True
            return None if None in choices else False
        if lookup in _ORDERING:
            if not isinstance(field, _ORDERED_FIELDS) or isinstance(value, str | bytes):
                raise _CannotWorkOut(name)
            return None if rhs is None else _ORDERING[lookup](value, rhs)
    except TypeError as error:
        raise _CannotWorkOut(name) from error
    raise _CannotWorkOut(name)


def _holds(instance, condition: Q, exclude: set[str]) -> bool | None:
    """A condition in three-valued logic (SQL's): None is "unknown"."""
    results = [
        _holds(instance, child, exclude)
        if isinstance(child, Q)
        else _lookup(instance, child[0], child[1], exclude)  # type: ignore[index]  # a leaf is (lookup, value)
        for child in condition.children
    ]
    if condition.connector == Q.AND:
        result = False if False in results else (None if None in results else True)
    elif condition.connector == Q.OR:
        result = True if True in results else (None if None in results else False)
    else:
        raise _CannotWorkOut(condition.connector)
    if condition.negated:
        return None if result is None else not result
    return result


def _check_constraint_holds(instance, constraint: models.CheckConstraint, exclude: set[str]):
    """Whether the row passes the constraint as the database would judge it (a CHECK passes
    unless its condition is false), or None when it names an excluded field."""
    try:
        return _holds(instance, Q(constraint.condition), exclude) is not False
    except _Excluded:
        return None


def _validate_constraints(instance, exclude: set[str]) -> None:
    """`Model.validate_constraints()` for check constraints, without the query; unique
    constraints are the database's. A condition this module cannot work out is checked by Django
    (its query)."""
    errors: dict = {}
    for model_class, constraints in instance.get_constraints():
        for constraint in constraints:
            if isinstance(constraint, models.UniqueConstraint):
                continue
            try:
                if isinstance(constraint, models.CheckConstraint):
                    try:
                        holds = _check_constraint_holds(instance, constraint, exclude)
                    except _CannotWorkOut:
                        constraint.validate(model_class, instance, exclude=exclude)  # type: ignore[attr-defined]
                    else:
                        if holds is False:
                            raise ValidationError(
                                constraint.get_violation_error_message(),
                                code=constraint.violation_error_code,
                            )
                else:
                    constraint.validate(model_class, instance, exclude=exclude)
            except ValidationError as error:
                errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


def _clean_fields(instance, exclude: set[str]) -> None:
    """`Model.clean_fields()`, but a foreign key is only checked for being given when required,
    not looked up (the database refuses a key to no row)."""
    errors = {}
    for field in instance._meta.fields:
        if field.name in exclude or field.generated:
            continue
        raw_value = getattr(instance, field.attname)
        if field.blank and raw_value in field.empty_values:
            continue
        if isinstance(raw_value, DatabaseDefault):
            continue
        try:
            if field.many_to_one or field.one_to_one:
                if field.get_limit_choices_to():
                    # A restriction the database does not enforce: Django's own check.
                    value = field.clean(raw_value, instance)
                else:
                    value = field.to_python(raw_value)
                    models.Field.validate(field, value, instance)
                    field.run_validators(value)
            else:
                value = field.clean(raw_value, instance)
            setattr(instance, field.attname, value)
        except ValidationError as error:
            errors[field.name] = error.error_list
    if errors:
        raise ValidationError(errors)


def clean_without_queries(
    instance, *, exclude: Iterable[str] = (), validate_constraints: bool = True
) -> None:
    """What `instance.full_clean(exclude=…, validate_constraints=…)` checks that needs no
    database, with the same messages: each field, `clean()`, the check constraints. Foreign keys
    and uniqueness are checked by the database when the row is written; inside
    `explain_refusal()` its refusal is explained."""
    checked = _checked.get()
    if checked is not None:
        checked.append(instance)
    exclude = set(exclude)
    errors: dict = {}
    try:
        _clean_fields(instance, exclude)
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    try:
        instance.clean()
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    if validate_constraints:
        # As full_clean(): constraints are checked only on the fields that passed.
        exclude |= {name for name in errors if name != NON_FIELD_ERRORS}
        try:
            _validate_constraints(instance, exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


@contextmanager
def explain_refusal() -> Iterator[None]:
    """Around a transaction whose records were checked with `clean_without_queries()`: when the
    database refuses the write (a key to no row, a duplicate, a check), say why as Django's
    `full_clean()` says it, run on those records with its queries once the transaction has been
    rolled back. A refusal that no check explains is raised as it is. Put it outside the
    transaction (a key is checked when the transaction commits, and PostgreSQL answers nothing
    more in a transaction that failed)."""
    if _checked.get() is not None:
        yield
        return
    checked: list = []
    token = _checked.set(checked)
    try:
        yield
    except IntegrityError as refusal:
        _checked.reset(token)
        token = None  # type: ignore[assignment]  # reset: the finally below must not reset it twice
        for instance in checked:
            try:
                instance.full_clean()
            except ValidationError as error:
                raise error from refusal
        raise
    finally:
        if token is not None:
            _checked.reset(token)
