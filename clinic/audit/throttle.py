"""Refusals of callers nobody has signed in (a wrong monitor token, a questionnaire, check-in or
calendar link that opens nothing) are audited without letting a script fill the audit table.

The first refusal of a kind from an address in a clock minute writes a row; later ones in that
minute are counted in the cache, not written. The address's next row of that kind (in any later
minute) says how many were counted since its previous row (`refusals_not_written_before`). So
the rows plus their counts add up to every refusal, except those after an address's last row,
which wait in the cache for its next one (kept a week; the cache is Redis in production, shared
by every worker). An auditor reads: at most one row per address and minute, and no refusal
uncounted.
"""

from __future__ import annotations

import contextlib
import time

from django.core.cache import cache

from clinic.audit.choices import AuditEventType, AuditOutcome
from clinic.audit.context import get_request_context
from clinic.audit.services import record_audit_event

WINDOW_SECONDS = 60
UNWRITTEN_KEPT_SECONDS = 7 * 24 * 3600


def current_window() -> int:
    return int(time.time() // WINDOW_SECONDS)


def _count_unwritten(key: str) -> None:
    # add() and incr() are atomic; incr() fails only when the counter expired in between.
    if cache.add(key, 1, timeout=UNWRITTEN_KEPT_SECONDS):
        return
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=UNWRITTEN_KEPT_SECONDS)


def record_unauthenticated_refusal(
    *,
    event_type: AuditEventType,
    actor_label: str,
    details: dict | None = None,
    outcome: AuditOutcome = AuditOutcome.FAILED,
):
    """Audit a refused unauthenticated request, at most one row per address, kind and minute
    (see the module's docstring). Returns the row, or None when the refusal was only counted."""
    address = get_request_context().ip_address or "unknown"
    scope = f"{int(event_type)}:{address}"
    unwritten_key = f"audit-refusals-unwritten:{scope}"
    if not cache.add(f"audit-refusal-row:{scope}:{current_window()}", True, WINDOW_SECONDS + 5):
        _count_unwritten(unwritten_key)
        return None
    unwritten = cache.get(unwritten_key, 0)
    if unwritten:
        # decr() rather than delete(): refusals counted meanwhile stay for the next row.
        with contextlib.suppress(ValueError):
            cache.decr(unwritten_key, unwritten)
    return record_audit_event(
        actor=None,
        actor_label=actor_label,
        event_type=event_type,
        outcome=outcome,
        details={
            **(details or {}),
            "refusals_not_written_before": unwritten,
            "rows_at_most": "one per address and minute",
        },
    )
