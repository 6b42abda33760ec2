"""Appointments as iCalendar (RFC 5545): a patient's one-event .ics download and a member of
staff's private calendar feed, subscribed to by URL.

Calendars sync to phones and to third-party servers, so events carry the minimum necessary: a
patient's own .ics names the appointment type and the preparation; a staff feed names the type
and the patient's MRN, never the patient's name, and no clinical details.

The feed URL holds a token whose SHA-256 hash is stored (CalendarFeed); the token is shown once
when created, and creating a new one or revoking the feed makes the old URL stop working.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event

from clinic.accounts.choices import Role
from clinic.accounts.models import User
from clinic.audit.choices import AuditEventType
from clinic.audit.services import record_audit_event
from clinic.audit.throttle import record_unauthenticated_refusal
from clinic.core.exceptions import NotFoundError
from clinic.core.permissions import ensure_role, has_role
from clinic.core.tokens import token_sha256
from clinic.patients.selectors import visible_patients
from clinic.scheduling.choices import AppointmentStatus
from clinic.scheduling.models import Appointment, CalendarFeed
from clinic.scheduling.permissions import CALENDAR_FEED_ROLES

PRODID = "-//Ketamine Clinic//EN"
UID_DOMAIN = "ketamine-clinic"
# Calendar apps poll a subscribed feed; ask for about an hour (RFC 7986 REFRESH-INTERVAL and the
# older X-PUBLISHED-TTL, "PT1H", that Outlook and Apple Calendar read).
REFRESH = timedelta(hours=1)
# A token is 43 characters (secrets.token_urlsafe(32)); anything much longer is not ours.
MAX_TOKEN_LENGTH = 100


def event_uid(appointment: Appointment) -> str:
    return f"{appointment.public_id}@{UID_DOMAIN}"


def _location_text(appointment: Appointment, *, with_room: bool) -> str:
    location = appointment.location
    parts = [location.name]
    if with_room and appointment.room is not None:
        parts.insert(0, appointment.room.name)
    parts.extend(location.address_lines)
    return ", ".join(parts)


def _clinic_phone(appointment: Appointment) -> str:
    location = appointment.location
    return location.phone or getattr(location.organisation, "phone", "")


def _patient_description(appointment: Appointment) -> str:
    lines = []
    preparation = appointment.appointment_type.preparation.strip()
    if preparation:
        lines.append(preparation)
    phone = _clinic_phone(appointment)
    if phone:
        lines.append(f"Questions, or need to change this appointment? Call {phone}.")
    return "\n\n".join(lines)


def _staff_description(appointment: Appointment) -> str:

    lines = [f"Patient MRN: {appointment.patient.mrn}"]
    if appointment.room is not None:
        lines.append(f"Room: {appointment.room.name}")
    if appointment.status == AppointmentStatus.CANCELLED:
        lines.append("Cancelled.")
    # The chart needs signing in; the link holds no name, only the record's random id.
    chart = reverse("patients:chart", args=[appointment.patient.public_id])
    lines.append(f"Chart: {settings.CLINIC_BASE_URL}{chart}")
    return "\n".join(lines)


def appointment_event(appointment: Appointment, *, for_staff: bool = False) -> Event:
    """One VEVENT. `for_staff` selects the staff wording: the type and the patient's MRN (no
    name, no preparation); otherwise the patient's wording: the type and the preparation."""
    event = Event()
    event.add("uid", event_uid(appointment))
    event.add("dtstamp", timezone.now().astimezone(UTC))
    event.add("dtstart", appointment.starts_at.astimezone(UTC))
    event.add("dtend", appointment.ends_at.astimezone(UTC))
    if appointment.updated_at is not None:
        event.add("last-modified", appointment.updated_at.astimezone(UTC))
    event.add("sequence", appointment.sequence)
    type_name = appointment.appointment_type.name
    if for_staff:
        event.add("summary", f"{type_name} – {appointment.patient.mrn}")
        event.add("location", _location_text(appointment, with_room=True))
        event.add("description", _staff_description(appointment))
        event.add("class", "CONFIDENTIAL")
    else:
        event.add("summary", type_name)
        event.add("location", _location_text(appointment, with_room=False))
        description = _patient_description(appointment)
        if description:
            event.add("description", description)
        event.add("class", "PRIVATE")
    cancelled = appointment.status == AppointmentStatus.CANCELLED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    # A cancelled event no longer blocks time in the calendar.
    event.add("transp", "TRANSPARENT" if cancelled else "OPAQUE")
    return event


