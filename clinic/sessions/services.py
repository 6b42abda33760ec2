"""Every write of a treatment session. Each service checks the actor's role and the patient's
location, locks the session row, refuses writes to a signed record, and audits in the same
transaction. Entries (readings, events, side effects) are rows of their own, so two members of
staff recording at once both keep what they entered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from clinic.accounts.choices import CLINICAL_ROLES, PRESCRIBER_ROLES
from clinic.assessments import services as assessment_services
from clinic.audit.choices import AuditEventType, AuditOutcome
from clinic.audit.services import record_audit_event
from clinic.core.exceptions import (
    ClinicError,
    InvalidTransitionError,
    NotFoundError,
    PermissionDeniedError,
)
from clinic.core.signing import confirm_signer, content_sha256
from clinic.monitoring.discharge import modified_aldrete
from clinic.monitoring.limits import check_during, check_pre_dose
from clinic.patients.choices import VitalSignsContext
from clinic.patients.models import VitalSigns
from clinic.patients.permissions import ensure_can_act_on_patient
from clinic.patients.services import VITAL_SIGN_FIELDS, create_vital_signs
from clinic.scheduling.choices import AppointmentKind, AppointmentStatus
from clinic.scheduling.models import Appointment
from clinic.sessions import rules, selectors
from clinic.sessions.choices import (
    EDITABLE_STATUSES,
    OVERRIDABLE_GATES,
    AlertStatus,
    Gate,
    InfusionEventKind,
    Intervention,
    Outcome,
    PregnancyTest,
    ReadingSource,
    SessionStatus,
    Severity,
    SideEffectKind,
    SignatureRole,
)
from clinic.sessions.models import (
    GateOverride,
    InfusionEvent,
    MedicationAdministration,
    MonitoringAlert,
    SessionAddendum,
    SessionReading,
    SessionSignature,
    SideEffect,
    TreatmentSession,
)
from clinic.treatment.selectors import current_plan_version

# How far back a reading or event may be timed (a note written up after the fact).
BACKDATE_LIMIT = timedelta(hours=12)


# --- helpers -------------------------------------------------------------------------------
def _check(actor, session: TreatmentSession, event_type, *, roles=CLINICAL_ROLES, action: str):
    ensure_can_act_on_patient(
        actor, session.patient, roles=roles, action=action, event_type=event_type
    )


def _lock(
    session: TreatmentSession, *, statuses=EDITABLE_STATUSES, signing: bool = False
) -> TreatmentSession:
    """The session row, locked for this transaction (only it: `of=("self",)` keeps PostgreSQL from
    also locking the patient, location and plan rows joined in, which other sessions share)."""
    locked = (
        TreatmentSession.objects.select_for_update(of=("self",))
        .select_related(
            "patient", "location", "plan_version", "plan_version__protocol", "appointment"
        )
        .get(pk=session.pk)
    )
    if locked.locked_at is not None:
        raise InvalidTransitionError(
            "This session is signed and locked. Add an addendum to correct or add to it."
        )
    if locked.status not in statuses:
        raise InvalidTransitionError(
            f"This cannot be done now: the session is {locked.get_status_display().lower()}."
        )
    if not signing and locked.signatures.exists():
        # A signature covers the content as it was: nothing changes under it.
        raise InvalidTransitionError(
            "The record is already signed by one person: changes after signing go in an "
            "addendum once the second signature locks it."
        )
    return locked


def _save(locked: TreatmentSession, update_fields: list[str] | None = None) -> None:
    """Save the locked session and count the change in its version (F() under the row lock that
    `_lock` holds), so that a form opened before this change is refused rather than applied."""
    locked.version = F("version") + 1
    if update_fields is not None:
        update_fields = [*update_fields, "version", "updated_at"]
    locked.save(update_fields=update_fields)
    locked.refresh_from_db(fields=["version"])


def _at(session: TreatmentSession, value: datetime) -> str:
    return f"{timezone.localtime(value, session.location.zone):%H:%M}"


def _dose_state(session: TreatmentSession) -> str:
    """Where the dose stands now, naming who did what (for refusals of a stale form)."""
    if session.dose_confirmed_at is None:
        said = ["No dose is confirmed now."]
    else:
        said = [
            f"{session.dose_confirmed_by.full_name} confirmed {session.dose_mg} mg, vial lot "
            f"{session.vial_lot}, at {_at(session, session.dose_confirmed_at)}."
        ]
    if session.dose_verified_at is not None:
        said.append(
            f"{session.dose_verified_by.full_name} verified it at "
            f"{_at(session, session.dose_verified_at)}."
        )
    if session.dosed_at is not None:
        said.append(f"The dose was given at {_at(session, session.dosed_at)}.")
    if session.status != SessionStatus.PREPARATION:
        said.append(f"The session is {session.get_status_display().lower()}.")
    elif session.checklist_updated_at is not None:
        said.append(
            f"The checklist was last changed by {session.checklist_updated_by.full_name} at "
            f"{_at(session, session.checklist_updated_at)}."
        )
    return " ".join(said)


CHANGED_SINCE_OPENED = "This session changed since you opened it: "


def _is_stale(locked: TreatmentSession, expected_version: int | None) -> bool:
    return expected_version is not None and int(expected_version) != locked.version


def _ensure_current(locked: TreatmentSession, expected_version: int | None) -> None:
    """Refuse an action taken on a page opened before someone else changed the session: the
    person acts on what they saw, so what they saw must still be what is recorded. Without an
    expected version (a script, the demo) the service's own checks still apply."""
    if _is_stale(locked, expected_version):
        raise InvalidTransitionError(
            f"{CHANGED_SINCE_OPENED}{_dose_state(locked)} Check it, then try again."
        )


