"""Checks worked out without the database give the answers, and the messages, that Django's own
checks (which ask the database) give."""

import random
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from clinic.core.models import Location, Organisation
from clinic.core.validation import (
    _CannotWorkOut,
    _check_constraint_holds,
    clean_without_queries,
)


def check_constraints():
    for model in apps.get_models():
        for constraint in model._meta.constraints:
            if isinstance(constraint, models.CheckConstraint):
                yield model, constraint


def referenced(condition: Q):
    """(field name, literal) for each lookup of a condition."""
    for child in condition.children:
        if isinstance(child, Q):
            yield from referenced(child)
        else:
            name, value = child
            yield name.split("__")[0], value
            if isinstance(value, F):
                yield value.name, None


def candidates(field, literals):
    """Values worth trying for a field: empty, the condition's own numbers and their
    neighbours, its words, and the field's choices."""
    values = [None]
    for literal in literals:
        if isinstance(literal, list | tuple | set | frozenset):
            values.extend(literal)
        elif isinstance(literal, bool):
            values.extend([True, False])
        elif isinstance(literal, int | Decimal):
            step = Decimal("0.1") if isinstance(literal, Decimal) else 1
            values.extend([literal - step, literal, literal + step])
        elif literal is not None and not isinstance(literal, F):
            values.append(literal)
    if isinstance(field, models.CharField | models.TextField):
        values.extend(["", "other", *(value for value, _ in field.flatchoices or ())])
    elif isinstance(field, models.BooleanField):
        values.extend([True, False])
    elif isinstance(field, models.IntegerField | models.DecimalField):
        numbers = [v for v in values if isinstance(v, int | Decimal) and not isinstance(v, bool)]
        values.extend(n + 50 for n in numbers[:3])
    return values


@pytest.mark.django_db
def test_every_check_constraint_is_judged_as_the_database_judges_it():
    generator = random.Random(1)
    judged = 0
    for model, constraint in check_constraints():
        literals: dict[str, list] = {}
        for name, value in referenced(Q(constraint.condition)):
            literals.setdefault(name, []).append(value)
        fields = {name: model._meta.get_field(name) for name in literals if name != "pk"}
        options = {name: candidates(field, literals[name]) for name, field in fields.items()}
        for _ in range(40):
            instance = model(**{f.attname: generator.choice(options[n]) for n, f in fields.items()})
            try:
                in_python = _check_constraint_holds(instance, constraint, set())
            except _CannotWorkOut:
                continue
            try:
                constraint.validate(model, instance)
                by_database = True
            except ValidationError:
                by_database = False
            assert in_python == by_database, (constraint.name, vars(instance))
            judged += 1
    assert judged > 500


def test_a_failed_constraint_gives_django_s_message_without_a_query(
    location, django_assert_num_queries
):
    organisation = Organisation(name="Second", singleton=False)
    with django_assert_num_queries(0), pytest.raises(ValidationError) as without:
        clean_without_queries(organisation)
    with pytest.raises(ValidationError) as django_own:
        organisation.full_clean(validate_unique=False)
    assert without.value.message_dict == django_own.value.message_dict


@pytest.mark.django_db
def test_fields_and_a_missing_key_give_django_s_messages_without_a_query(
    django_assert_num_queries,
):
    location = Location(name="", phone="not a number", time_zone="Mars/Olympus_Mons")
    with django_assert_num_queries(0), pytest.raises(ValidationError) as without:
        clean_without_queries(location)
    with pytest.raises(ValidationError) as django_own:
        location.full_clean()
    assert without.value.message_dict == django_own.value.message_dict
    assert "organisation" in without.value.message_dict


@pytest.mark.django_db
def test_a_key_to_no_row_is_left_to_the_database(organisation, django_assert_num_queries):
    location = Location(
        organisation_id=organisation.pk + 1000,
        name="Annex",
        address_line1="2 Main St",
        city="Boston",
        phone="(617) 555-0101",
        time_zone="America/New_York",
    )
    with django_assert_num_queries(0):
        clean_without_queries(location)
    with pytest.raises(ValidationError) as django_own:
        location.full_clean()
    assert list(django_own.value.message_dict) == ["organisation"]
