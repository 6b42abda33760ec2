"""Changes to the clinic's configuration (organisation, locations, clinical settings), audited."""

from __future__ import annotations

from django.db import transaction

from clinic.audit.choices import AuditEventType
from clinic.audit.services import record_audit_event
from clinic.core.models import Location
from clinic.core.permissions import refuse


def save_configuration(
    *, actor, record, changed_fields: list[str], event: AuditEventType | None = None
) -> None:
    """Save a configuration row as the medical director edited it in the admin."""
    if event is None:
        event = (
            AuditEventType.LOCATION_CHANGED
            if isinstance(record, Location)
            else AuditEventType.ORGANISATION_CHANGED
        )
    if not (actor.is_superuser or actor.is_medical_director):
        refuse(actor, action="change the clinic's configuration", event_type=event)
    with transaction.atomic():
        created = record.pk is None
        record.full_clean()
        record.save()
        record_audit_event(
            actor=actor,
            event_type=event,
            target=record,
            location_id=record.pk if isinstance(record, Location) else None,
            details={"created": created, "fields": sorted(changed_fields)},
        )