def _audit(actor, event_type, session, details=None, target=None, actor_label=None):
    record_audit_event(
        actor=actor,
        event_type=event_type,
        target=target or session,
        patient_id=session.patient_id,
        location_id=session.location_id,
        details=details or {},
        actor_label=actor_label,
    )


def _when(session, value: datetime | None, *, field: str = "at", label: str = "time") -> datetime:
    """A recorded time: now when not given; never in the future, never long before."""
    now = timezone.now()
    if value is None:
        return now
    if timezone.is_naive(value):
        value = timezone.make_aware(value, session.location.zone)
    if value > now + timedelta(minutes=2):
        raise ClinicError(f"The {label} cannot be in the future.", field=field)
    if value < now - BACKDATE_LIMIT:
        raise ClinicError(
            f"The {label} is more than {int(BACKDATE_LIMIT.total_seconds() // 3600)} hours ago; "
            "add it as an addendum instead.",
            field=field,
        )
    return value


def _text(value: str | None, *, limit: int) -> str:
    return (value or "").strip()[:limit]


# --- start and checklist -------------------------------------------------------------------
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
        locked = (
            Appointment.objects.select_for_update(of=("self",))
            .select_related("appointment_type", "patient")
            .get(pk=appointment.pk)
        )
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


def update_checklist(
    *, actor, session: TreatmentSession, changes: dict[str, Any]
) -> TreatmentSession:
    """Record checklist items. Only the items given are written, so two people ticking different
    items at the same time both keep theirs."""
    _check(actor, session, AuditEventType.SESSION_CHECKLIST_UPDATED, action="run the checklist")
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
                limit = TreatmentSession._meta.get_field(name).max_length
                setattr(locked, name, _text(value, limit=limit))
                written[name] = getattr(locked, name)
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
        _complete_appointment(locked)
        _audit(actor, AuditEventType.SESSION_NOT_DONE, locked, {"reason": reason})
        return locked


def _complete_appointment(session: TreatmentSession) -> None:
    Appointment.objects.filter(
        pk=session.appointment_id, status=AppointmentStatus.CHECKED_IN
    ).update(status=AppointmentStatus.COMPLETED, updated_at=timezone.now())


# --- readings and alerts -------------------------------------------------------------------
@dataclass
class ReadingOutcome:
    reading: SessionReading
    alerts: list[MonitoringAlert]
    duplicate: bool = False


def _clean_values(values: dict[str, Any]) -> dict[str, Any]:
    unknown = set(values) - set(VITAL_SIGN_FIELDS)
    if unknown:
        raise ClinicError(f"Unknown vital signs: {', '.join(sorted(unknown))}.")
    return {k: v for k, v in values.items() if v not in (None, "")}


