"""The consultation queue: from a visitor's request to a patient record or a documented decline."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from clinic.audit.choices import AuditEventType
from clinic.audit.services import record_audit_event
from clinic.core.exceptions import ClinicError, InvalidTransitionError, RateLimitedError
from clinic.core.models import Location
from clinic.core.permissions import ensure_role
from clinic.core.ratelimit import hit_and_check
from clinic.core.validation import explain_refusal
from clinic.core.validators import age_in_years
from clinic.intake.choices import (
    ALLOWED_QUEUE_STEPS,
    OPEN_STATUSES,
    ConsultationStatus,
    DeclineReason,
)
from clinic.intake.locks import lock_consultation_request
from clinic.intake.models import ConsultationActivity, ConsultationRequest
from clinic.intake.permissions import QUEUE_ROLES
from clinic.patients.ages import under_age_message
from clinic.patients.models import Patient
from clinic.patients.policy import get_patient_policy
from clinic.patients.services import create_patient_record

logger = logging.getLogger(__name__)

CONSENT_TO_CONTACT_TEXT = (
    "I agree that the clinic may contact me by the phone number and e-mail address I gave, about "
    "this request. I understand that this form is not for emergencies and that e-mail and text "
    "messages may not be fully private."
)
REQUEST_FIELDS = (
    "first_name",
    "last_name",
    "preferred_name",
    "date_of_birth",
    "email",
    "phone",
    "preferred_contact_method",
    "preferred_contact_times",
    "conditions",
    "other_condition",
    "treatments_tried",
    "message",
    "consent_to_contact",
)


def _notify_clinic_of_request(request_id: int) -> None:
    """E-mail the clinic a link to the new request. No health details go into the e-mail: it may
    travel unencrypted; staff read them behind the sign-in."""
    request = ConsultationRequest.objects.select_related("location").get(pk=request_id)
    link = settings.CLINIC_BASE_URL + reverse("intake:detail", args=[request.public_id])
    send_mail(
        subject=f"New consultation request ({request.location.name})",
        message=(
            f"A new consultation request arrived for {request.location.name}.\n\n"
            f"Open it in the consultation queue (sign-in required):\n{link}\n"
        ),
        from_email=None,
        recipient_list=[settings.CLINIC_INTAKE_EMAIL],
    )
    logger.info("consultation_request.notified id=%s", request_id)


def check_consultation_rate_limit(*, ip_address: str | None) -> None:
    """At most CLINIC_CONSULTATION_RATE_LIMIT_PER_HOUR submissions per IP address per hour."""
    if not hit_and_check(
        scope="consultation",
        key=ip_address or "unknown",
        limit=settings.CLINIC_CONSULTATION_RATE_LIMIT_PER_HOUR,
        window_seconds=3600,
    ):
        raise RateLimitedError(
            "We have received several requests from your connection in the last hour. "
            "Please wait a little and try again, or call the clinic."
        )


def submit_consultation_request(
    *, data: dict[str, Any], location: Location, ip_address: str | None
) -> ConsultationRequest:
    """Record a visitor's request and tell the clinic; the visitor is the (anonymous) actor."""
    unknown = set(data) - set(REQUEST_FIELDS)
    if unknown:
        raise ClinicError(f"Unexpected fields: {', '.join(sorted(unknown))}.")
    if not data.get("consent_to_contact"):
        raise ClinicError(
            "Please agree to be contacted: we cannot reply otherwise.", field="consent_to_contact"
        )
    # The clinic's minimum age (PatientPolicy), checked here too for callers other than the form.
    birth_date = data.get("date_of_birth")
    if birth_date is not None:
        minimum = get_patient_policy().minimum_age_years
        if age_in_years(birth_date, timezone.localdate(timezone.now(), location.zone)) < minimum:
            raise ClinicError(under_age_message(minimum), field="date_of_birth")
    with transaction.atomic(durable=True):
        request = ConsultationRequest(
            location=location, consent_text=CONSENT_TO_CONTACT_TEXT, submitted_ip=ip_address, **data
        )
        request.email = request.email.strip().lower()
        request.full_clean()
        request.save()
        ConsultationActivity.objects.create(
            request=request,
            location=location,
            author=None,
            to_status=ConsultationStatus.NEW,
            note="Submitted on the website.",
        )
        record_audit_event(
            actor=None,
            actor_label="public website",
            event_type=AuditEventType.CONSULTATION_SUBMITTED,
            target=request,
            location_id=location.pk,
        )
        transaction.on_commit(lambda: _notify_clinic_of_request(request.pk))
    return request


def _ensure_queue_role(actor, request, action: str, event_type) -> None:
    ensure_role(
        actor,
        QUEUE_ROLES,
        action=action,
        event_type=event_type,
        target=request,
        patient_id=request.patient_id,
    )


