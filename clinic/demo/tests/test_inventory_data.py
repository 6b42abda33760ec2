"""The demo register: stock received with a witness, a dosed session drawn from it with a
witnessed waste, a count with a resolved discrepancy, and a lot inside the expiry window."""

from __future__ import annotations

import pytest

from clinic.demo.inventory_data import add_controlled_stock
from clinic.inventory import selectors
from clinic.inventory.choices import DiscrepancyStatus, MovementKind
from clinic.inventory.models import Discrepancy, Movement
from clinic.sessions.tests import factories as session_factories
from conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_the_demo_register_tells_a_whole_story(clinician, nurse, patient_alice, location):
    session = session_factories.dosed(clinician, nurse, patient_alice)
    result = add_controlled_stock(
        nurse=nurse, clinician=clinician, witness_password=PASSWORD, location=location
    )
    assert result["sessions"] == [session]
    waste = Movement.objects.get(kind=MovementKind.WASTE)
    assert waste.witness == clinician and waste.session == session
    given = Movement.objects.get(kind=MovementKind.ADMINISTER)
    assert given.amount_mg >= session.dose_mg
    (discrepancy,) = Discrepancy.objects.all()
    assert discrepancy.status == DiscrepancyStatus.RESOLVED
    expiring = selectors.expiring_lots(nurse)
    assert [lot.lot_number for lot, _, _ in expiring] == ["KET-23-1204"]
    assert not selectors.open_discrepancies(nurse).exists()