def _store_reading(
    *,
    actor,
    session: TreatmentSession,
    values: dict[str, Any],
    taken_at: datetime,
    source: str,
    device=None,
    device_reading_id: str = "",
    context: dict | None = None,
) -> ReadingOutcome:
    """Inside the caller's transaction (session locked): store one reading and raise its alerts.
    `context` carries the limits and the pre-dose baseline across a batch, so that a monitor's
    batch reads them once rather than once per reading."""
    pre_dose = session.dosed_at is None or taken_at < session.dosed_at
    weight = values.get("weight_kg")
    if weight is not None:
        if not pre_dose:
            raise ClinicError(
                "Weigh the patient before dosing; today's dose is worked from it.",
                field="weight_kg",
            )
        if session.dose_confirmed_at is not None:
            raise ClinicError(
                f"The dose is already confirmed for {session.weight_kg} kg. Undo the dose confirmation before changing today's weight.",
                field="weight_kg",
            )
    label = device.audit_label if device is not None else None
    vitals = create_vital_signs(
        actor=actor,
        patient=session.patient,
        context=VitalSignsContext.PRE_DOSE if pre_dose else VitalSignsContext.MONITORING,
        taken_at=taken_at,
        values=values,
        actor_label=label,
    )
    reading = SessionReading.objects.create(
        session=session,
        vital_signs=vitals,
        source=source,
        device=device,
        device_reading_id=device_reading_id,
        pre_dose=pre_dose,
        taken_at=taken_at,
    )
    if weight is not None:
        session.weight_kg = vitals.weight_kg
        _save(session, ["weight_kg"])
    context = {} if context is None else context
    if "limits" not in context:
        context["limits"] = selectors.limits_for(session.route)
    limits = context["limits"]
    if pre_dose:
        breaches = check_pre_dose(values, limits)
        if values.get("systolic_mmhg"):
            context["baseline"] = {name: values.get(name) for name in selectors.VITAL_VALUE_FIELDS}
    else:
        if "baseline" not in context:
            context["baseline"] = selectors.baseline(selectors.readings(session))
        breaches = check_during(values, limits, baseline=context["baseline"])
    alerts = [
        MonitoringAlert(
            session=session,
            reading=reading,
            parameter=b.parameter,
            value=b.value,
            limit=b.limit,
            message=b.message[:200],
            blocks_dosing=b.blocks_dosing,
            raised_at=timezone.now(),
        )
        for b in breaches
    ]
    if alerts:
        MonitoringAlert.objects.bulk_create(alerts)
        _audit(
            actor,
            AuditEventType.SESSION_ALERT_RAISED,
            session,
            {"alerts": [a.message for a in alerts]},
            target=reading,
            actor_label=label,
        )
    return ReadingOutcome(reading, alerts)


def record_reading(
    *, actor, session: TreatmentSession, values: dict[str, Any], taken_at: datetime | None = None
) -> ReadingOutcome:
    """A nurse enters a set of vital signs by hand; out-of-range values raise alerts at once."""
    _check(actor, session, AuditEventType.SESSION_READING_RECORDED, action="record vital signs")
    values = _clean_values(values)
    with transaction.atomic(durable=True):
        locked = _lock(session, statuses=(SessionStatus.PREPARATION, SessionStatus.IN_PROGRESS))
        taken_at = _when(locked, taken_at, field="taken_at", label="time of the reading")
        return _store_reading(
            actor=actor,
            session=locked,
            values=values,
            taken_at=taken_at,
            source=ReadingSource.MANUAL,
        )


@dataclass
class DeviceReading:
    reading_id: str
    taken_at: datetime
    values: dict[str, Any]


def ingest_device_readings(
    *, device, session_public_id, readings: list[DeviceReading]
) -> list[ReadingOutcome]:
    """Readings posted by a monitor, in one request: each stored once (a retry with the same
    reading id returns the stored reading), each checked against the limits at once."""
    if not device.is_active:
        raise PermissionDeniedError("This monitor has been revoked.")
    session = (
        TreatmentSession.objects.filter(public_id=session_public_id, location_id=device.location_id)
        .select_related("patient", "location")
        .first()
    )
    if session is None:
        # A monitor is no signed-in person, so the refusal middleware does not see it: audited
        # here, with the device (a monitor set up at the wrong location, or a stolen token).
        record_audit_event(
            actor=None,
            actor_label=device.audit_label,
            event_type=AuditEventType.DEVICE_ACCESS_DENIED,
            outcome=AuditOutcome.DENIED,
            target=device,
            location_id=device.location_id,
            details={"session": str(session_public_id)},
        )
        raise NotFoundError("No session with that id at this monitor's location.")
    if not readings:
        raise ClinicError("Send at least one reading.", field="readings")
    outcomes = []
    with transaction.atomic(durable=True):
        locked = _lock(session, statuses=(SessionStatus.PREPARATION, SessionStatus.IN_PROGRESS))
        seen = {
            r.device_reading_id: r
            for r in SessionReading.objects.filter(
                session=locked,
                device=device,
                device_reading_id__in=[r.reading_id for r in readings],
            ).prefetch_related("alerts")
        }
        batch: dict = {}
        for item in readings:
            if item.reading_id in seen:
                existing = seen[item.reading_id]
                outcomes.append(
                    ReadingOutcome(existing, list(existing.alerts.all()), duplicate=True)
                )
                continue
            taken_at = _when(locked, item.taken_at, field="taken_at", label="time of the reading")
            values = _clean_values(item.values)
            values.pop("weight_kg", None)
            try:
                with transaction.atomic():
                    outcome = _store_reading(
                        actor=None,
                        session=locked,
                        values=values,
                        taken_at=taken_at,
                        source=ReadingSource.DEVICE,
                        device=device,
                        device_reading_id=item.reading_id,
                        context=batch,
                    )
            except IntegrityError:
                existing = SessionReading.objects.get(
                    session=locked, device=device, device_reading_id=item.reading_id
                )
                outcome = ReadingOutcome(existing, list(existing.alerts.all()), duplicate=True)
            seen[item.reading_id] = outcome.reading
            outcomes.append(outcome)
        stored = sum(1 for o in outcomes if not o.duplicate)
        type(device).objects.filter(pk=device.pk).update(last_seen_at=timezone.now())
        _audit(
            None,
            AuditEventType.SESSION_READING_RECORDED,
            locked,
            {"device": device.name, "stored": stored, "duplicates": len(outcomes) - stored},
            actor_label=device.audit_label,
        )
    return outcomes


