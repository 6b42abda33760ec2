"""Follow-ups and reassessments that fall due after sessions and plan phases.

Clinic policy [UNVERIFIED: no retrieved source sets these intervals]: a follow-up call the day
after each treatment session (checked in), and a reassessment a week after the last session of an
induction series (the plan's instruments are repeated there)."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from clinic.audit.choices import AuditEventType
from clinic.audit.services import record_audit_event
from clinic.core.dates import show_date
from clinic.core.exceptions import InvalidTransitionError
from clinic.patients.permissions import ensure_can_act_on_patient
from clinic.scheduling.choices import AppointmentKind, FollowUpKind, FollowUpStatus
from clinic.scheduling.locks import lock_follow_up, lock_open_follow_up_calls_of
from clinic.scheduling.models import Appointment, FollowUp
from clinic.scheduling.permissions import BOOKING_ROLES
from clinic.scheduling.selectors import visible_follow_ups

FOLLOW_UP_AFTER_SESSION_DAYS = 1
REASSESSMENT_AFTER_INDUCTION_DAYS = 7


def create_follow_up(
    *, patient, kind: str, due_on: date, reason: str, source: Appointment | None = None
) -> FollowUp:
    """Inside the caller's transaction."""
    follow_up = FollowUp.objects.create(
        patient=patient,
        location_id=patient.location_id,
        kind=kind,
        due_on=due_on,
        reason=reason,
        source_appointment=source,
    )
    record_audit_event(
        actor=None,
        actor_label="follow-up rule",
        event_type=AuditEventType.APPOINTMENT_CHANGED,
        target=follow_up,
        about=patient,
        details={"follow_up_due": due_on.isoformat(), "kind": kind},
    )
    return follow_up


def after_session(appointment: Appointment) -> FollowUp | None:
    if appointment.appointment_type.kind != AppointmentKind.TREATMENT:
        return None
    day = timezone.localtime(appointment.starts_at, appointment.location.zone).date()
    return create_follow_up(
        patient=appointment.patient,
        kind=FollowUpKind.FOLLOW_UP,
        due_on=day + timedelta(days=FOLLOW_UP_AFTER_SESSION_DAYS),
        reason=f"Call after {appointment.appointment_type.name.lower()} on {show_date(day)}",
        source=appointment,
    )


def withdraw_after_session(appointment: Appointment, *, reason: str = "check-in undone") -> None:
    """Inside the caller's transaction: a check-in undone, or a session stopped before any dose
    was given, withdraws the follow-up call the check-in made due (while nobody has booked or
    done it: there are no after-effects to ask about), with an audit entry saying why."""
    for follow_up in lock_open_follow_up_calls_of(appointment.pk):
        record_audit_event(
            actor=None,
            actor_label="follow-up rule",
            event_type=AuditEventType.APPOINTMENT_CHANGED,
            target=follow_up,
            about=follow_up,
            details={
                "follow_up_withdrawn": follow_up.due_on.isoformat(),
                "reason": reason,
            },
        )
        follow_up.delete()


def after_series(appointments: list[Appointment]) -> FollowUp | None:
    if not appointments:
        return None
    last = max(appointments, key=lambda a: a.starts_at)
    day = timezone.localtime(last.starts_at, last.location.zone).date()
    return create_follow_up(
        patient=last.patient,
        kind=FollowUpKind.REASSESSMENT,
        due_on=day + timedelta(days=REASSESSMENT_AFTER_INDUCTION_DAYS),
        reason=f"Reassessment after the series ({len(appointments)} sessions)",
        source=last,
    )


def settle_by_review(*, actor, follow_up: FollowUp) -> FollowUp:
    """Inside the caller's transaction: the follow-up review it called for is signed (the
    reviews app's signing service has checked the actor may sign it)."""
    locked = lock_follow_up(follow_up.pk)
    if locked.status == FollowUpStatus.DONE:
        return locked
    locked.status, locked.completed_at, locked.completed_by = (
        FollowUpStatus.DONE,
        timezone.now(),
        actor,
    )
    locked.save()
    record_audit_event(
        actor=actor,
        event_type=AuditEventType.APPOINTMENT_CHANGED,
        target=locked,
        about=locked,
        details={"follow_up": "done", "by_review": True},
    )
    return locked


def complete_follow_up(*, actor, follow_up: FollowUp) -> FollowUp:

    ensure_can_act_on_patient(
        actor,
        follow_up.patient,
        roles=BOOKING_ROLES,
        action="complete follow-ups",
        event_type=AuditEventType.APPOINTMENT_CHANGED,
    )
    with transaction.atomic(durable=True):
        locked = lock_follow_up(follow_up.pk)
        if locked.status == FollowUpStatus.DONE:
            raise InvalidTransitionError("This follow-up is already done.")
        locked.status, locked.completed_at, locked.completed_by = (
            FollowUpStatus.DONE,
            timezone.now(),
            actor,
        )
        locked.save()
        record_audit_event(
            actor=actor,
            event_type=AuditEventType.APPOINTMENT_CHANGED,
            target=locked,
            about=locked,
            details={"follow_up": "done"},
        )
        return locked


def link_booking(appointment: Appointment) -> None:
    """Booking a follow-up or reassessment settles the oldest open one of that kind."""
    if appointment.appointment_type.kind not in {
        AppointmentKind.FOLLOW_UP,
        AppointmentKind.REASSESSMENT,
    }:
        return
    open_one = (
        FollowUp.objects.filter(
            patient=appointment.patient,
            kind=appointment.appointment_type.kind,
            status=FollowUpStatus.OPEN,
        )
        .order_by("due_on")
        .first()
    )
    if open_one is not None:
        open_one.status, open_one.appointment = FollowUpStatus.BOOKED, appointment
        open_one.save(update_fields=["status", "appointment", "updated_at"])


def due_follow_ups(viewer, *, horizon_days: int = 7):

    today = timezone.localdate()
    return list(
        visible_follow_ups(viewer)
        .filter(status=FollowUpStatus.OPEN, due_on__lte=today + timedelta(days=horizon_days))
        .select_related("patient", "location")
        .order_by("due_on")[:200]
    )
