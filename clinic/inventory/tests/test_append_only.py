"""The database itself refuses to change or remove a ledger entry (SQLite and PostgreSQL alike:
clinic.core.guards installs the triggers after every migrate); a discrepancy's resolution is
written once and then frozen too."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError

from clinic.inventory import services
from clinic.inventory.choices import CountKind, CountTiming, DiscrepancyOutcome
from clinic.inventory.models import Discrepancy, Movement
from conftest import PASSWORD

pytestmark = pytest.mark.django_db


def run(sql: str, params: list) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.mark.parametrize(
    ("table", "sql"),
    [
        ("inventory_movement", "UPDATE inventory_movement SET quantity = 1 WHERE id = %s"),
        ("inventory_movement", "UPDATE inventory_movement SET reason = 'forged' WHERE id = %s"),
        ("inventory_movement", "DELETE FROM inventory_movement WHERE id = %s"),
    ],
)
def test_the_database_refuses_to_change_or_delete_a_ledger_entry(vial, table, sql):
    entry = Movement.objects.get(container=vial)
    with pytest.raises(DatabaseError):
        run(sql, [entry.pk])
    entry_after = Movement.objects.get(pk=entry.pk)
    assert entry_after.quantity == entry.quantity and entry_after.reason == entry.reason


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE inventory_receipt SET invoice_reference = 'X' WHERE id = %s",
        "DELETE FROM inventory_receipt WHERE id = %s",
    ],
)
def test_the_receipt_record_is_append_only_too(vial, sql):
    with pytest.raises(DatabaseError):
        run(sql, [vial.receipt_id])


def test_a_container_cannot_be_moved_to_another_lot_or_removed(vial):
    with pytest.raises(DatabaseError):
        run("UPDATE inventory_container SET identifier = 'AAAA-AAAA' WHERE id = %s", [vial.pk])
    with pytest.raises(DatabaseError):
        run("DELETE FROM inventory_container WHERE id = %s", [vial.pk])


def test_a_discrepancy_is_resolved_once_and_then_frozen(nurse, clinician, safe, vial):
    services.take_count(
        actor=nurse,
        safe=safe,
        counted={vial.pk: "4.5"},
        kind=CountKind.SHIFT,
        timing=CountTiming.DURING,
        witness=clinician,
        witness_password=PASSWORD,
    )
    discrepancy = Discrepancy.objects.get()
    with pytest.raises(DatabaseError):
        run(
            "UPDATE inventory_discrepancy SET container_id = container_id + 1 WHERE id = %s",
            [discrepancy.pk],
        )
    services.resolve_discrepancy(
        actor=clinician,
        discrepancy=discrepancy,
        outcome=DiscrepancyOutcome.COUNT_ERROR,
        explanation="Recounted: 5.0 mL",
    )
    with pytest.raises(DatabaseError):
        run(
            "UPDATE inventory_discrepancy SET explanation = 'rewritten' WHERE id = %s",
            [discrepancy.pk],
        )
    with pytest.raises(DatabaseError):
        run("DELETE FROM inventory_discrepancy WHERE id = %s", [discrepancy.pk])
    assert Discrepancy.objects.get().explanation == "Recounted: 5.0 mL"


def test_the_check_constraint_refuses_an_entry_whose_changes_do_not_match_its_kind(vial):
    entry = Movement.objects.get(container=vial)
    with pytest.raises(DatabaseError):
        run(
            "INSERT INTO inventory_movement (public_id, container_id, safe_id, kind, quantity, "
            "amount_mg, safe_change, drawn_change, occurred_at, recorded_at, performed_by_id, "
            "reason) SELECT %s, container_id, safe_id, 'adjust', 1, 100, 1, 1, occurred_at, "
            "recorded_at, performed_by_id, '' FROM inventory_movement WHERE id = %s",
            ["0b8f6d1c2e3a4b5c9d7e8f9a0b1c2d3e", entry.pk],
        )