def acknowledge_alert(*, actor, alert: MonitoringAlert, action_taken: str) -> MonitoringAlert:
    session = alert.session
    _check(actor, session, AuditEventType.SESSION_ALERT_ACKNOWLEDGED, action="acknowledge alerts")
    action_taken = _text(action_taken, limit=1000)
    if not action_taken:
        raise ClinicError("Say what was done about the alert.", field="action_taken")
    with transaction.atomic(durable=True):
        _lock(session)
        locked = MonitoringAlert.objects.select_for_update().get(pk=alert.pk)
        if locked.status != AlertStatus.OPEN:
            raise InvalidTransitionError(
                f"{locked.acknowledged_by.full_name if locked.acknowledged_by else 'Someone'} "
                "already acknowledged this alert."
            )
        locked.status = AlertStatus.ACKNOWLEDGED
        locked.acknowledged_by, locked.acknowledged_at = actor, timezone.now()
        locked.action_taken = action_taken
        locked.save()
        _audit(
            actor,
            AuditEventType.SESSION_ALERT_ACKNOWLEDGED,
            session,
            {"alert": locked.message, "action": action_taken},
            target=locked,
        )
        return locked


# --- dose ----------------------------------------------------------------------------------
def _ensure_gates(session: TreatmentSession) -> None:
    checklist = selectors.checklist(session)
    if not checklist.ready_to_dose:
        raise ClinicError("Not ready to dose. " + " ".join(checklist.blocking_reasons()))


def confirm_dose(
    *,
    actor,
    session: TreatmentSession,
    expected_dose_mg: Decimal,
    vial_lot: str,
    vial_expiry: date,
    expected_version: int | None = None,
) -> TreatmentSession:
    """The nurse confirms the dose worked out from the plan and today's weight, and the vial.
    `expected_dose_mg` is the dose the nurse was shown: if the working has changed since (a new
    weight, a new plan version), nothing is confirmed. A confirmation that stands is never
    replaced: it is withdrawn first, so the record never shows a confirmation its nurse did not
    make (and a verification never applies to a dose other than the one verified)."""
    _check(actor, session, AuditEventType.SESSION_DOSE_CONFIRMED, action="confirm doses")
    vial_lot = _text(vial_lot, limit=40)
    if not vial_lot:
        raise ClinicError("Enter the vial's lot number.", field="vial_lot")
    if vial_expiry is None:
        raise ClinicError("Enter the vial's expiry date.", field="vial_expiry")
    with transaction.atomic(durable=True):
        locked = _lock(session, statuses=(SessionStatus.PREPARATION,))
        if locked.dose_confirmed_at is not None:
            changed = CHANGED_SINCE_OPENED if _is_stale(locked, expected_version) else ""
            raise InvalidTransitionError(
                f"{changed}{_dose_state(locked)} Withdraw that confirmation before confirming "
                "again."
            )
        if vial_expiry < timezone.localtime(timezone.now(), locked.location.zone).date():
            raise ClinicError("This vial has expired: use another.", field="vial_expiry")
        _ensure_gates(locked)
        plan_version = current_plan_version(locked.patient)
        try:
            working = selectors.compute_dose(locked, plan_version, locked.weight_kg)
        except ValueError as error:
            raise ClinicError(str(error)) from error
        if Decimal(str(expected_dose_mg)) != working.dose_mg:
            raise ClinicError(
                f"The dose is now {working.dose_mg} mg ({working.working}). Check it again.",
                field="expected_dose_mg",
            )
        # Said after the dose itself, which names what changed more exactly.
        _ensure_current(locked, expected_version)
        locked.plan_version = plan_version
        locked.dose_mg, locked.dose_working = working.dose_mg, working.working[:300]
        locked.vial_lot, locked.vial_expiry = vial_lot, vial_expiry
        locked.dose_confirmed_by, locked.dose_confirmed_at = actor, timezone.now()
        _save(locked)
        _audit(
            actor,
            AuditEventType.SESSION_DOSE_CONFIRMED,
            locked,
            {"dose_mg": str(working.dose_mg), "working": working.working, "vial_lot": vial_lot},
        )
        return locked


