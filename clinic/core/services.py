"""Changes to the clinic's configuration (organisation and locations), audited."""

from __future__ import annotations

from django.db import transaction

from clinic.audit.choices import AuditEventType
from clinic.audit.services import record_audit_event
from clinic.core.models import Location, Organisation
from clinic.core.permissions import refuse


def save_configuration(
    *, actor, record: Organisation | Location, changed_fields: list[str]
) -> None:
    """Save the organisation or a location as the medical director edited it in the admin."""
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
