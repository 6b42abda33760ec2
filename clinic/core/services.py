"""Changes to the clinic's configuration (organisation, locations, clinical settings), and the
documents people ask to have drawn; each audited."""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction
from django.utils import timezone

from clinic.audit.choices import AuditEventType
from clinic.audit.services import record_audit_event
from clinic.core.choices import DocumentStatus
from clinic.core.documents import document_kind, document_zone, registered_document_kind
from clinic.core.models import GeneratedDocument, Location
from clinic.core.permissions import refuse
from clinic.core.tasks import render_document


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


def request_document(
    *,
    actor,
    kind: str,
    title: str,
    parameters: dict[str, Any],
    location: Location | None = None,
    patient_id: int | None = None,
    audit_details: dict[str, Any] | None = None,
) -> GeneratedDocument:
    """Ask for a document to be drawn in the background (clinic.core.documents). The caller has
    already validated `parameters` and scoped them to what `actor` may see; the request is
    audited under the kind's event, and the task is enqueued once the transaction commits (the
    worker must find the row)."""
    document_type = document_kind(kind)
    if document_type is None:
        raise ValueError(f"No document kind {kind!r} is registered.")
    if not document_type.may_request(actor):
        refuse(
            actor, action=f"ask for a {document_type.label}", event_type=document_type.audit_event
        )
    title = " ".join(title.split())[:200]
    now = timezone.now()
    with transaction.atomic():
        document = GeneratedDocument.objects.create(
            kind=kind,
            title=title,
            requested_by=actor,
            requested_at=now,
            location=location,
            patient_id=patient_id,
            parameters=parameters,
            status=DocumentStatus.QUEUED,
            filename=_filename(title, timezone.localtime(now, document_zone(location))),
        )
        audit_document(actor, document, step="PDF requested", **(audit_details or {}))
        public_id = str(document.public_id)
        transaction.on_commit(lambda: render_document.enqueue(document_id=public_id))
    return document


def audit_document(actor, document: GeneratedDocument, *, step: str, **details) -> None:
    """A document's request, its status page and each download, under its kind's event."""
    record_audit_event(
        actor=actor,
        event_type=registered_document_kind(document.kind).audit_event,
        target=document,
        about=document,
        details={
            "document": str(document.public_id),
            "kind": document.kind,
            "step": step,
            **{key: str(value) for key, value in details.items()},
        },
    )


def _filename(title: str, moment) -> str:
    """e.g. "ledger-main-safe-2026-01-01-to-2026-01-31-20260201-0930.pdf": letters, digits and
    dashes only, so no browser or file system misreads it."""
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:90] or "document"
    return f"{slug}-{moment:%Y%m%d-%H%M}.pdf"