def withdraw_dose_confirmation(
    *, actor, session: TreatmentSession, expected_version: int | None = None
) -> TreatmentSession:
    """Undo the confirmation (and any verification) before the dose is given: the weight was
    wrong, or the plan changed. The dose is then worked out, confirmed and verified again."""
    _check(actor, session, AuditEventType.SESSION_DOSE_CONFIRMED, action="confirm doses")
    with transaction.atomic(durable=True):
        locked = _lock(session, statuses=(SessionStatus.PREPARATION,))
        _ensure_current(locked, expected_version)
        if locked.dose_confirmed_at is None:
            raise InvalidTransitionError("The dose is not confirmed.")
        before = str(locked.dose_mg)
        locked.dose_mg = locked.dose_confirmed_at = locked.dose_confirmed_by = None
        locked.dose_verified_at = locked.dose_verified_by = None
        locked.dose_working = ""
        _save(locked)
        _audit(actor, AuditEventType.SESSION_DOSE_CONFIRMED, locked, {"withdrawn": before})
        return locked


def verify_dose(
    *,
    actor,
    session: TreatmentSession,
    dose_mg: Decimal,
    vial_lot: str,
    password: str,
    expected_version: int | None = None,
) -> TreatmentSession:
    """A second member of staff checks the dose and the vial independently and re-enters their
    password (an independent double check)."""
    _check(actor, session, AuditEventType.SESSION_DOSE_VERIFIED, action="verify doses")
    current = TreatmentSession.objects.values("dose_confirmed_by_id").get(pk=session.pk)
    if current["dose_confirmed_by_id"] == actor.pk:
        raise ClinicError(
            "A second member of staff verifies the dose, not the person who confirmed it."
        )
    confirm_signer(actor, password, target=session, patient_id=session.patient_id)
    with transaction.atomic(durable=True):
        locked = _lock(session, statuses=(SessionStatus.PREPARATION,))
        _ensure_current(locked, expected_version)
        if locked.dose_confirmed_at is None:
            raise InvalidTransitionError("The nurse confirms the dose first.")
        if locked.dose_verified_at is not None:
            raise InvalidTransitionError("The dose is already verified.")
        if locked.dose_confirmed_by_id == actor.pk:
            raise ClinicError(
                "A second member of staff verifies the dose, not the person who confirmed it."
            )
        try:
            entered = Decimal(str(dose_mg))
        except (InvalidOperation, ValueError):
            raise ClinicError("Enter the dose in mg.", field="dose_mg") from None
        if entered != locked.dose_mg:
            raise ClinicError(
                f"{entered} mg does not match the confirmed dose. Check the working together.",
                field="dose_mg",
            )
        if _text(vial_lot, limit=40).upper() != locked.vial_lot.upper():
            raise ClinicError("The lot number does not match the confirmed vial.", field="vial_lot")
        _ensure_gates(locked)
        locked.dose_verified_by, locked.dose_verified_at = actor, timezone.now()
        _save(locked)
        _audit(
            actor, AuditEventType.SESSION_DOSE_VERIFIED, locked, {"dose_mg": str(locked.dose_mg)}
        )
        return locked


# --- infusion events -----------------------------------------------------------------------
def record_infusion_event(
    *,
    actor,
    session: TreatmentSession,
    kind: str,
    at: datetime | None = None,
    rate_mg_per_hour: Decimal | None = None,
    reason: str = "",
    expected_version: int | None = None,
) -> InfusionEvent:
    """Dose given / infusion started, rate changed, paused, resumed, stopped, completed.
    `expected_version` is checked when the dose is given (the dose must be the one the nurse
    saw confirmed and verified); the other events are entries of their own."""
    _check(actor, session, AuditEventType.SESSION_INFUSION_EVENT, action="record the infusion")
    if kind not in InfusionEventKind.values:
        raise ClinicError("Choose what happened.", field="kind")
    reason = _text(reason, limit=300)
    if kind in rules.REASON_REQUIRED and not reason:
        raise ClinicError(
            f"Give the reason the infusion was {InfusionEventKind(kind).label.lower()}.",
            field="reason",
        )
    with transaction.atomic(durable=True):
        locked = _lock(session, statuses=(SessionStatus.PREPARATION, SessionStatus.IN_PROGRESS))
        kinds = list(locked.infusion_events.values_list("kind", flat=True))
        allowed = rules.allowed_infusion_events(kinds, route=locked.route)
        if kind not in allowed:
            state = rules.infusion_state(kinds, route=locked.route).replace("_", " ")
            raise InvalidTransitionError(
                f"“{InfusionEventKind(kind).label}” is not possible now: the infusion is {state}."
            )
        at = _when(locked, at)
        last = locked.infusion_events.order_by("-at").values_list("at", flat=True).first()
        if last is not None and at < last:
            raise ClinicError("This is earlier than the infusion's last event.", field="at")
        if kind == InfusionEventKind.START:
            _ensure_current(locked, expected_version)
            if locked.dose_verified_at is None:
                raise ClinicError("The dose must be confirmed and verified before it is given.")
            current = current_plan_version(locked.patient)
            if current is None or current.pk != locked.plan_version_id:
                raise ClinicError(
                    "The plan changed after the dose was confirmed: withdraw the confirmation "
                    "and confirm the dose again."
                )
            _ensure_gates(locked)
            if (
                rate_mg_per_hour is None
                and locked.route == "iv"
                and locked.plan_version.infusion_minutes
            ):
                rate_mg_per_hour = (
                    locked.dose_mg * 60 / locked.plan_version.infusion_minutes
                ).quantize(Decimal("0.1"))
            locked.dosed_at, locked.status = at, SessionStatus.IN_PROGRESS
            _save(locked, ["dosed_at", "status"])
            # Readings already taken after this moment now count as during the session.
            moved = list(
                locked.readings.filter(taken_at__gte=at).values_list("vital_signs_id", flat=True)
            )
            if moved:
                locked.readings.filter(vital_signs_id__in=moved).update(pre_dose=False)
                VitalSigns.objects.filter(pk__in=moved).update(context=VitalSignsContext.MONITORING)
        if kind == InfusionEventKind.RATE_CHANGE and rate_mg_per_hour is None:
            raise ClinicError("Enter the new rate in mg/h.", field="rate_mg_per_hour")
        if rate_mg_per_hour is not None and not (
            Decimal("0") < Decimal(str(rate_mg_per_hour)) <= Decimal("1000")
        ):
            raise ClinicError(
                "The rate must be more than 0 and at most 1000 mg/h.", field="rate_mg_per_hour"
            )
        event = InfusionEvent.objects.create(
            session=locked,
            kind=kind,
            at=at,
            rate_mg_per_hour=rate_mg_per_hour,
            reason=reason,
            recorded_by=actor,
        )
        if kind != InfusionEventKind.START:
            _save(locked, [])
        _audit(
            actor,
            AuditEventType.SESSION_INFUSION_EVENT,
            locked,
            {"kind": kind, "reason": reason},
            target=event,
        )
        return event


# --- side effects, medication, dissociation -------------------------------------------------
def record_side_effect(
    *,
    actor,
    session: TreatmentSession,
    kind: str,
    severity: str,
    onset_at: datetime | None,
    interventions: list[str],
    outcome: str,
    details: str = "",
    intervention_details: str = "",
) -> SideEffect:
    _check(actor, session, AuditEventType.SESSION_SIDE_EFFECT, action="record side effects")
    if kind not in SideEffectKind.values:
        raise ClinicError("Choose the side effect.", field="kind")
    if severity not in Severity.values:
        raise ClinicError("Choose how severe it is.", field="severity")
    if outcome not in Outcome.values:
        raise ClinicError("Choose the outcome.", field="outcome")
    interventions = list(dict.fromkeys(interventions or []))
    if not interventions or any(i not in Intervention.values for i in interventions):
        raise ClinicError("Choose what was done (or “None needed”).", field="interventions")
    if Intervention.NONE in interventions and len(interventions) > 1:
        raise ClinicError(
            "“None needed” cannot go with another intervention.", field="interventions"
        )
    details, intervention_details = (
        _text(details, limit=300),
        _text(intervention_details, limit=300),
    )
    if kind == SideEffectKind.OTHER and not details:
        raise ClinicError("Describe the side effect.", field="details")
    if Intervention.OTHER in interventions and not intervention_details:
        raise ClinicError("Describe what was done.", field="intervention_details")
    with transaction.atomic(durable=True):
        locked = _lock(session, statuses=(SessionStatus.PREPARATION, SessionStatus.IN_PROGRESS))
        onset_at = _when(locked, onset_at, field="onset_at", label="onset time")
        effect = SideEffect.objects.create(
            session=locked,
            kind=kind,
            details=details,
            severity=severity,
            onset_at=onset_at,
            interventions=interventions,
            intervention_details=intervention_details,
            outcome=outcome,
            recorded_by=actor,
        )
        _audit(
            actor,
            AuditEventType.SESSION_SIDE_EFFECT,
            locked,
            {"kind": kind, "severity": severity},
            target=effect,
        )
        return effect


