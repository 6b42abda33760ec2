"""Checking that signed records still match their signatures.

A signature stores a SHA-256 of exactly what was signed (clinic.core.signing). Showing that stored
hash proves nothing by itself: if someone rewrote the record in the database, the page would show
the new text beside the old hash. So the hash is recomputed from the record as it is now, each
time a signed record is shown and for every record in `manage.py verify_records`; a mismatch is
shown as a warning and audited. The database triggers (clinic.core.guards) stop the change in the
first place; this check catches what went around them (a database owner, a restored backup).

Each app registers a `SealCheck` for each kind of signed record it owns (from `ready()`), so the
command checks every kind without the core app importing the apps above it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from clinic.audit.choices import AuditEventType, AuditOutcome
from clinic.audit.services import record_audit_event

BROKEN_SEAL_WARNING = (
    "This record does not match its signature: it was changed after it was signed. Do not rely "
    "on it; the medical director has been told through the audit log."
)


@dataclass(frozen=True)
class SealCheck:
    """One kind of signed record: how to list all of them, and what is wrong with one (an empty
    list when it matches its signature)."""

    name: str
    records: Callable[[], QuerySet]
    problems: Callable[[Any], list[str]]


_CHECKS: dict[str, SealCheck] = {}


def register_seal_check(check: SealCheck) -> None:
    _CHECKS[check.name] = check


def registered_seal_checks() -> list[SealCheck]:
    return [_CHECKS[name] for name in sorted(_CHECKS)]


@dataclass(frozen=True)
class BrokenSeal:
    """What a page shows above a signed record that no longer matches its signature."""

    problems: list[str]
    warning: str = BROKEN_SEAL_WARNING


def report_broken_seal(
    *, viewer, record, problems: list[str], patient_id=None, location_id=None
) -> BrokenSeal | None:
    """Audit a signed record shown while it does not match its signature, and return what to
    show (None when it matches)."""
    if not problems:
        return None
    record_audit_event(
        actor=viewer,
        event_type=AuditEventType.RECORD_SEAL_BROKEN,
        outcome=AuditOutcome.FAILED,
        target=record,
        patient_id=patient_id,
        location_id=location_id,
        details={"problems": problems[:10]},
    )
    return BrokenSeal(problems=problems)
