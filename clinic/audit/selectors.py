"""Browsing the audit trail (medical director only)."""

from __future__ import annotations

from datetime import datetime, time

from django.db.models import QuerySet
from django.utils import timezone

from clinic.audit.choices import AuditEventType
from clinic.audit.models import AuditEvent
from clinic.audit.services import record_audit_event
from clinic.core.pagination import Window, window
from clinic.core.permissions import refuse

EVENTS_PER_PAGE = 50
# Event-type groups by numeric range (see AuditEventType).
EVENT_GROUPS = {
    "accounts": ("Sign-in and accounts", 100, 199),
    "intake": ("Consultation requests", 200, 299),
    "patients": ("Patient records", 300, 399),
    "assessments": ("Assessments and safety", 400, 499),
    "evaluation": ("Evaluation, consent and plans", 500, 599),
    "scheduling": ("Scheduling", 600, 699),
    "sessions": ("Treatment sessions and monitors", 700, 799),
    "inventory": ("Controlled-substance register", 1000, 1099),
    "letters": ("Progress letters", 1100, 1199),
    "messaging": ("Messages between visits", 1200, 1299),
    "interop": ("FHIR API and export", 1300, 1399),
    "outcomes": ("Outcomes and retention", 1400, 1499),
    "front_desk": ("Change requests and the waitlist", 1500, 1599),
    "configuration": ("Protocols, limits and policies published", 1600, 1699),
    "everyday": ("Duplicate checks, safety-alert calls and patient status", 1700, 1799),
    "system": ("Audit and configuration", 900, 999),
}
# One export covers at most this many days (a year and a day), so that a mistyped range does not
# stream the whole trail; a longer period is several exports.
EXPORT_MAX_DAYS = 366


def filter_audit_events(
    *,
    actor: str = "",
    patient_id: int | None = None,
    group: str = "",
    event_type: int | None = None,
    outcome: str = "",
    date_from=None,
    date_to=None,
) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.select_related("actor")
    if actor:
        events = events.filter(actor_label__icontains=actor)
    if patient_id is not None:
        events = events.filter(patient_id=patient_id)
    if group in EVENT_GROUPS:
        _, low, high = EVENT_GROUPS[group]
        events = events.filter(event_type__gte=low, event_type__lte=high)
    if event_type is not None:
        events = events.filter(event_type=event_type)
    if outcome:
        events = events.filter(outcome=outcome)
    zone = timezone.get_current_timezone()
    if date_from:
        events = events.filter(occurred_at__gte=datetime.combine(date_from, time.min, tzinfo=zone))
    if date_to:
        events = events.filter(occurred_at__lte=datetime.combine(date_to, time.max, tzinfo=zone))
    return events


def export_audit_log(viewer, *, filters: dict):
    """Every event the filter selects, oldest first, streamed from the database (an iterator:
    memory stays flat however many rows). The export itself is audited first, with its filter."""
    if not viewer.is_medical_director:
        refuse(viewer, action="export the audit log", event_type=AuditEventType.AUDIT_LOG_EXPORTED)
    record_audit_event(
        actor=viewer,
        event_type=AuditEventType.AUDIT_LOG_EXPORTED,
        details={k: str(v) for k, v in filters.items() if v not in (None, "")},
    )
    return filter_audit_events(**filters).order_by("occurred_at", "id").iterator(chunk_size=2000)


def browse_audit_log(viewer, *, filters: dict, page_number: str | int = 1) -> Window:
    """One page of the trail, newest first, in one query: the trail grows by every page anyone
    opens, so it is never counted (a count reads every row). The page is read before this view's
    own event is written, so that event appears on the next look, not on this one."""
    if not viewer.is_medical_director:
        refuse(viewer, action="read the audit log", event_type=AuditEventType.AUDIT_LOG_VIEWED)
    page = window(filter_audit_events(**filters), page_number, per_page=EVENTS_PER_PAGE)
    record_audit_event(
        actor=viewer,
        event_type=AuditEventType.AUDIT_LOG_VIEWED,
        details={k: str(v) for k, v in filters.items() if v not in (None, "")},
    )
    return page
