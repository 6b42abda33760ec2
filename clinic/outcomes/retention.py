"""The drop-off list the front desk works from, and the outreach attempts recorded on it.

A patient who stalls part-way through an induction, or misses a session, is one the clinic
reaches out to before they are lost. A patient is on the list
while their plan is active, nothing is booked ahead, and either
- they are mid-induction: at least one dose given and fewer than the induction the latest signed
  plan version sets, or
- they missed a treatment appointment (no-show, or a cancellation of their own) in the last
  `MISSED_WITHIN_DAYS` days.
Each row carries the last outreach attempt; a new one is recorded with how and what came of it.
One query lists everyone (subqueries per patient, no loop over rows in Python).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery
from django.utils import timezone

from clinic.accounts.choices import Role
from clinic.audit.choices import AuditEventType
from clinic.audit.services import record_audit_event
from clinic.core.exceptions import ClinicError
from clinic.outcomes.choices import OutreachChannel, OutreachResult
from clinic.outcomes.models import OUTREACH_NOTE_MAX_CHARS, OutreachAttempt
from clinic.patients.models import Patient
from clinic.patients.permissions import can_view_patient, ensure_can_act_on_patient
from clinic.patients.selectors import visible_patients
from clinic.scheduling.choices import HOLDING_STATUSES, AppointmentStatus, CancelReason
from clinic.scheduling.models import Appointment
from clinic.sessions.models import TreatmentSession
from clinic.treatment.choices import PlanStatus
from clinic.treatment.models import TreatmentPlanVersion

# The front desk calls; clinicians and the medical director see and record it too.
RETENTION_ROLES = frozenset({Role.FRONT_DESK, Role.CLINICIAN, Role.MEDICAL_DIRECTOR})
# A missed appointment this recent puts the patient on the list [clinic policy, UNVERIFIED].
MISSED_WITHIN_DAYS = 30
PATIENT_CANCELLATIONS = (CancelReason.PATIENT_REQUEST, CancelReason.ILLNESS)


@dataclass(frozen=True)
class DropOff:
    patient: Patient
    sessions_given: int
    induction_sessions: int | None
    missed_at: datetime | None
    missed_status: str
    last_attempt: OutreachAttempt | None

    @property
    def mid_induction(self) -> bool:
        return bool(self.induction_sessions and 0 < self.sessions_given < self.induction_sessions)


def drop_off_list(viewer, *, now: datetime | None = None) -> list[DropOff]:
    now = now or timezone.now()
    treatment = Appointment.objects.filter(
        patient=OuterRef("pk"), appointment_type__kind="treatment"
    )
    ahead = treatment.filter(status__in=HOLDING_STATUSES, starts_at__gte=now)
    missed = treatment.filter(
        Q(status=AppointmentStatus.NO_SHOW)
        | Q(status=AppointmentStatus.CANCELLED, cancel_reason__in=PATIENT_CANCELLATIONS),
        starts_at__lt=now,
        starts_at__gte=now - timedelta(days=MISSED_WITHIN_DAYS),
    ).order_by("-starts_at")
    latest_version = TreatmentPlanVersion.objects.filter(
        plan__patient=OuterRef("pk"), plan__status=PlanStatus.ACTIVE
    ).order_by("-number")
    dosed = (
        TreatmentSession.objects.filter(patient=OuterRef("pk"), dosed_at__isnull=False)
        .order_by()
        .values("patient")
        .annotate(n=Count("pk"))
        .values("n")
    )
    last_attempt = OutreachAttempt.objects.filter(patient=OuterRef("pk")).order_by(
        "-made_at", "-id"
    )
    rows = (
        visible_patients(viewer)
        .annotate(
            induction_sessions=Subquery(latest_version.values("induction_sessions")[:1]),
            sessions_given=Subquery(dosed[:1]),
            missed_at=Subquery(missed.values("starts_at")[:1]),
            missed_status=Subquery(missed.values("status")[:1]),
            last_attempt_id=Subquery(last_attempt.values("pk")[:1]),
            booked_ahead=Exists(ahead),
        )
        .filter(induction_sessions__isnull=False, booked_ahead=False)
        .filter(
            Q(missed_at__isnull=False)
            | Q(sessions_given__gt=0, sessions_given__lt=F("induction_sessions"))
        )
        .select_related("location")
        .order_by("missed_at", "legal_last_name", "pk")
    )
    found = list(rows)
    attempts = OutreachAttempt.objects.select_related("made_by").in_bulk(
        [p.last_attempt_id for p in found if p.last_attempt_id]
    )
    return [
        DropOff(
            patient=p,
            sessions_given=p.sessions_given or 0,
            induction_sessions=p.induction_sessions,
            missed_at=p.missed_at,
            missed_status=p.missed_status or "",
            last_attempt=attempts.get(p.last_attempt_id),
        )
        for p in found
    ]


def record_drop_off_listed(viewer, rows: list[DropOff]) -> None:
    record_audit_event(
        actor=viewer,
        event_type=AuditEventType.DROP_OFF_LIST_VIEWED,
        details={"patients": len(rows)},
    )


def attempts_for(viewer, patient: Patient) -> list[OutreachAttempt]:
    if viewer.role not in RETENTION_ROLES or not can_view_patient(viewer, patient):
        return []
    return list(OutreachAttempt.objects.filter(patient=patient).select_related("made_by")[:50])


def record_outreach(
    *, actor, patient: Patient, channel: str, result: str, note: str = ""
) -> OutreachAttempt:
    """A member of the team records an attempt to reach the patient (never changed later)."""
    ensure_can_act_on_patient(
        actor,
        patient,
        roles=RETENTION_ROLES,
        action="record outreach to patients",
        event_type=AuditEventType.OUTREACH_RECORDED,
    )
    if channel not in OutreachChannel.values:
        raise ClinicError("Choose how you tried to reach the patient.", field="channel")
    if result not in OutreachResult.values:
        raise ClinicError("Choose what came of it.", field="result")
    note = (note or "").strip()
    if len(note) > OUTREACH_NOTE_MAX_CHARS:
        raise ClinicError(
            f"Keep the note under {OUTREACH_NOTE_MAX_CHARS} characters.", field="note"
        )
    with transaction.atomic(durable=True):
        attempt = OutreachAttempt.objects.create(
            patient=patient,
            location_id=patient.location_id,
            channel=channel,
            result=result,
            note=note,
            made_by=actor,
            made_at=timezone.now(),
        )
        record_audit_event(
            actor=actor,
            event_type=AuditEventType.OUTREACH_RECORDED,
            target=attempt,
            about=patient,
            details={"channel": channel, "result": result},
        )
    return attempt
