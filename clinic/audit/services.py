"""The one way into the audit log."""

from __future__ import annotations

from typing import Any

from django.db import models, transaction
from django.utils import timezone

from clinic.audit.chain import content_of, lock_chain_head, seal
from clinic.audit.choices import AuditEventType, AuditOutcome
from clinic.audit.context import get_request_context, note_refusal_audited
from clinic.audit.models import AuditEvent

_IP_FIELD = AuditEvent._meta.get_field("ip_address")


def record_audit_event(
    *,
    actor,
    event_type: AuditEventType,
    target: models.Model | None = None,
    patient_id: int | None = None,
    location_id: int | None = None,
    outcome: AuditOutcome = AuditOutcome.SUCCESS,
    details: dict[str, Any] | None = None,
    actor_label: str | None = None,
) -> AuditEvent:
    """Append one event. Call it inside the transaction of the action it records, so that the
    action and its audit row are committed together or not at all (HIPAA §164.312(b) audit
    controls). `actor` may be None for the public (a visitor) or the system."""
    context = get_request_context()
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    event = AuditEvent(
        occurred_at=timezone.now(),
        actor=actor if authenticated else None,
        actor_label=(actor_label or (actor.email if authenticated else "anonymous"))[:254],
        actor_role=getattr(actor, "role", "") if authenticated else "",
        event_type=event_type,
        outcome=outcome,
        patient_id=patient_id,
        location_id=location_id,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        # Stored as the database will give it back (an IPv6 address in its short form), so that
        # the seal computed now matches the row read later.
        ip_address=_IP_FIELD.get_prep_value(context.ip_address),
        user_agent=context.user_agent,
        details=details or {},
    )
    # The chain's lock is held until the caller's transaction commits: keep this the last write
    # of a service, after its own row locks, so that writers queue here only briefly.
    with transaction.atomic(savepoint=False):
        position, previous = lock_chain_head()
        event.chain_position = position + 1
        event.chain_sha256 = seal(previous_sha256=previous, content=content_of(event))
        event.save(force_insert=True)
    if outcome != AuditOutcome.SUCCESS:
        note_refusal_audited()
    return event
