"""Two people drawing from one vial at the same moment, in real concurrent transactions; and a
count taken while a dose is drawn. PostgreSQL only: SQLite serialises writers on the whole file,
so the race these tests look for cannot happen there."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection

from clinic.accounts.choices import Role
from clinic.accounts.tests.factories import UserFactory
from clinic.core.exceptions import ClinicError
from clinic.inventory import selectors, services
from clinic.inventory.choices import CountKind, CountTiming
from clinic.inventory.models import CountLine, Movement
from clinic.inventory.tests.factories import receive
from clinic.sessions.tests import factories as session_factories
from clinic.sessions.tests.test_concurrency import run_together
from conftest import PASSWORD

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrent transactions need PostgreSQL"
    ),
]


@pytest.fixture
def second_nurse(location):
    nurse = UserFactory(role=Role.NURSE, email="nurse2@clinic.test", full_name="Nurse Two")
    nurse.locations.set([location])
    return nurse


def test_two_nurses_drawing_the_last_millilitres_cannot_both_succeed(
    nurse, second_nurse, clinician, safe, patient_alice, patient_bob
):
    vial = receive(nurse, clinician, safe).containers.get()
    first = session_factories.started_session(clinician, nurse, patient_alice)
    second = session_factories.started_session(clinician, second_nurse, patient_bob)

    def draw(actor, session):
        return lambda: services.dispense(
            actor=actor, container=vial, session_public_id=session.public_id, amount_ml="3.00"
        )

    errors = run_together(draw(nurse, first), draw(second_nurse, second))
    assert len(errors) == 1 and isinstance(errors[0], ClinicError)
    assert "below zero" in errors[0].message
    assert Movement.objects.filter(container=vial, kind="dispense").count() == 1
    assert selectors.container_balance(vial) == Decimal("2.00")


def test_a_count_taken_while_a_dose_is_drawn_sees_it_wholly_or_not_at_all(
    nurse, second_nurse, clinician, safe, patient_alice
):
    vial = receive(nurse, clinician, safe).containers.get()
    session = session_factories.started_session(clinician, nurse, patient_alice)

    def draw():
        services.dispense(
            actor=nurse, container=vial, session_public_id=session.public_id, amount_ml="0.40"
        )

    def count(found):
        return lambda: services.take_count(
            actor=second_nurse,
            safe=safe,
            counted={vial.pk: found},
            kind=CountKind.SHIFT,
            timing=CountTiming.DURING,
            witness=clinician,
            witness_password=PASSWORD,
        )

    for _ in range(3):
        before = selectors.container_balance(vial)
        assert run_together(draw, count(before)) == []
        line = CountLine.objects.filter(container=vial).latest("pk")
        assert line.expected in (before, before - Decimal("0.40"))
