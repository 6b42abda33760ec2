"""Database triggers that make sealed rows (signed records, the audit trail) refuse change.

The product's services never change a signed record, but a signature is only worth something if
nobody else can either: SQL typed into a database console, a script run with the application's
credentials, a bug in a future migration. So each sealed table carries triggers, in the database
itself, that refuse UPDATE and DELETE of a sealed row (and, where a parent record is sealed, INSERT
of new children under it) on SQLite and on PostgreSQL alike. On PostgreSQL TRUNCATE is refused
too, except for the role that owns the table: the owner runs migrations and can drop a trigger
anyway, which is why production runs the application as a role that owns nothing (see
docs/operations.md).

Each app declares the guards for its own tables in its `AppConfig.ready()` with
`register_row_guard()`; `install_row_guards()` (re)creates all of them after every `migrate`
(a `post_migrate` receiver), so the triggers always match the current columns, even after SQLite
rebuilds a table during a migration (which drops that table's triggers).

SQLite has no roles; a maintenance flush (`manage.py flush`, used between browser tests) runs
inside `maintenance()`, which a function registered on every connection reports to the triggers.
A connection without that function (the sqlite3 shell) cannot delete sealed rows at all.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import connections

_MAINTENANCE: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "clinic_database_maintenance", default=False
)


@contextlib.contextmanager
def maintenance() -> Iterator[None]:
    """Let a maintenance flush empty sealed tables on SQLite (PostgreSQL flushes with TRUNCATE,
    which only the owner may run)."""
    token = _MAINTENANCE.set(True)
    try:
        yield
    finally:
        _MAINTENANCE.reset(token)


def register_sqlite_functions(sender, connection, **kwargs) -> None:
    """`connection_created` receiver: the function the SQLite triggers ask."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            "clinic_maintenance", 0, lambda: int(_MAINTENANCE.get())
        )


@dataclass(frozen=True)
class RowGuard:
    """Refuse changes to the rows of `table` for which `sealed_when` (SQL over OLD) holds.

    - `mutable_columns` may still change on a sealed row (e.g. an evaluation's status moving from
      completed to amended when an addendum is signed); every other column is frozen.
    - `refuse_insert_when` (SQL over NEW), when given, refuses new rows, e.g. a reading added to
      a session whose record is already locked.
    """

    name: str
    table: str
    sealed_when: str = "1 = 1"
    mutable_columns: tuple[str, ...] = ()
    refuse_insert_when: str | None = None
    message: str = "this record is signed and cannot be changed"


_GUARDS: dict[str, RowGuard] = {}


def register_row_guard(guard: RowGuard) -> None:
    _GUARDS[guard.name] = guard


def registered_row_guards() -> list[RowGuard]:
    return sorted(_GUARDS.values(), key=lambda guard: guard.name)


def _quote(message: str) -> str:
    return message.replace("'", "''")


def _sqlite_statements(guard: RowGuard, columns: list[str]) -> list[str]:
    frozen = [column for column in columns if column not in guard.mutable_columns]
    changed = " OR ".join(f'OLD."{column}" IS NOT NEW."{column}"' for column in frozen) or "0"
    message = _quote(guard.message)
    statements = [
        f"CREATE TRIGGER {guard.name}_no_update BEFORE UPDATE ON {guard.table} FOR EACH ROW "
        f"WHEN ({guard.sealed_when}) AND ({changed}) "
        f"BEGIN SELECT RAISE(ABORT, '{message}'); END",
        f"CREATE TRIGGER {guard.name}_no_delete BEFORE DELETE ON {guard.table} FOR EACH ROW "
        f"WHEN ({guard.sealed_when}) AND NOT clinic_maintenance() "
        f"BEGIN SELECT RAISE(ABORT, '{message}'); END",
    ]
    if guard.refuse_insert_when:
        statements.append(
            f"CREATE TRIGGER {guard.name}_no_insert BEFORE INSERT ON {guard.table} FOR EACH ROW "
            f"WHEN ({guard.refuse_insert_when}) "
            f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
        )
    return statements


def _sqlite_drop(guard: RowGuard) -> list[str]:
    return [
        f"DROP TRIGGER IF EXISTS {guard.name}_{kind}"
        for kind in ("no_update", "no_delete", "no_insert")
    ]


POSTGRES_TRUNCATE_FUNCTION = """
CREATE OR REPLACE FUNCTION clinic_refuse_truncate() RETURNS trigger AS $$
BEGIN
  -- The owner (the role that runs migrations, and the test runner's flush) may empty a table;
  -- it could drop this trigger anyway. The application's own role may not.
  IF pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'USAGE') THEN
    RETURN NULL;
  END IF;
  RAISE EXCEPTION '% cannot be truncated: its rows are sealed', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql
"""


def _postgres_statements(guard: RowGuard) -> list[str]:
    mutable = ", ".join(f"'{column}'" for column in guard.mutable_columns)
    frozen_old = f"(to_jsonb(OLD) - ARRAY[{mutable}]::text[])" if mutable else "to_jsonb(OLD)"
    frozen_new = f"(to_jsonb(NEW) - ARRAY[{mutable}]::text[])" if mutable else "to_jsonb(NEW)"
    insert_check = (
        f"IF ({guard.refuse_insert_when}) THEN RAISE EXCEPTION '{_quote(guard.message)}'; END IF;"
        if guard.refuse_insert_when
        else ""
    )
    message = _quote(guard.message)
    return [
        f"""
CREATE OR REPLACE FUNCTION {guard.name}_guard() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    {insert_check}
    RETURN NEW;
  END IF;
  IF ({guard.sealed_when}) THEN
    IF TG_OP = 'DELETE' THEN RAISE EXCEPTION '{message}'; END IF;
    IF {frozen_old} IS DISTINCT FROM {frozen_new} THEN RAISE EXCEPTION '{message}'; END IF;
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql
""",
        f"CREATE TRIGGER {guard.name}_guard BEFORE INSERT OR UPDATE OR DELETE ON {guard.table} "
        f"FOR EACH ROW EXECUTE FUNCTION {guard.name}_guard()",
        f"CREATE TRIGGER {guard.name}_no_truncate BEFORE TRUNCATE ON {guard.table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION clinic_refuse_truncate()",
    ]


def _postgres_drop(guard: RowGuard) -> list[str]:
    return [
        f"DROP TRIGGER IF EXISTS {guard.name}_guard ON {guard.table}",
        f"DROP TRIGGER IF EXISTS {guard.name}_no_truncate ON {guard.table}",
    ]


def install_row_guards(using: str = "default") -> None:
    """(Re)create every registered guard's triggers on the database `using`."""
    connection = connections[using]
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
        guards = [guard for guard in registered_row_guards() if guard.table in tables]
        if connection.vendor == "sqlite":
            for guard in guards:
                columns = [
                    column.name
                    for column in connection.introspection.get_table_description(
                        cursor, guard.table
                    )
                ]
                for statement in _sqlite_drop(guard) + _sqlite_statements(guard, columns):
                    cursor.execute(statement)
        elif connection.vendor == "postgresql":
            cursor.execute(POSTGRES_TRUNCATE_FUNCTION)
            for guard in guards:
                for statement in _postgres_drop(guard) + _postgres_statements(guard):
                    cursor.execute(statement)


def install_row_guards_after_migrate(sender, using="default", **kwargs) -> None:
    """`post_migrate` receiver (sent once per app; the core app's run installs them all)."""
    install_row_guards(using)
