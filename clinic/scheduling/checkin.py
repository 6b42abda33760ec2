"""The pre-visit check-in: a link sent with the reminder, answered on the patient's phone."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from clinic.audit.choices import AuditEventType
from clinic.audit.services import record_audit_event
from clinic.audit.throttle import record_unauthenticated_refusal
from clinic.core.exceptions import ClinicError, InvalidTransitionError, NotFoundError
from clinic.core.tokens import token_sha256
from clinic.scheduling.choices import AppointmentStatus
from clinic.scheduling.locks import lock_appointment, lock_check_in
from clinic.scheduling.models import Appointment, PreVisitCheckIn


def issue_check_in_link(appointment: Appointment) -> str | None:
    """A fresh link for the appointment's check-in, inside the caller's transaction (only the
    token's hash is kept, so each reminder carries a new link; the previous one stops working).
    None once the patient has answered."""
    token = secrets.token_urlsafe(24)
    check_in, created = PreVisitCheckIn.objects.get_or_create(
        appointment=appointment,
        defaults={"location_id": appointment.location_id, "token_sha256": token_sha256(token)},
    )
    if not created:
        if check_in.answered_at is not None:
            return None
        check_in.token_sha256 = token_sha256(token)
        check_in.save(update_fields=["token_sha256"])
    return settings.CLINIC_BASE_URL + reverse("scheduling:check_in", args=[token])


def open_check_in(token: str) -> PreVisitCheckIn:
    check_in = (
        PreVisitCheckIn.objects.select_related(
            "appointment__patient", "appointment__location", "appointment__appointment_type"
        )
        .filter(token_sha256=token_sha256(token or ""))
        .first()
    )
    if check_in is None:
        # Anyone can try a link: at most one row per address a minute, the rest counted.
        record_unauthenticated_refusal(
            event_type=AuditEventType.TOKEN_REFUSED,
            actor_label="anonymous (check-in link)",
            details={"link": "check-in"},
        )
        raise NotFoundError("This link is not valid. Please use the link in your newest reminder.")
    if check_in.answered_at is not None:
        raise InvalidTransitionError("Thank you: your answers are with the clinic already.")
    if (
        check_in.appointment.status != AppointmentStatus.BOOKED
        or check_in.appointment.starts_at < timezone.now()
    ):
        raise InvalidTransitionError("This appointment is no longer waiting for a check-in.")
    return check_in


def answer_check_in(
    *, token: str, fasting: bool, ride: bool, medication_changed: bool, details: str = ""
) -> PreVisitCheckIn:
    """Record the patient's answers; a worrying one flags the appointment with the reason."""
    details = details.strip()
    if medication_changed and not details:
        raise ClinicError(
            "Tell us which medicine changed and how.", field="medication_change_details"
        )
    with transaction.atomic(durable=True):
        check_in = open_check_in(token)
        check_in = lock_check_in(check_in.pk)
        check_in.fasting_as_instructed, check_in.ride_home_arranged = fasting, ride
        check_in.medication_changed, check_in.medication_change_details = (
            medication_changed,
            details[:500],
        )
        check_in.answered_at = timezone.now()
        check_in.save()
        concerns = check_in.concerns
        appointment = lock_appointment(check_in.appointment_id)
        if concerns:
            appointment.flagged = True
            appointment.flag_reason = "; ".join(concerns)[:300]
            appointment.save(update_fields=["flagged", "flag_reason", "updated_at"])
        record_audit_event(
            actor=None,
            actor_label="patient (check-in link)",
            event_type=AuditEventType.APPOINTMENT_CHANGED,
            target=check_in,
            about=appointment,
            details={"pre_visit_check_in": True, "concerns": len(concerns)},
        )
        return check_in


def flag_unanswered(appointment: Appointment) -> None:
    """At the last reminder, a check-in still unanswered is itself worth a look."""
    check_in = getattr(appointment, "pre_visit", None)
    if check_in is not None and check_in.answered_at is None and not appointment.flagged:
        Appointment.objects.filter(pk=appointment.pk).update(
            flagged=True, flag_reason="Pre-visit check-in not answered"
        )
