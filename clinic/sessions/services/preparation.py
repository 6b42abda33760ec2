"""Opening a session, its pre-dose checklist, a clinician's gate overrides, and stopping before
any dose is given."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from clinic.accounts.choices import CLINICAL_ROLES, PRESCRIBER_ROLES
from clinic.audit.choices import AuditEventType
from clinic.core.exceptions import (
    ClinicError,
    InvalidTransitionError,
)
from clinic.core.meta import concrete_field
from clinic.patients import services as patient_services
from clinic.patients.permissions import ensure_can_act_on_patient
from clinic.scheduling import follow_ups
from clinic.scheduling import services as scheduling_services
from clinic.scheduling.choices import AppointmentKind, AppointmentStatus
from clinic.scheduling.locks import lock_appointment_with_type_and_patient
from clinic.scheduling.models import Appointment
from clinic.sessions.choices import (
    OVERRIDABLE_GATES,
    Gate,
    PregnancyTest,
    SessionStatus,
)
from clinic.sessions.models import (
    GateOverride,
    TreatmentSession,
)
from clinic.sessions.services._common import (
    _audit,
    _check,
    _complete_appointment,
    _lock,
    _save,
    _text,
)
from clinic.treatment.selectors import current_plan_version


def start_session(*, actor, appointment: Appointment) -> TreatmentSession:
    """Open the session of a checked-in treatment appointment (once: a second call returns it)."""
    ensure_can_act_on_patient(
        actor,
        appointment.patient,
        roles=CLINICAL_ROLES,
        action="start treatment sessions",
        event_type=AuditEventType.SESSION_STARTED,
    )
    with transaction.atomic(durable=True):
        locked = lock_appointment_with_type_and_patient(appointment.pk)
        existing = TreatmentSession.objects.filter(appointment=locked).first()
        if existing is not None:
            return existing
        if locked.appointment_type.kind != AppointmentKind.TREATMENT:
            raise ClinicError("Only a treatment appointment has a session.")
        if locked.status != AppointmentStatus.CHECKED_IN:
            raise InvalidTransitionError("Check the patient in before starting the session.")
        plan_version = current_plan_version(locked.patient)
        if plan_version is None:
            raise ClinicError(
                "The patient has no active treatment plan: a clinician writes one first."
            )
        route = plan_version.route
        if locked.appointment_type.route and locked.appointment_type.route != route:
            raise ClinicError(
                f"This appointment is for {locked.appointment_type.get_route_display().lower()}, "
                f"but the plan is for {plan_version.get_route_display().lower()}."
            )
        session = TreatmentSession.objects.create(
            patient=locked.patient,
            location_id=locked.location_id,
            appointment=locked,
            plan_version=plan_version,
            route=route,
            started_by=actor,
        )
        _audit(actor, AuditEventType.SESSION_STARTED, session, {"route": route})
        return session


CHECKLIST_FIELDS = (
    "identity_confirmed",
    "fasting_confirmed",
    "escort_name",
    "escort_phone",
    "escort_confirmed",
    "pregnancy_test",
    "pregnancy_test_note",
)
# Kept on the patient's record (patients.services.record_pregnancy_potential), not the session's:
# whether the patient could be pregnant holds for the next sessions too.
PREGNANCY_POTENTIAL_FIELDS = (
    "pregnancy_potential",
    "pregnancy_potential_reason",
    "pregnancy_potential_note",
)


def start_session_from_board(*, actor, appointment: Appointment) -> TreatmentSession:
    """The board's "Start": a patient who is here but not yet checked in is checked in first
    (each step its own transaction, refused as it would be alone), then the session opens."""
    if appointment.status == AppointmentStatus.BOOKED:
        appointment = scheduling_services.check_in(actor=actor, appointment=appointment)
    return start_session(actor=actor, appointment=appointment)


def update_checklist(
    *, actor, session: TreatmentSession, changes: dict[str, Any]
) -> TreatmentSession:
    """Record checklist items. Only the items given are written, so two people ticking different
    items at the same time both keep theirs."""
    _check(actor, session, AuditEventType.SESSION_CHECKLIST_UPDATED, action="run the checklist")
    changes = dict(changes)
    potential = {name: changes.pop(name) for name in PREGNANCY_POTENTIAL_FIELDS if name in changes}
    unknown = set(changes) - set(CHECKLIST_FIELDS)
    if unknown:
        raise ClinicError(f"Unknown checklist items: {', '.join(sorted(unknown))}.")
    if "pregnancy_test" in changes and changes["pregnancy_test"] not in PregnancyTest.values:
        raise ClinicError("Choose the pregnancy test result.", field="pregnancy_test")
    with transaction.atomic(durable=True):
        locked = _lock(session, statuses=(SessionStatus.PREPARATION,))
        now = timezone.now()
        written = {}
        for name, value in changes.items():
            if name == "identity_confirmed":
                if value and locked.identity_confirmed_at is None:
                    locked.identity_confirmed_at, locked.identity_confirmed_by = now, actor
                elif not value:
                    locked.identity_confirmed_at = locked.identity_confirmed_by = None
                written[name] = bool(value)
            elif name in ("fasting_confirmed", "escort_confirmed"):
                setattr(locked, name, None if value is None else bool(value))
                written[name] = getattr(locked, name)
            else:
                limit = concrete_field(TreatmentSession, name).max_length
                setattr(locked, name, _text(value, limit=limit))
                written[name] = getattr(locked, name)
        if potential:
            patient = locked.patient
            # The items not sent keep what the record has (only the changed ones are posted).
            merged = {
                name: potential.get(name, getattr(patient, name))
                for name in PREGNANCY_POTENTIAL_FIELDS
            }
            patient_services.record_pregnancy_potential(
                actor=actor,
                patient=patient,
                potential=merged["pregnancy_potential"] or "",
                reason=merged["pregnancy_potential_reason"] or "",
                note=merged["pregnancy_potential_note"] or "",
            )
            written.update(potential)
        if locked.escort_confirmed and not locked.escort_name:
            raise ClinicError("Name the escort or driver.", field="escort_name")
        if locked.pregnancy_test == PregnancyTest.NOT_APPLICABLE and not locked.pregnancy_test_note:
            raise ClinicError(
                "Say why a pregnancy test does not apply.", field="pregnancy_test_note"
            )
        locked.checklist_updated_by, locked.checklist_updated_at = actor, now
        _save(locked)
        _audit(actor, AuditEventType.SESSION_CHECKLIST_UPDATED, locked, {"items": written})
        return locked


def override_gate(*, actor, session: TreatmentSession, gate: str, reason: str) -> GateOverride:
    """A clinician documents why dosing may go ahead although this gate is not met."""
    _check(
        actor,
        session,
        AuditEventType.SESSION_GATE_OVERRIDDEN,
        roles=PRESCRIBER_ROLES,
        action="override a session gate",
    )
    if gate not in Gate.values:
        raise ClinicError("Choose the gate to override.", field="gate")
    if gate not in OVERRIDABLE_GATES:
        raise ClinicError(
            f"“{Gate(gate).label}” cannot be overridden: it must be met.", field="gate"
        )
    reason = _text(reason, limit=2000)
    if len(reason) < 10:
        raise ClinicError(
            "Document the reason for the override (at least a sentence).", field="reason"
        )
    with transaction.atomic(durable=True):
        locked = _lock(session, statuses=(SessionStatus.PREPARATION,))
        override, created = GateOverride.objects.get_or_create(
            session=locked,
            gate=gate,
            defaults={"reason": reason, "by": actor, "at": timezone.now()},
        )
        if not created:
            raise ClinicError("This gate is already overridden.", field="gate")
        # What may be dosed changed.
        _save(locked, [])
        _audit(
            actor, AuditEventType.SESSION_GATE_OVERRIDDEN, locked, {"gate": gate, "reason": reason}
        )
        return override


def stop_before_dosing(*, actor, session: TreatmentSession, reason: str) -> TreatmentSession:
    """End a session in which no dose will be given (raised BP, unwell, positive test …)."""
    _check(actor, session, AuditEventType.SESSION_NOT_DONE, action="stop a session")
    reason = _text(reason, limit=2000)
    if not reason:
        raise ClinicError("Say why the session is stopped.", field="reason")
    with transaction.atomic(durable=True):
        locked = _lock(session, statuses=(SessionStatus.PREPARATION,))
        if locked.dose_verified_at:
            raise InvalidTransitionError(
                "The dose is already verified; record the dose as given or stop the infusion."
            )
        locked.status, locked.not_done_reason = SessionStatus.NOT_DONE, reason
        _save(locked, ["status", "not_done_reason"])
        _complete_appointment(actor, locked)
        # No dose given: no call about after-effects the next day.
        follow_ups.withdraw_after_session(
            locked.appointment, reason="session stopped before dosing"
        )
        _audit(actor, AuditEventType.SESSION_NOT_DONE, locked, {"reason": reason})
        return locked
