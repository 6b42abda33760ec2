from __future__ import annotations

import pytest
from django.db import connection

from clinic.core.tests.locking import assert_locks
from clinic.inventory.locks import lock_containers, lock_discrepancy

pytestmark = pytest.mark.django_db


def test_containers_are_locked_in_primary_key_order_and_only_they():
    sql = assert_locks(lambda: lock_containers([3, 1, 2]), "inventory_container", pk_ordered=True)
    if connection.vendor == "postgresql":
        assert sql.endswith(f"FOR UPDATE OF {connection.ops.quote_name('inventory_container')}")


def test_the_discrepancy_is_locked_alone():
    sql = assert_locks(lambda: lock_discrepancy(0), "inventory_discrepancy")
    if connection.vendor == "postgresql":
        assert f"FOR UPDATE OF {connection.ops.quote_name('inventory_discrepancy')}" in sql