def record_medication(
    *,
    actor,
    session: TreatmentSession,
    medication: str,
    dose_amount,
    dose_unit: str,
    route: str,
    reason: str,
    given_at: datetime | None = None,
    side_effect: SideEffect | None = None,
) -> MedicationAdministration:
    _check(
        actor, session, AuditEventType.SESSION_MEDICATION_GIVEN, action="record medication given"
    )
    medication, dose_unit, route = (
        _text(medication, limit=120),
        _text(dose_unit, limit=10),
        _text(route, limit=20),
    )
    reason = _text(reason, limit=300)
    for value, field, message in (
        (medication, "medication", "Name the medication."),
        (dose_unit, "dose_unit", "Give the unit (mg, mcg, mL …)."),
        (route, "route", "Give the route (IV, PO, SL …)."),
        (reason, "reason", "Say why it was given."),
    ):
        if not value:
            raise ClinicError(message, field=field)
    try:
        amount = Decimal(str(dose_amount))
    except (InvalidOperation, ValueError):
        raise ClinicError("Enter the dose as a number.", field="dose_amount") from None
    if not amount.is_finite() or amount <= 0 or amount >= 100000:
        raise ClinicError("Enter a dose above 0 and below 100,000.", field="dose_amount")
    with transaction.atomic(durable=True):
        locked = _lock(session, statuses=(SessionStatus.PREPARATION, SessionStatus.IN_PROGRESS))
        if side_effect is not None and side_effect.session_id != locked.pk:
            raise ClinicError("That side effect belongs to another session.", field="side_effect")
        given_at = _when(locked, given_at, field="given_at", label="time given")
        administration = MedicationAdministration.objects.create(
            session=locked,
            medication=medication,
            dose_amount=amount.quantize(Decimal("0.01")),
            dose_unit=dose_unit,
            route=route,
            given_at=given_at,
            reason=reason,
            side_effect=side_effect,
            given_by=actor,
        )
        _audit(
            actor,
            AuditEventType.SESSION_MEDICATION_GIVEN,
            locked,
            {"medication": medication, "dose": f"{amount} {dose_unit}"},
            target=administration,
        )
        return administration


def rate_dissociation(
    *, actor, session: TreatmentSession, answers: dict[str, int | None], taken_at=None
):
    """The CADSS-6 after dosing, scored by the measurement app and linked to the session in the
    same transaction."""
    from clinic.assessments.permissions import RESULT_ROLES

    _check(actor, session, AuditEventType.SESSION_DISSOCIATION_RATED, action="rate dissociation")
    _check(
        actor,
        session,
        AuditEventType.RESPONSE_ENTERED_BY_STAFF,
        roles=RESULT_ROLES,
        action="enter questionnaire answers",
    )
    state = TreatmentSession.objects.values("status", "locked_at").get(pk=session.pk)
    if state["locked_at"] is None and state["status"] != SessionStatus.IN_PROGRESS:
        raise InvalidTransitionError("Dissociation is rated after dosing, before discharge.")
    with transaction.atomic(durable=True):
        locked = _lock(session, statuses=(SessionStatus.IN_PROGRESS,))
        response, _ = assessment_services.create_staff_response(
            actor=actor,
            patient=locked.patient,
            instrument_code="cadss6",
            answers=answers,
            taken_at=taken_at or timezone.now(),
            context="post_dose",
        )
        locked.dissociation_response = response
        _save(locked, ["dissociation_response"])
        _audit(
            actor, AuditEventType.SESSION_DISSOCIATION_RATED, locked, {"total": str(response.total)}
        )
        return response


# --- discharge -----------------------------------------------------------------------------
@dataclass
class DischargeResult:
    session: TreatmentSession
    discharged: bool
    reasons: list[str]


def discharge(
    *,
    actor,
    session: TreatmentSession,
    aldrete: dict[str, int],
    escort_present: bool,
    instructions_given: bool,
    override_reason: str = "",
) -> DischargeResult:
    """Score discharge readiness and discharge when every criterion is met. When not, the scores
    are kept and the reasons returned, unless a clinician documents an override."""
    _check(actor, session, AuditEventType.SESSION_DISCHARGED, action="discharge patients")
    try:
        total = modified_aldrete(**aldrete)
    except (TypeError, ValueError) as error:
        raise ClinicError(
            f"Score every Aldrete item 0, 1 or 2 ({error}).", field="aldrete"
        ) from None
    override_reason = _text(override_reason, limit=2000)
    if override_reason:
        _check(
            actor,
            session,
            AuditEventType.SESSION_DISCHARGED,
            roles=PRESCRIBER_ROLES,
            action="override the discharge criteria",
        )
    with transaction.atomic(durable=True):
        locked = _lock(session, statuses=(SessionStatus.IN_PROGRESS,))
        now = timezone.now()
        for name, value in aldrete.items():
            setattr(locked, f"aldrete_{name}", value)
        locked.aldrete_total = total
        locked.escort_present, locked.instructions_given = (
            bool(escort_present),
            bool(instructions_given),
        )
        facts = selectors.discharge_facts(
            locked,
            now=now,
            aldrete_total=total,
            escort_present=locked.escort_present,
            instructions_given=locked.instructions_given,
        )
        reasons = rules.discharge_reasons(facts)
        if not reasons and locked.ready_for_discharge_at is None:
            locked.ready_for_discharge_at = now
        if reasons and not override_reason:
            _save(locked)
            _audit(
                actor,
                AuditEventType.SESSION_DISCHARGE_REFUSED,
                locked,
                {"reasons": reasons, "aldrete": total},
            )
            return DischargeResult(locked, False, reasons)
        if facts.dosed_at is None:
            raise InvalidTransitionError("No dose has been given in this session.")
        if reasons:
            locked.discharge_override_reason, locked.discharge_override_by = override_reason, actor
        locked.status = SessionStatus.DISCHARGED
        locked.discharged_at, locked.discharged_by = now, actor
        _save(locked)
        _complete_appointment(locked)
        _audit(
            actor,
            AuditEventType.SESSION_DISCHARGED,
            locked,
            {"aldrete": total, "unmet": reasons, "override": override_reason},
        )
        return DischargeResult(locked, True, reasons)


# --- sign, lock, addenda -------------------------------------------------------------------
def session_content(
    session: TreatmentSession, *, all_readings: list[SessionReading] | None = None
) -> dict[str, Any]:
    """What the signatures cover: the session's fields and every entry (`all_readings`, when the
    caller has already read them, saves reading them again)."""
    fields = {
        f.attname: getattr(session, f.attname)
        for f in TreatmentSession._meta.concrete_fields
        # The version counts changes (signing locks the record); it is not content.
        if f.attname not in ("locked_at", "content_sha256", "updated_at", "status", "version")
    }
    return {
        "session": fields,
        "readings": [
            {**selectors.values_of(r), "taken_at": r.taken_at, "source": r.source}
            for r in (selectors.readings(session) if all_readings is None else all_readings)
        ],
        "alerts": list(
            session.alerts.order_by("id").values(
                "message", "status", "action_taken", "acknowledged_by_id"
            )
        ),
        "overrides": list(session.overrides.order_by("id").values("gate", "reason", "by_id")),
        "infusion": list(
            session.infusion_events.order_by("id").values(
                "kind", "at", "rate_mg_per_hour", "reason"
            )
        ),
        "side_effects": list(
            session.side_effects.order_by("id").values(
                "kind", "severity", "onset_at", "interventions", "outcome"
            )
        ),
        "medications": list(
            session.administrations.order_by("id").values(
                "medication", "dose_amount", "dose_unit", "route", "given_at"
            )
        ),
    }


def session_addendum_content(session: TreatmentSession, text: str, author_id: int) -> dict:
    """What a session addendum's hash covers."""
    return {"session": str(session.public_id), "text": text, "author": author_id}


def sign_session(*, actor, session: TreatmentSession, role: str, password: str) -> TreatmentSession:
    """The nurse and the supervising clinician sign (two different people); with both signatures
    the record is locked."""
    if role not in SignatureRole.values:
        raise ClinicError("Sign as the nurse or as the supervising clinician.", field="role")
    roles = PRESCRIBER_ROLES if role == SignatureRole.CLINICIAN else CLINICAL_ROLES
    _check(
        actor,
        session,
        AuditEventType.SESSION_SIGNED,
        roles=roles,
        action=f"sign sessions as {SignatureRole(role).label.lower()}",
    )
    confirm_signer(actor, password, target=session, patient_id=session.patient_id)
    with transaction.atomic(durable=True):
        locked = _lock(
            session, statuses=(SessionStatus.DISCHARGED, SessionStatus.NOT_DONE), signing=True
        )
        signatures = {s.role: s for s in locked.signatures.all()}
        if role in signatures:
            raise InvalidTransitionError(
                f"{signatures[role].signed_by.full_name} already signed as {SignatureRole(role).label.lower()}."
            )
        if any(s.signed_by_id == actor.pk for s in signatures.values()):
            raise ClinicError("The nurse and the supervising clinician are two different people.")
        digest = content_sha256(session_content(locked))
        SessionSignature.objects.create(
            session=locked,
            role=role,
            signed_by=actor,
            signed_at=timezone.now(),
            content_sha256=digest,
        )
        if len(signatures) + 1 == len(SignatureRole.values):
            locked.locked_at, locked.content_sha256 = timezone.now(), digest
            if locked.status == SessionStatus.DISCHARGED:
                locked.status = SessionStatus.SIGNED
            _save(locked, ["locked_at", "content_sha256", "status"])
        _audit(
            actor,
            AuditEventType.SESSION_SIGNED,
            locked,
            {"role": role, "sha256": digest, "locked": locked.locked_at is not None},
        )
        return locked


def add_addendum(*, actor, session: TreatmentSession, text: str) -> SessionAddendum:
    _check(actor, session, AuditEventType.SESSION_ADDENDUM, action="add addenda")
    text = (text or "").strip()
    if not text:
        raise ClinicError("Write the addendum.", field="text")
    if len(text) > 5000:
        raise ClinicError("Keep an addendum under 5,000 characters.", field="text")
    with transaction.atomic(durable=True):
        locked = TreatmentSession.objects.select_for_update().get(pk=session.pk)
        if locked.locked_at is None:
            raise InvalidTransitionError("The record is not signed yet: record the entry itself.")
        addendum = SessionAddendum.objects.create(
            session=locked,
            text=text,
            author=actor,
            content_sha256=content_sha256(session_addendum_content(locked, text, actor.pk)),
        )
        _audit(
            actor,
            AuditEventType.SESSION_ADDENDUM,
            locked,
            {"sha256": addendum.content_sha256},
            target=addendum,
        )
        return addendum
