"""The audit chain: every audit row sealed to the one before it.

Each row is numbered (`chain_position` 1, 2, 3 … with no gaps among committed rows) and carries
`chain_sha256`, an HMAC-SHA-256 under `settings.CLINIC_AUDIT_KEY` of the row's content and of the
previous row's seal. The number and the previous seal are read under a lock held until the
writing transaction commits (PostgreSQL: a transaction-level advisory lock; SQLite: the database's
own write lock, which every transaction here takes at BEGIN IMMEDIATE), so two writers never take
the same place. Then:

- a changed row no longer matches its seal;
- a removed row leaves a gap in the numbers and breaks the next row's seal;
- a row inserted by anyone without the key (a back-dated "forgery" typed into the database)
  cannot carry a valid seal.

The key lives in the application's settings, not in the database, so database access alone
cannot re-seal a rewritten chain. Guidance on the approach: NIST SP 800-92 (Guide to Computer
Security Log Management, §4.3 log integrity) and RFC 5848-style signed syslog chains.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import connection

from clinic.audit.models import AuditEvent

GENESIS_SHA256 = "0" * 64
# Any fixed 64-bit number, the same in every process: the advisory lock that orders audit rows.
POSTGRES_CHAIN_LOCK_KEY = 0x6B65_7461_6D69_6E65  # "ketamine"


def _key() -> bytes:
    return settings.CLINIC_AUDIT_KEY.encode()


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def seal(*, previous_sha256: str, content: dict[str, Any]) -> str:
    """The seal of one row: HMAC-SHA-256 of the previous seal and the row's canonical content."""
    message = f"{previous_sha256}\n{_canonical(content)}".encode()
    return hmac.new(_key(), message, hashlib.sha256).hexdigest()


def content_of(event) -> dict[str, Any]:
    """Exactly what a seal covers: every column of the row but its primary key and the seal
    itself (works for the model and for its historical copy in migrations)."""
    return {
        "chain_position": event.chain_position,
        "occurred_at": _iso(event.occurred_at),
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "actor_role": event.actor_role,
        "event_type": int(event.event_type),
        "outcome": str(event.outcome),
        "patient_id": event.patient_id,
        "location_id": event.location_id,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "ip_address": str(event.ip_address) if event.ip_address else None,
        "user_agent": event.user_agent,
        # The details as the database gives them back (JSON): keys become strings, tuples lists.
        "details": json.loads(json.dumps(event.details)),
    }


def lock_chain_head() -> tuple[int, str]:
    """Take the chain's lock for the rest of the transaction and return the last row's position
    and seal (0 and the genesis value for an empty trail)."""

    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [POSTGRES_CHAIN_LOCK_KEY])
        # Plain SQL, the same on every database: every audited action runs it, and Django would
        # take longer to compile the query than the database takes to answer it (the unique
        # index on chain_position gives the last row at once).
        cursor.execute(
            f"SELECT {quote('chain_position')}, {quote('chain_sha256')} "
            f"FROM {quote(AuditEvent._meta.db_table)} "
            f"ORDER BY {quote('chain_position')} DESC LIMIT 1"
        )
        last = cursor.fetchone()
    return tuple(last) if last is not None else (0, GENESIS_SHA256)


@dataclass(frozen=True)
class ChainProblem:
    chain_position: int
    event_id: int | None
    problem: str

    def __str__(self) -> str:
        return f"audit row #{self.chain_position} (id {self.event_id}): {self.problem}"


@dataclass(frozen=True)
class ChainReport:
    rows_checked: int
    head_position: int
    head_sha256: str
    problems: list[ChainProblem]

    @property
    def intact(self) -> bool:
        return not self.problems


def verify_chain(events: Iterable | None = None, *, max_problems: int = 100) -> ChainReport:
    """Walk the trail in chain order and report every row whose number or seal is wrong."""

    rows: Iterator = iter(
        events
        if events is not None
        else AuditEvent.objects.order_by("chain_position").iterator(chunk_size=2000)
    )
    expected_position, previous = 1, GENESIS_SHA256
    problems: list[ChainProblem] = []
    checked = 0
    for event in rows:
        checked += 1
        if event.chain_position != expected_position:
            if event.chain_position > expected_position:
                missing = f"{expected_position}–{event.chain_position - 1}"
                problems.append(
                    ChainProblem(event.chain_position, event.pk, f"rows {missing} are missing")
                )
            else:
                problems.append(ChainProblem(event.chain_position, event.pk, "out of order"))
        if not hmac.compare_digest(
            seal(previous_sha256=previous, content=content_of(event)), event.chain_sha256
        ):
            problems.append(
                ChainProblem(
                    event.chain_position,
                    event.pk,
                    "its seal does not match: the row, or the one before it, was changed, "
                    "inserted or removed",
                )
            )
        expected_position, previous = event.chain_position + 1, event.chain_sha256
        if len(problems) >= max_problems:
            break
    return ChainReport(
        rows_checked=checked,
        head_position=expected_position - 1,
        head_sha256=previous,
        problems=problems,
    )
