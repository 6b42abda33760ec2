"""What a lock helper sends to the database, for the tests beside each app's `locks.py`.

A helper is called inside a transaction with identifiers no row has, so the test needs no
records: the statement is the same with or without rows. SQLite has no row locks (Django leaves
`FOR UPDATE` out there), so the lock itself is asserted only where the database renders it.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress

from django.core.exceptions import ObjectDoesNotExist
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext


def lock_statements(helper: Callable[[], object]) -> list[str]:
    """The SQL statements `helper()` runs, inside a transaction (a missing row is no failure)."""
    with (
        transaction.atomic(),
        CaptureQueriesContext(connection) as queries,
        suppress(ObjectDoesNotExist),
    ):
        helper()
    return [query["sql"] for query in queries.captured_queries]


def assert_locks(helper: Callable[[], object], table: str, *, pk_ordered: bool = False) -> str:
    """`helper()` runs one statement, reading `table` under a row lock (`FOR UPDATE` where the
    database has row locks) and, for `pk_ordered`, in primary-key order. Returns the SQL."""
    statements = lock_statements(helper)
    assert len(statements) == 1, statements
    (sql,) = statements
    quote = connection.ops.quote_name
    assert f"FROM {quote(table)}" in sql, sql
    if connection.features.has_select_for_update:
        assert "FOR UPDATE" in sql, sql
    if pk_ordered:
        pk = f"{quote(table)}.{quote('id')}"
        # A read of a few columns may be ordered by its first column's place when that is the key.
        by_place = sql.startswith(f"SELECT {pk}") and "ORDER BY 1 ASC" in sql
        assert f"ORDER BY {pk} ASC" in sql or by_place, sql
    return sql
