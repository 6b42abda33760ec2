"""Conservation, over random sequences of movements (hypothesis stateful testing): for every
container, what was received (plus any count adjustment) equals what was administered, wasted,
returned and destroyed plus what remains in the safe and what is drawn and not yet accounted
for; no balance ever goes below zero, and a movement that would take one there is refused."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from clinic.core.exceptions import ClinicError
from clinic.inventory import selectors, services
from clinic.inventory.choices import (
    CountKind,
    CountTiming,
    DestructionReason,
    DiscrepancyOutcome,
    MovementKind,
)
from clinic.inventory.models import InventoryPolicy, Movement
from clinic.inventory.tests.factories import SafeFactory, SprayKitFactory, VialFactory, receive
from clinic.sessions.tests import factories as session_factories
from conftest import PASSWORD

pytestmark = pytest.mark.django_db

VOLUMES = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("6.00"), places=2)
DEVICES = st.integers(min_value=1, max_value=3)
# (safe, drawn) change of each kind, as in the ledger's MOVEMENT_EFFECTS.
EFFECT = {
    MovementKind.RECEIVE: (1, 0),
    MovementKind.DISPENSE: (-1, 1),
    MovementKind.ADMINISTER: (0, -1),
    MovementKind.WASTE: (0, -1),
    MovementKind.RETURN: (-1, 0),
    MovementKind.DESTROY: (-1, 0),
}


def machine_for(*, nurse, clinician, medical_director, safe, session, device: bool):
    product = SprayKitFactory() if device else VialFactory()
    amounts = DEVICES if device else VOLUMES

    def amount(value):
        return {"devices": value} if device else {"amount_ml": value}

    class Ledger(RuleBasedStateMachine):
        @initialize()
        def receive_a_container(self):
            # A safe of its own: the examples share one database transaction.
            self.safe = SafeFactory(location=safe.location)
            self.container = receive(nurse, clinician, self.safe, product=product).containers.get()
            self.in_safe = product.full_container_quantity
            self.drawn = Decimal("0")
            self.refused = 0

        def attempt(self, allowed: bool, action) -> None:
            """The service must succeed exactly when the model says the stock is there."""
            if allowed:
                action()
            else:
                with pytest.raises(ClinicError):
                    action()
                self.refused += 1

        @rule(value=amounts)
        def draw(self, value):
            value = Decimal(value)
            self.attempt(
                value <= self.in_safe,
                lambda: services.dispense(
                    actor=nurse,
                    container=self.container,
                    session_public_id=session.public_id,
                    **amount(value),
                ),
            )
            if value <= self.in_safe:
                self.in_safe -= value
                self.drawn += value

        @rule(value=amounts, wasted=st.booleans())
        def give_or_waste(self, value, wasted):
            value = Decimal(value)
            call = services.waste if wasted else services.administer
            extra = {"reason": "Drawn, not given"} if wasted else {}
            self.attempt(
                value <= self.drawn,
                lambda: call(
                    actor=nurse,
                    container=self.container,
                    session_public_id=session.public_id,
                    **amount(value),
                    **extra,
                ),
            )
            if value <= self.drawn:
                self.drawn -= value

        @precondition(lambda self: self.in_safe > 0)
        @rule(destroy=st.booleans())
        def return_or_destroy_the_rest(self, destroy):
            if destroy:
                services.destroy_stock(
                    actor=nurse,
                    safe=self.safe,
                    containers=[self.container],
                    reason=DestructionReason.BROKEN,
                    method="Chemical digester",
                    place="Clinic",
                    destroyed_on=session.created_at.date(),
                    witness_1=clinician,
                    witness_1_password=PASSWORD,
                    witness_2=medical_director,
                    witness_2_password=PASSWORD,
                )
            else:
                services.return_to_supplier(
                    actor=nurse,
                    container=self.container,
                    recipient="Reverse distributor",
                    recipient_address="135 Duryea Road, Melville, NY 11747",
                    recipient_dea_number="RH0123454",
                    reference="RMA-1",
                    witness=clinician,
                    witness_password=PASSWORD,
                )
            self.in_safe = Decimal("0")

        @precondition(lambda self: self.in_safe > 0)
        @rule(found=st.integers(min_value=0, max_value=100))
        def count_and_accept_what_was_found(self, found):
            counted = (
                Decimal(found % 3)
                if device
                else (Decimal(found) / 100 * self.in_safe).quantize(Decimal("0.01"))
            )
            services.take_count(
                actor=nurse,
                safe=self.safe,
                counted={self.container.pk: counted},
                kind=CountKind.SHIFT,
                timing=CountTiming.DURING,
                witness=clinician,
                witness_password=PASSWORD,
            )
            for discrepancy in selectors.open_discrepancies(nurse).filter(safe=self.safe):
                services.resolve_discrepancy(
                    actor=clinician,
                    discrepancy=discrepancy,
                    outcome=DiscrepancyOutcome.STOCK_DIFFERS,
                    explanation="Found as counted",
                )
            if counted != self.in_safe:
                self.in_safe = counted

        @rule(data=st.data())
        def reverse_an_entry(self, data):
            candidates = list(
                Movement.objects.filter(
                    container=self.container, reverses__isnull=True, reversed_by__isnull=True
                ).order_by("pk")
            )
            if not candidates:
                return
            entry = data.draw(st.sampled_from(candidates))
            safe_change, drawn_change = -entry.safe_change, -entry.drawn_change
            allowed = self.in_safe + safe_change >= 0 and self.drawn + drawn_change >= 0
            self.attempt(
                allowed,
                lambda: services.reverse_movement(
                    actor=nurse, movement=entry, reason="Wrong entry"
                ),
            )
            if allowed:
                self.in_safe += safe_change
                self.drawn += drawn_change

        @invariant()
        def the_ledger_agrees_with_the_model(self):
            row = selectors.with_balances(
                selectors.visible_containers(nurse).filter(pk=self.container.pk)
            ).get()
            assert (row.in_safe, row.drawn) == (self.in_safe, self.drawn)
            assert row.in_safe >= 0 and row.drawn >= 0

        @invariant()
        def every_milligram_is_accounted_for(self):
            totals = selectors.kind_totals(Movement.objects.filter(container=self.container))
            received = totals[MovementKind.RECEIVE] + _net_adjustment(self.container)
            accounted = (
                totals[MovementKind.ADMINISTER]
                + totals[MovementKind.WASTE]
                + totals[MovementKind.RETURN]
                + totals[MovementKind.DESTROY]
            )
            assert received == accounted + self.in_safe + self.drawn
            # What was drawn is what was given, wasted, or is still held.
            assert totals[MovementKind.DISPENSE] == (
                totals[MovementKind.ADMINISTER] + totals[MovementKind.WASTE] + self.drawn
            )

    return Ledger


def _net_adjustment(container) -> Decimal:
    entries = Movement.objects.filter(container=container, kind=MovementKind.ADJUST)
    return sum((entry.safe_change for entry in entries), Decimal("0"))


@pytest.mark.parametrize("device", [False, True], ids=["vial", "nasal-spray kit"])
def test_every_container_conserves_its_stock(
    device, nurse, clinician, medical_director, safe, session, patient_bob
):
    if device:
        session = session_factories.started_session(
            clinician, nurse, patient_bob, protocol_name=session_factories.ESKETAMINE
        )
    # Wastes are witnessed by default; the witness's password is tested elsewhere.
    InventoryPolicy.objects.create(waste_witness_required=False)
    machine = machine_for(
        nurse=nurse,
        clinician=clinician,
        medical_director=medical_director,
        safe=safe,
        session=session,
        device=device,
    )
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=25,
            stateful_step_count=12,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )
