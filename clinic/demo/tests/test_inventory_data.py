"""The demo register: stock received with a witness, a dosed session drawn from it with a
witnessed waste, a count with a resolved discrepancy, and a lot inside the expiry window."""

from __future__ import annotations

import pytest

from clinic.demo.inventory_data import (
    dosing_vial,
    overdraw_ml,
    receive_controlled_stock,
    reconcile_and_count,
)
from clinic.inventory import selectors
from clinic.inventory.choices import DiscrepancyStatus, MovementKind
from clinic.inventory.models import Discrepancy, Movement
from clinic.sessions import selectors as session_selectors
from clinic.sessions import services as session_services
from clinic.sessions.tests import factories as session_factories
from conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_the_demo_register_tells_a_whole_story(clinician, nurse, patient_alice, location):
    receive_controlled_stock(
        nurse=nurse, clinician=clinician, witness_password=PASSWORD, location=location
    )
    session = session_factories.ready_to_dose(clinician, nurse, patient_alice)
    working = session_selectors.compute_dose(session, session.plan_version, session.weight_kg)
    dose_ml, drawn_ml = overdraw_ml(working.dose_mg)
    session_services.confirm_dose(
        actor=nurse,
        session=session,
        expected_dose_mg=working.dose_mg,
        container=dosing_vial(location).identifier,
        drawn_ml=drawn_ml,
    )
    result = reconcile_and_count(
        nurse=nurse, clinician=clinician, witness_password=PASSWORD, location=location
    )
    assert result["sessions"] == [session]
    waste = Movement.objects.get(kind=MovementKind.WASTE)
    assert waste.witness == clinician and waste.session == session
    (draw,) = selectors.session_draws(session)
    # What is left to account for is the dose itself, given when the infusion ends.
    assert draw.drawn == drawn_ml and draw.outstanding == dose_ml
    (discrepancy,) = Discrepancy.objects.all()
    assert discrepancy.status == DiscrepancyStatus.RESOLVED
    expiring = selectors.expiring_lots(nurse)
    assert [lot.lot_number for lot, _, _ in expiring] == ["KET-23-1204"]
    assert not selectors.open_discrepancies(nurse).exists()
