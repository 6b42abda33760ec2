"""Reports may read from a PostgreSQL streaming replica; everything else reads from the primary.

A read goes to the `replica` database only when all of these hold, checked at each query:

- the settings have a `replica` alias (`DATABASE_REPLICA_URL`; without it nothing changes);
- the code asked for it, inside `reporting_reads()` (a report's view, an export): a read is never
  sent to a replica by default, because a replica lags the primary and most pages must show what
  was just written;
- no transaction is open on the primary: what an atomic block reads it may lock, write from or
  need to see its own uncommitted rows, which a replica never has;
- the replica is up and caught up: asked once per block, it answers, it is streaming from the
  primary and has replayed what it received or is behind by at most
  `DATABASE_REPLICA_MAX_LAG_SECONDS`. A replica that is down, cut off or far behind costs the
  report nothing but its speed (it reads from the primary), never an error page or old figures;
- nothing has been written inside the `reporting_reads()` block so far: from the first write on,
  the block's reads go to the primary, so that it always reads its own writes. The one write that
  does not count is the audit trail's row recording the look itself: no report reads that row
  back (the audit log reads its page before it writes its own event, `browse_audit_log`).

Writes always go to the primary, and migrations never run on the replica (it is a read-only copy
of the whole primary cluster: PostgreSQL streams every change, the schema's too). A report read
from the replica may be out of date by up to the lag allowed; docs/scaling.md says more.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

logger = logging.getLogger(__name__)

REPLICA = "replica"
# Rows a report writes about its own reading (the audit of the look): they never make its later
# reads go to the primary. By label, as core ranks above the audit app and does not import it.
ACCESS_RECORD_MODELS = frozenset({"audit.auditevent"})


@dataclass
class _ReportingBlock:
    # Whether the block has written anything but an access record (its reads then stay on the
    # primary until the block ends).
    wrote: bool = False
    # Whether the replica was found up and caught up (asked at the block's first read).
    replica_usable: bool | None = None


_reporting_block: ContextVar[_ReportingBlock | None] = ContextVar("reporting_block", default=None)


@contextmanager
def reporting_reads() -> Iterator[None]:
    """Let the reads inside this block go to the replica (when there is one and the rules above
    allow). Also a decorator: `@reporting_reads()` on a report's view, below its permission check,
    so that who the viewer is and what they may see is read as every request reads it. A block
    inside another is part of the outer one."""
    if _reporting_block.get() is not None:
        yield
        return
    token = _reporting_block.set(_ReportingBlock())
    try:
        yield
    finally:
        _reporting_block.reset(token)


def replica_configured() -> bool:
    return REPLICA in connections.settings


def _in_transaction_on_primary() -> bool:
    primary = connections[DEFAULT_DB_ALIAS]
    # An atomic block, or autocommit turned off by hand on an open connection (a connection not
    # yet opened has no transaction).
    return primary.in_atomic_block or (primary.connection is not None and not primary.autocommit)


# On a standby: is it streaming from the primary (the WAL receiver's row is there while it runs;
# its pid is shown to every role), and how far behind is its replay (none when it has replayed
# all it received; else the age of the last transaction it replayed). On a primary (a promoted
# replica, or the test suite's mirror) there is nothing to lag behind.
REPLICA_STATE_SQL = """
SELECT pg_is_in_recovery(),
       EXISTS (SELECT 1 FROM pg_stat_wal_receiver),
       CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
            ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0)
       END
"""


def replica_lag_seconds() -> float | None:
    """How far the replica's replay is behind, in seconds: 0 when it is caught up or is not a
    standby at all, None when it is not streaming from its primary. Raises DatabaseError when the
    replica cannot be reached."""
    replica = connections[REPLICA]
    if replica.vendor != "postgresql":
        return 0.0
    with replica.cursor() as cursor:
        cursor.execute(REPLICA_STATE_SQL)
        in_recovery, streaming, lag_seconds = cursor.fetchone()
    if not in_recovery:
        return 0.0
    return float(lag_seconds) if streaming else None


def _replica_usable() -> bool:
    try:
        lag_seconds = replica_lag_seconds()
    except DatabaseError:
        logger.warning("The read replica cannot be reached; reports read from the primary.")
        connections[REPLICA].close()
        return False
    if lag_seconds is None:
        logger.warning("The read replica is not streaming; reports read from the primary.")
        return False
    if lag_seconds > settings.DATABASE_REPLICA_MAX_LAG_SECONDS:
        logger.warning(
            "The read replica is %.1f s behind; reports read from the primary.", lag_seconds
        )
        return False
    return True


def reporting_read_alias() -> str:
    """The database a read made now goes to: `replica` or `default`."""
    block = _reporting_block.get()
    if block is None or block.wrote or not replica_configured() or _in_transaction_on_primary():
        return DEFAULT_DB_ALIAS
    if block.replica_usable is None:
        block.replica_usable = _replica_usable()
    return REPLICA if block.replica_usable else DEFAULT_DB_ALIAS


class ReportingReadsRouter:
    """Installed by the settings when a `replica` alias exists (`DATABASE_ROUTERS`)."""

    def db_for_read(self, model, **hints) -> str:
        return reporting_read_alias()

    def db_for_write(self, model, **hints) -> str:
        block = _reporting_block.get()
        if block is not None and model._meta.label_lower not in ACCESS_RECORD_MODELS:
            block.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool | None:
        # The replica holds the primary's own rows: a row read from one may refer to a row read
        # from the other (a report's patient saved into the primary's audit row, say).
        if {obj1._state.db, obj2._state.db} <= {DEFAULT_DB_ALIAS, REPLICA}:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool | None:
        # A replica is read-only and receives the schema from the primary.
        return False if db == REPLICA else None
