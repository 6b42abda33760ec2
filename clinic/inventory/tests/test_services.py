"""The register's services: receiving, drawing, giving, wasting, counting, destroying and
correcting, each with its refusals."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from clinic.accounts.choices import Role
from clinic.accounts.tests.factories import UserFactory
from clinic.audit.choices import AuditEventType, AuditOutcome
from clinic.audit.models import AuditEvent
from clinic.core.exceptions import ClinicError, InvalidTransitionError, PermissionDeniedError
from clinic.inventory import selectors, services
from clinic.inventory.choices import (
    CountKind,
    CountTiming,
    DestructionReason,
    DiscrepancyOutcome,
    DiscrepancyStatus,
    MovementKind,
)
from clinic.inventory.models import InventoryPolicy, Movement
from clinic.inventory.tests.factories import SprayKitFactory, receive
from conftest import PASSWORD

pytestmark = pytest.mark.django_db


def balance(container):
    return selectors.container_balance(container)


def test_receiving_labels_each_container_and_enters_it_full(nurse, clinician, safe):
    receipt = receive(nurse, clinician, safe, containers=3)
    containers = list(receipt.containers.all())
    assert len(containers) == 3
    assert len({c.identifier for c in containers}) == 3
    assert all(balance(c) == Decimal("5.00") for c in containers)
    entry = Movement.objects.filter(receipt=receipt).first()
    assert entry.amount_mg == Decimal("500.00") and entry.witness == clinician
    event = AuditEvent.objects.filter(event_type=AuditEventType.STOCK_RECEIVED).get()
    assert event.details["containers"] == 3 and event.location_id == safe.location_id


def test_receiving_needs_the_witness_own_password(nurse, clinician, safe):
    with pytest.raises(ClinicError) as refused:
        receive(nurse, clinician, safe, witness_password="not-it")
    assert refused.value.field == "witness_password"
    assert not Movement.objects.exists()
    assert AuditEvent.objects.filter(
        event_type=AuditEventType.STOCK_WITNESS_FAILED, outcome=AuditOutcome.FAILED
    ).exists()


def test_the_receiver_cannot_witness_their_own_receipt(nurse, safe):
    with pytest.raises(ClinicError, match="second person"):
        receive(nurse, nurse, safe)


def test_an_expired_lot_is_not_received(nurse, clinician, safe):
    with pytest.raises(ClinicError) as refused:
        receive(nurse, clinician, safe, expiry_date=timezone.localdate() - timedelta(days=1))
    assert refused.value.field == "expiry_date"


def test_a_lot_keeps_its_expiry(nurse, clinician, safe):
    receive(nurse, clinician, safe)
    with pytest.raises(ClinicError, match="already registered"):
        receive(nurse, clinician, safe, expiry_date=timezone.localdate() + timedelta(days=90))


@pytest.mark.parametrize("role", [Role.FRONT_DESK, Role.CLINICIAN])
def test_only_nurses_and_the_medical_director_receive_stock(role, location, clinician, safe):
    person = UserFactory(role=role)
    person.locations.set([location])
    with pytest.raises(PermissionDeniedError):
        receive(person, clinician, safe)
    assert AuditEvent.objects.filter(
        event_type=AuditEventType.STOCK_RECEIVED, outcome=AuditOutcome.DENIED
    ).exists()


def test_staff_of_another_location_cannot_move_its_stock(other_location, clinician, safe):
    stranger = UserFactory(role=Role.NURSE)
    stranger.locations.set([other_location])
    with pytest.raises(PermissionDeniedError):
        receive(stranger, clinician, safe)


def test_draw_give_and_waste_for_a_session(nurse, clinician, vial, session):
    services.dispense(
        actor=nurse, container=vial, session_public_id=session.public_id, amount_ml="0.50"
    )
    services.administer(
        actor=nurse, container=vial, session_public_id=session.public_id, amount_ml="0.42"
    )
    services.waste(
        actor=nurse,
        container=vial,
        session_public_id=session.public_id,
        amount_ml="0.08",
        reason="Drawn up, not given",
        witness=clinician,
        witness_password=PASSWORD,
    )
    assert balance(vial) == Decimal("4.50")
    (row,) = selectors.stock(nurse)
    assert row.in_safe == Decimal("4.50") and row.drawn == Decimal("0")
    given = Movement.objects.get(kind=MovementKind.ADMINISTER)
    assert given.amount_mg == Decimal("42.00") and given.session == session
    event = AuditEvent.objects.get(event_type=AuditEventType.STOCK_ADMINISTERED)
    assert event.patient_id == session.patient_id


def test_waste_needs_a_witness_by_default_and_not_when_the_clinic_turns_it_off(
    nurse, vial, session
):
    services.dispense(
        actor=nurse, container=vial, session_public_id=session.public_id, amount_ml="1"
    )
    with pytest.raises(ClinicError) as refused:
        services.waste(
            actor=nurse,
            container=vial,
            session_public_id=session.public_id,
            amount_ml="0.5",
            reason="Not needed",
        )
    assert refused.value.field == "witness"
    InventoryPolicy.objects.create(waste_witness_required=False)
    services.waste(
        actor=nurse,
        container=vial,
        session_public_id=session.public_id,
        amount_ml="0.5",
        reason="Not needed",
    )
    assert Movement.objects.filter(kind=MovementKind.WASTE).count() == 1


def test_more_than_the_vial_holds_is_refused(nurse, vial, session):
    with pytest.raises(ClinicError, match="below zero"):
        services.dispense(
            actor=nurse, container=vial, session_public_id=session.public_id, amount_ml="5.01"
        )
    assert balance(vial) == Decimal("5.00")


def test_more_than_was_drawn_cannot_be_given_or_wasted(nurse, vial, session):
    services.dispense(
        actor=nurse, container=vial, session_public_id=session.public_id, amount_ml="0.40"
    )
    with pytest.raises(ClinicError, match="drawn for this session"):
        services.administer(
            actor=nurse, container=vial, session_public_id=session.public_id, amount_ml="0.41"
        )


def test_a_volume_is_measured_to_a_hundredth_of_a_millilitre(nurse, vial, session):
    with pytest.raises(ClinicError, match=r"0\.01 mL"):
        services.dispense(
            actor=nurse, container=vial, session_public_id=session.public_id, amount_ml="0.125"
        )


def test_an_expired_container_is_not_drawn(nurse, clinician, safe, session):
    container = receive(nurse, clinician, safe).containers.get()
    lot = container.lot
    # The lot expires (the clock moves on): simulated by reading "today" a year later.
    later = lot.expiry_date + timedelta(days=1)
    from unittest import mock

    with (
        mock.patch("clinic.inventory.services._local_today", return_value=later),
        pytest.raises(ClinicError, match="expired"),
    ):
        services.dispense(
            actor=nurse, container=container, session_public_id=session.public_id, amount_ml="1"
        )


def test_a_vial_is_not_drawn_for_a_nasal_spray_session(nurse, clinician, safe, patient_bob):
    from clinic.sessions.tests import factories as session_factories

    nasal = session_factories.started_session(
        clinician, nurse, patient_bob, protocol_name=session_factories.ESKETAMINE
    )
    vial = receive(nurse, clinician, safe).containers.get()
    with pytest.raises(ClinicError, match="route"):
        services.dispense(
            actor=nurse, container=vial, session_public_id=nasal.public_id, amount_ml="1"
        )
    kit = receive(nurse, clinician, safe, product=SprayKitFactory(), lot="SPR-1").containers.get()
    services.dispense(actor=nurse, container=kit, session_public_id=nasal.public_id, devices=2)
    services.administer(actor=nurse, container=kit, session_public_id=nasal.public_id, devices=2)
    assert balance(kit) == 0
    assert Movement.objects.get(kind=MovementKind.ADMINISTER).amount_mg == Decimal("56.00")


def test_devices_are_whole(nurse, clinician, safe, session):
    kit = receive(nurse, clinician, safe, product=SprayKitFactory(), lot="SPR-1").containers.get()
    with pytest.raises(ClinicError, match="whole number"):
        services.quantity_of(kit.product, devices="1.5")


def test_a_count_that_differs_opens_a_discrepancy_until_a_clinician_explains_it(
    nurse, clinician, medical_director, safe, vial, session
):
    services.dispense(
        actor=nurse, container=vial, session_public_id=session.public_id, amount_ml="1"
    )
    count = services.take_count(
        actor=nurse,
        safe=safe,
        counted={vial.pk: "3.90"},
        kind=CountKind.SHIFT,
        timing=CountTiming.DURING,
        witness=clinician,
        witness_password=PASSWORD,
    )
    (line,) = count.lines.all()
    assert line.expected == Decimal("4.00") and line.counted == Decimal("3.90")
    (discrepancy,) = selectors.open_discrepancies(nurse)
    with pytest.raises(PermissionDeniedError):
        services.resolve_discrepancy(
            actor=nurse,
            discrepancy=discrepancy,
            outcome=DiscrepancyOutcome.STOCK_DIFFERS,
            explanation="Spilled",
        )
    with pytest.raises(ClinicError, match="Explain"):
        services.resolve_discrepancy(
            actor=clinician,
            discrepancy=discrepancy,
            outcome=DiscrepancyOutcome.STOCK_DIFFERS,
            explanation="  ",
        )
    services.resolve_discrepancy(
        actor=clinician,
        discrepancy=discrepancy,
        outcome=DiscrepancyOutcome.STOCK_DIFFERS,
        explanation="0.1 mL spilled while drawing; seen by the witness.",
    )
    discrepancy.refresh_from_db()
    assert discrepancy.status == DiscrepancyStatus.RESOLVED
    assert balance(vial) == Decimal("3.90")
    adjustment = Movement.objects.get(kind=MovementKind.ADJUST)
    assert adjustment.safe_change == Decimal("-0.10") and adjustment.count == count
    assert not selectors.open_discrepancies(nurse).exists()
    with pytest.raises(InvalidTransitionError):
        services.resolve_discrepancy(
            actor=medical_director,
            discrepancy=discrepancy,
            outcome=DiscrepancyOutcome.COUNT_ERROR,
            explanation="again",
        )


def test_a_counting_error_leaves_the_ledger_as_it_was(nurse, clinician, safe, vial):
    services.take_count(
        actor=nurse,
        safe=safe,
        counted={vial.pk: "4"},
        kind=CountKind.DAILY,
        timing=CountTiming.CLOSE,
        witness=clinician,
        witness_password=PASSWORD,
    )
    (discrepancy,) = selectors.open_discrepancies(nurse)
    with pytest.raises(ClinicError, match="really missing"):
        services.resolve_discrepancy(
            actor=clinician,
            discrepancy=discrepancy,
            outcome=DiscrepancyOutcome.COUNT_ERROR,
            explanation="Misread the graduation",
            reportable=True,
        )
    services.resolve_discrepancy(
        actor=clinician,
        discrepancy=discrepancy,
        outcome=DiscrepancyOutcome.COUNT_ERROR,
        explanation="Misread the graduation; recounted 5.0 mL together.",
    )
    assert balance(vial) == Decimal("5.00")


def test_every_container_in_stock_is_counted(nurse, clinician, safe):
    receive(nurse, clinician, safe, containers=2)
    first = safe.containers.first()
    with pytest.raises(ClinicError, match="Count every container"):
        services.take_count(
            actor=nurse,
            safe=safe,
            counted={first.pk: "5"},
            kind=CountKind.SHIFT,
            timing=CountTiming.DURING,
            witness=clinician,
            witness_password=PASSWORD,
        )


def test_an_empty_safe_takes_a_zero_initial_inventory(nurse, clinician, safe):
    count = services.take_count(
        actor=nurse,
        safe=safe,
        counted={},
        kind=CountKind.INITIAL,
        timing=CountTiming.OPENING,
        witness=clinician,
        witness_password=PASSWORD,
    )
    assert count.lines.count() == 0
    assert selectors.last_inventory(nurse, safe=safe) == count


def test_destroying_needs_two_witnesses_and_empties_the_containers(
    nurse, clinician, medical_director, safe
):
    containers = list(receive(nurse, clinician, safe, containers=2).containers.all())
    common = {
        "actor": nurse,
        "safe": safe,
        "containers": containers,
        "reason": DestructionReason.EXPIRED,
        "method": "Chemical digester (Rx Destroyer)",
        "place": "Clinic pharmacy room",
        "destroyed_on": timezone.localdate(),
        "witness_1": clinician,
        "witness_1_password": PASSWORD,
    }
    with pytest.raises(ClinicError) as refused:
        services.destroy_stock(**common, witness_2=clinician, witness_2_password=PASSWORD)
    assert refused.value.field == "witness_2"
    destruction = services.destroy_stock(
        **common, witness_2=medical_director, witness_2_password=PASSWORD
    )
    assert all(balance(c) == 0 for c in containers)
    assert destruction.movements.count() == 2
    assert destruction.movements.first().amount_mg == Decimal("500.00")


def test_a_wrong_entry_is_corrected_by_a_reversing_entry(nurse, vial, session):
    drawn = services.dispense(
        actor=nurse, container=vial, session_public_id=session.public_id, amount_ml="2"
    )
    reversal = services.reverse_movement(actor=nurse, movement=drawn, reason="Wrong vial")
    assert balance(vial) == Decimal("5.00")
    assert reversal.safe_change == Decimal("2.00") and reversal.drawn_change == Decimal("-2.00")
    with pytest.raises(InvalidTransitionError):
        services.reverse_movement(actor=nurse, movement=drawn, reason="again")
    with pytest.raises(InvalidTransitionError):
        services.reverse_movement(actor=nurse, movement=reversal, reason="undo")
    totals = selectors.kind_totals(Movement.objects.filter(container=vial))
    assert totals[MovementKind.DISPENSE] == 0


def test_a_reversal_that_would_take_stock_below_zero_is_refused(nurse, clinician, vial, session):
    received = vial.movements.get(kind=MovementKind.RECEIVE)
    services.dispense(
        actor=nurse, container=vial, session_public_id=session.public_id, amount_ml="1"
    )
    with pytest.raises(ClinicError, match="below zero"):
        services.reverse_movement(actor=nurse, movement=received, reason="Never arrived")


def test_returning_sends_back_what_is_left(nurse, clinician, vial):
    entry = services.return_to_supplier(
        actor=nurse,
        container=vial,
        recipient="Rx Return Services (reverse distributor)",
        recipient_address="135 Duryea Road, Melville, NY 11747",
        recipient_dea_number="RH0123454",
        reference="RMA-443",
        witness=clinician,
        witness_password=PASSWORD,
    )
    assert entry.quantity == Decimal("5.00") and balance(vial) == 0


@pytest.mark.parametrize(
    ("number", "valid"),
    [("FT1234563", True), ("rh0123454", True), ("FT1234564", False), ("F11234563", False)],
)
def test_a_dea_number_carries_its_check_digit(number, valid):
    from django.core.exceptions import ValidationError

    from clinic.inventory.models import validate_dea_number

    if valid:
        validate_dea_number(number)
    else:
        with pytest.raises(ValidationError):
            validate_dea_number(number)


def test_a_receipt_with_a_mistyped_supplier_dea_number_is_refused(nurse, clinician, safe):
    with pytest.raises(ClinicError) as refused:
        receive(nurse, clinician, safe, supplier_dea_number="RH0123456")
    assert refused.value.field == "supplier_dea_number"


def test_a_session_reconciles_when_everything_drawn_is_given_or_wasted(
    nurse, clinician, vial, session
):
    services.dispense(
        actor=nurse, container=vial, session_public_id=session.public_id, amount_ml="0.60"
    )
    services.administer(
        actor=nurse, container=vial, session_public_id=session.public_id, amount_ml="0.45"
    )
    (draw,) = selectors.session_draws(session)
    assert (draw.drawn, draw.administered, draw.outstanding) == (
        Decimal("0.60"),
        Decimal("0.45"),
        Decimal("0.15"),
    )
    assert not selectors.session_is_reconciled(session)
    services.waste(
        actor=nurse,
        container=vial,
        session_public_id=session.public_id,
        amount_ml="0.15",
        reason="Drawn, not given",
        witness=clinician,
        witness_password=PASSWORD,
    )
    (draw,) = selectors.session_draws(session)
    assert draw.administered_mg == Decimal("45.00") and draw.wasted_mg == Decimal("15.00")
    assert selectors.session_is_reconciled(session)
