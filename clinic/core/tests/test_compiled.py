"""A query compiled once gives what Django's own queryset gives, with each run's values."""

import pytest
from django.db import transaction
from django.db.models import Count, Exists, OuterRef
from django.db.transaction import TransactionManagementError

from clinic.core.compiled import CompiledQuery
from clinic.core.models import Location
from clinic.core.tests.factories import LocationFactory


def locations(**lookup):
    return (
        Location.objects.select_for_update(of=("self",))
        .select_related("organisation")
        .annotate(
            siblings=Exists(
                Location.objects.filter(organisation=OuterRef("organisation")).exclude(
                    pk=OuterRef("pk")
                )
            )
        )
        .filter(**lookup)
    )


BY_ID = CompiledQuery(lambda pk: locations(pk=pk), pk=Location._meta.pk)
BY_PUBLIC_ID = CompiledQuery(
    lambda public_id, organisation_id: locations(
        public_id=public_id, organisation_id=organisation_id
    ),
    public_id=Location._meta.get_field("public_id"),
    organisation_id=Location._meta.get_field("organisation"),
)


def same(compiled, orm):
    fields = [f.attname for f in Location._meta.concrete_fields]
    assert [getattr(compiled, f) for f in fields] == [getattr(orm, f) for f in fields]
    assert compiled.siblings == orm.siblings
    assert Location.organisation.is_cached(compiled)
    assert compiled.organisation.name == orm.organisation.name


def test_each_run_finds_the_row_its_values_name_as_the_queryset_does(
    location, other_location, django_assert_num_queries
):
    with transaction.atomic():
        for place in (location, other_location, location):
            with django_assert_num_queries(1):
                found = BY_ID.get(pk=place.pk)
            same(found, locations(pk=place.pk).get())
        found = BY_PUBLIC_ID.all(
            public_id=str(other_location.public_id), organisation_id=other_location.organisation_id
        )
        assert [f.pk for f in found] == [other_location.pk]
        assert BY_PUBLIC_ID.all(public_id=location.public_id, organisation_id=-1) == []


def test_no_row_is_does_not_exist_as_from_get(location):
    with transaction.atomic(), pytest.raises(Location.DoesNotExist):
        BY_ID.get(pk=location.pk + 1000)


@pytest.mark.django_db(transaction=True)
def test_a_lock_outside_a_transaction_is_refused_as_django_refuses_it(location):
    with transaction.atomic():
        BY_ID.get(pk=location.pk)
    with pytest.raises(TransactionManagementError):
        BY_ID.get(pk=location.pk)


@pytest.mark.django_db
def test_a_value_that_is_not_a_parameter_of_the_query_is_found_out():
    by_name = CompiledQuery(
        lambda pk: Location.objects.annotate(n=Count("patients")), pk=Location._meta.pk
    )
    with pytest.raises(ValueError, match="not once in the query"):
        by_name.all(pk=1)


def test_a_row_added_after_compiling_is_found(location, organisation):
    with transaction.atomic():
        BY_ID.get(pk=location.pk)
        later = LocationFactory(organisation=organisation, name="Later")
        assert BY_ID.get(pk=later.pk).name == "Later"