def _calendar(name: str | None = None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    if name:
        calendar.add("x-wr-calname", name)
        calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", "PT1H")
    return calendar


def _with_related(queryset):
    return queryset.select_related("appointment_type", "location__organisation", "room", "patient")


def patient_ics(appointment: Appointment) -> bytes:
    """The patient's own .ics for one appointment (one VEVENT, METHOD:PUBLISH)."""
    calendar = _calendar()
    calendar.add_component(appointment_event(appointment))
    return calendar.to_ical()


def staff_appointments(
    user, *, days_back: int = 30, days_ahead: int = 120, now: datetime | None = None
):
    now = now or timezone.now()
    return _with_related(
        Appointment.objects.filter(
            staff=user,
            starts_at__gte=now - timedelta(days=days_back),
            starts_at__lte=now + timedelta(days=days_ahead),
        )
    ).order_by("starts_at", "pk")


def staff_feed(
    user, *, days_back: int = 30, days_ahead: int = 120, now: datetime | None = None
) -> bytes:
    """The user's appointments (where they are the member of staff) from `days_back` days ago to
    `days_ahead` days ahead, cancelled ones included as STATUS:CANCELLED so that subscribed
    calendars remove them."""
    clinic = settings.OTP_TOTP_ISSUER
    calendar = _calendar(f"{clinic} – {user.full_name}")
    for appointment in staff_appointments(
        user, days_back=days_back, days_ahead=days_ahead, now=now
    ):
        calendar.add_component(appointment_event(appointment, for_staff=True))
    return calendar.to_ical()


def create_feed_token(*, actor) -> str:
    """Create (or replace) the actor's calendar feed and return its token, to be shown once: only
    its hash is stored, and the previous URL stops working."""
    ensure_role(
        actor,
        CALENDAR_FEED_ROLES,
        action="subscribe to a calendar feed",
        event_type=AuditEventType.CALENDAR_FEED_CHANGED,
    )
    token = secrets.token_urlsafe(32)
    with transaction.atomic(durable=True):
        feed, created = CalendarFeed.objects.update_or_create(
            user=actor, defaults={"token_sha256": token_sha256(token)}
        )
        record_audit_event(
            actor=actor,
            event_type=AuditEventType.CALENDAR_FEED_CHANGED,
            target=feed,
            details={"action": "created" if created else "replaced"},
        )
    return token


def revoke_feed(*, actor) -> bool:
    """Delete the actor's calendar feed, so its URL stops working; False if there was none."""
    with transaction.atomic(durable=True):
        deleted, _ = CalendarFeed.objects.filter(user=actor).delete()
        if deleted:
            record_audit_event(
                actor=actor,
                event_type=AuditEventType.CALENDAR_FEED_CHANGED,
                details={"action": "revoked"},
            )
    return bool(deleted)


def user_for_feed_token(token: str) -> User | None:
    """The active member of staff whose feed the token opens, or None."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    feed = (
        CalendarFeed.objects.select_related("user").filter(token_sha256=token_sha256(token)).first()
    )
    if feed is None or not has_role(feed.user, CALENDAR_FEED_ROLES):
        return None
    return feed.user


def open_staff_feed(token: str) -> bytes | None:
    """What the feed URL serves: the calendar of the token's user (audited as a calendar view by
    that user), or None if the token does not open a feed."""
    user = user_for_feed_token(token)
    if user is None:
        # Anyone can try a feed address: at most one row per address a minute, the rest counted.
        record_unauthenticated_refusal(
            event_type=AuditEventType.TOKEN_REFUSED,
            actor_label="anonymous (calendar feed)",
            details={"link": "calendar feed"},
        )
        return None
    with transaction.atomic(durable=True):
        body = staff_feed(user)
        record_audit_event(
            actor=user, event_type=AuditEventType.CALENDAR_VIEWED, details={"feed": "ical"}
        )
    return body


def patient_ics_for(*, actor, public_id) -> tuple[Appointment, bytes]:
    """A patient's .ics download of one of their own appointments, or a guardian's of the
    patient they represent (audited); NotFoundError for anyone else's, as if it did not exist."""
    if not has_role(actor, {Role.PATIENT, Role.GUARDIAN}):
        raise NotFoundError("We could not find that appointment.")
    # The patient's own, or (a guardian) those of the patients they represent.
    appointment = _with_related(
        Appointment.objects.filter(public_id=public_id, patient__in=visible_patients(actor))
    ).first()
    if appointment is None:
        raise NotFoundError("We could not find that appointment.")
    with transaction.atomic(durable=True):
        record_audit_event(
            actor=actor,
            event_type=AuditEventType.CALENDAR_VIEWED,
            target=appointment,
            about=appointment,
            details={"download": "ics"},
        )
    return appointment, patient_ics(appointment)