def record_consultation_step(
    *, actor, request: ConsultationRequest, to_status: str, note: str = ""
) -> ConsultationRequest:
    """Move a request along the queue (contacted, evaluation booked), with an optional note."""
    _ensure_queue_role(
        actor, request, "work the consultation queue", AuditEventType.CONSULTATION_STATUS_CHANGED
    )
    with transaction.atomic(durable=True):
        locked = lock_consultation_request(request.pk)
        if to_status not in ALLOWED_QUEUE_STEPS[locked.status]:
            label = (
                ConsultationStatus(to_status).label
                if to_status in ConsultationStatus.values
                else to_status
            )
            raise InvalidTransitionError(
                f"A request that is “{locked.get_status_display()}” cannot be marked “{label}”.",
                field="to_status",
            )
        from_status = locked.status
        locked.status = to_status
        if locked.assigned_to_id is None:
            locked.assigned_to = actor
        if to_status != ConsultationStatus.DECLINED:
            locked.decline_reason = ""
            locked.decline_details = ""
        locked.save(
            update_fields=[
                "status",
                "assigned_to",
                "decline_reason",
                "decline_details",
                "updated_at",
            ]
        )
        ConsultationActivity.objects.create(
            request=locked,
            location_id=locked.location_id,
            author=actor,
            from_status=from_status,
            to_status=to_status,
            note=note.strip(),
        )
        record_audit_event(
            actor=actor,
            event_type=AuditEventType.CONSULTATION_STATUS_CHANGED,
            target=locked,
            location_id=locked.location_id,
            details={"from": from_status, "to": to_status},
        )
        return locked


def add_consultation_note(
    *, actor, request: ConsultationRequest, note: str
) -> ConsultationActivity:
    """Add a note (a call attempt, a message left) to a request's history."""
    _ensure_queue_role(
        actor, request, "add notes to consultation requests", AuditEventType.CONSULTATION_NOTE_ADDED
    )
    note = note.strip()
    if not note:
        raise ClinicError("Write the note first.", field="note")
    with transaction.atomic(durable=True):
        locked = lock_consultation_request(request.pk)
        activity = ConsultationActivity.objects.create(
            request=locked, location_id=locked.location_id, author=actor, note=note
        )
        record_audit_event(
            actor=actor,
            event_type=AuditEventType.CONSULTATION_NOTE_ADDED,
            target=locked,
            about=locked,
        )
        return activity


def decline_consultation_request(
    *, actor, request: ConsultationRequest, reason: str, details: str = ""
) -> ConsultationRequest:
    """Close a request without registering the person; the reason is required."""
    _ensure_queue_role(
        actor, request, "decline consultation requests", AuditEventType.CONSULTATION_DECLINED
    )
    if reason not in DeclineReason.values:
        raise ClinicError("Choose why the request is declined.", field="reason")
    details = details.strip()
    if reason == DeclineReason.OTHER and not details:
        raise ClinicError("Describe the reason when you choose “Other”.", field="details")
    with transaction.atomic(durable=True):
        locked = lock_consultation_request(request.pk)
        if locked.status not in OPEN_STATUSES:
            raise InvalidTransitionError(
                f"This request is already “{locked.get_status_display()}”."
            )
        from_status = locked.status
        locked.status = ConsultationStatus.DECLINED
        locked.decline_reason = reason
        locked.decline_details = details[:500]
        locked.save(update_fields=["status", "decline_reason", "decline_details", "updated_at"])
        ConsultationActivity.objects.create(
            request=locked,
            location_id=locked.location_id,
            author=actor,
            from_status=from_status,
            to_status=ConsultationStatus.DECLINED,
            note=f"Declined: {DeclineReason(reason).label}. {details}".strip(),
        )
        record_audit_event(
            actor=actor,
            event_type=AuditEventType.CONSULTATION_DECLINED,
            target=locked,
            location_id=locked.location_id,
            details={"reason": reason},
        )
        return locked


def patient_details_from_request(request: ConsultationRequest) -> dict[str, Any]:
    """What the request already tells us about the patient, so nobody types it again."""
    return {
        "legal_first_name": request.first_name,
        "legal_last_name": request.last_name,
        "preferred_name": request.preferred_name,
        "date_of_birth": request.date_of_birth,
        "email": request.email,
        "phone": request.phone,
        "primary_conditions": list(request.conditions),
        "other_condition": request.other_condition,
    }


def convert_request_to_patient(
    *, actor, request: ConsultationRequest, location: Location, details: dict[str, Any]
) -> Patient:
    """Create the patient record from a request (details pre-filled from it and confirmed by staff)
    and close the request as converted, in one transaction."""
    _ensure_queue_role(
        actor,
        request,
        "convert consultation requests to patients",
        AuditEventType.CONSULTATION_CONVERTED,
    )
    # The new record's keys and uniqueness are checked by the database; a refusal is explained
    # in the words of the check before the write (clinic.core.validation).
    with explain_refusal(), transaction.atomic(durable=True):
        locked = lock_consultation_request(request.pk)
        if locked.status not in OPEN_STATUSES:
            raise InvalidTransitionError(
                f"This request is “{locked.get_status_display()}”; only open requests can be converted."
            )
        patient = create_patient_record(
            actor=actor, location=location, details=details, source="consultation request"
        )
        from_status = locked.status
        locked.status = ConsultationStatus.CONVERTED
        locked.patient = patient
        if locked.assigned_to_id is None:
            locked.assigned_to = actor
        locked.save(update_fields=["status", "patient", "assigned_to", "updated_at"])
        ConsultationActivity.objects.create(
            request=locked,
            location_id=locked.location_id,
            author=actor,
            from_status=from_status,
            to_status=ConsultationStatus.CONVERTED,
            note=f"Registered as patient {patient.mrn}.",
        )
        record_audit_event(
            actor=actor,
            event_type=AuditEventType.CONSULTATION_CONVERTED,
            target=locked,
            patient_id=patient.pk,
            location_id=location.pk,
            details={"mrn": patient.mrn},
        )
        return patient
