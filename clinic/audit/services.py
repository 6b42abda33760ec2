"""The one way into the audit log."""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from clinic.audit.chain import content_of, lock_chain_head, seal
from clinic.audit.choices import AuditEventType, AuditOutcome
from clinic.audit.context import get_request_context, note_refusal_audited
from clinic.audit.models import AuditEvent

_IP_FIELD = AuditEvent._meta.get_field("ip_address")
# The events recorded inside `audited_together()`, waiting to be written when its block ends.
_held: contextvars.ContextVar[list[AuditEvent] | None] = contextvars.ContextVar(
    "clinic_audit_held_events", default=None
)


def filed_under(record: models.Model) -> tuple[int | None, int | None]:
    """The patient and location an event about `record` is filed under: a patient is its own
    patient; any other record names its patient (`patient_id`, if it has one) and location."""
    if record._meta.label_lower == "patients.patient":
        return record.pk, getattr(record, "location_id", None)
    return getattr(record, "patient_id", None), getattr(record, "location_id", None)


def record_audit_event(
    *,
    actor,
    event_type: AuditEventType,
    target: models.Model | None = None,
    patient_id: int | None = None,
    location_id: int | None = None,
    about: models.Model | None = None,
    outcome: AuditOutcome = AuditOutcome.SUCCESS,
    details: dict[str, Any] | None = None,
    actor_label: str | None = None,
) -> AuditEvent:
    """Append one event. Call it inside the transaction of the action it records, so that the
    action and its audit row are committed together or not at all (HIPAA §164.312(b) audit
    controls). `actor` may be None for the public (a visitor) or the system. Inside
    `audited_together()` the event is written when that block ends (it has no id until then).

    `about` files the event under a record's patient and location (`filed_under`), instead of
    naming `patient_id` and `location_id` one by one."""
    if about is not None:
        if patient_id is not None or location_id is not None:
            raise TypeError("Give `about` or `patient_id`/`location_id`, not both.")
        patient_id, location_id = filed_under(about)
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
    held = _held.get()
    if held is not None:
        held.append(event)
    else:
        _append([event])
    if outcome != AuditOutcome.SUCCESS:
        note_refusal_audited()
    return event


def _append(events: list[AuditEvent]) -> None:
    """Seal the events to the chain in order, each to the one before it, and insert them."""
    # The chain's lock is held until the caller's transaction commits: keep this the last write
    # of a service, after its own row locks, so that writers queue here only briefly.
    with transaction.atomic(savepoint=False):
        position, previous = lock_chain_head()
        for event in events:
            position += 1
            event.chain_position = position
            event.chain_sha256 = seal(previous_sha256=previous, content=content_of(event))
            previous = event.chain_sha256
        if len(events) == 1:
            events[0].save(force_insert=True)
        else:
            AuditEvent.objects.bulk_create(events)


@contextmanager
def audited_together() -> Iterator[None]:
    """Write the audit events recorded inside this block together when it ends: the chain is
    locked and its head read once, and the rows, each sealed to the one before it as if written
    one by one, go in with one insert. For a service that records several events in one
    transaction (a reading and the alert it raised, a monitor's batch). Open it inside that
    transaction; if the block raises, nothing is written (the transaction is rolled back). A
    block inside another one writes with the outer one."""
    if _held.get() is not None:
        yield
        return
    if not connection.in_atomic_block:
        raise RuntimeError("audited_together() belongs inside the transaction of the action.")
    held: list[AuditEvent] = []
    token = _held.set(held)
    try:
        yield
    finally:
        _held.reset(token)
    if held:
        _append(held)
