"""Vital-sign readings (typed on the tablet or posted by a monitor) and the alerts they raise."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from clinic.accounts.choices import PRESCRIBER_ROLES
from clinic.audit.choices import AuditEventType, AuditOutcome
from clinic.audit.services import audited_together, record_audit_event
from clinic.core.dates import show_time
from clinic.core.exceptions import (
    ClinicError,
    InvalidTransitionError,
    NotFoundError,
    PermissionDeniedError,
)
from clinic.core.meta import concrete_field
from clinic.core.validation import explain_refusal
from clinic.monitoring.limits import Breach, Limits, check_during, check_pre_dose
from clinic.monitoring.models import MonitoringProtocol
from clinic.patients.choices import VitalSignsContext
from clinic.patients.models import VitalSigns
from clinic.patients.services import VITAL_SIGN_FIELDS, build_vital_signs, create_vital_signs
from clinic.sessions import selectors
from clinic.sessions.choices import (
    AlertStatus,
    ReadingSource,
    SessionStatus,
)
from clinic.sessions.locks import (
    LockedSession,
    lock_monitoring_alert,
    lock_session_for_reading,
    lock_sessions_for_reading_by_public_id,
)
from clinic.sessions.models import (
    MonitoringAlert,
    SessionReading,
    TreatmentSession,
)
from clinic.sessions.services._common import (
    _audit,
    _check,
    _ensure_open,
    _lock,
    _refuse_signed,
    _save,
    _text,
    _when,
)
from clinic.sessions.tasks import notify_stop_level_alert, notify_stop_level_alerts

READING_STATUSES = (SessionStatus.PREPARATION, SessionStatus.IN_PROGRESS)


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


def _ensure_takes_readings(locked: LockedSession) -> None:
    _ensure_open(locked, READING_STATUSES)
    if locked.signed:
        _refuse_signed()


def _limits_of(locked: LockedSession) -> Limits:
    """The route's limits as `selectors.limits_for` gives them (the model's defaults without a
    protocol row), from the values read with the session."""
    protocol = MonitoringProtocol(route=locked.route)
    for name, value in (locked.route_limits or {}).items():
        setattr(protocol, name, concrete_field(MonitoringProtocol, name).to_python(value))
    return protocol.limits()


def _stored_baseline(locked: LockedSession) -> dict | None:
    """`selectors.baseline(selectors.readings(session))`, from the values read with the session."""
    if locked.stored_baseline is None:
        return None
    return {
        name: concrete_field(VitalSigns, name).to_python(locked.stored_baseline[name])
        for name in selectors.VITAL_VALUE_FIELDS
    }


def _breaches(
    locked: LockedSession, values: dict[str, Any], *, pre_dose: bool, context: dict
) -> tuple[list[Breach], Limits]:
    """The limits a reading breaches. `context` carries the limits and the pre-dose baseline
    across a batch: a pre-dose reading with a blood pressure is the baseline of the readings
    after it in the batch."""
    if "limits" not in context:
        context["limits"] = _limits_of(locked)
    limits = context["limits"]
    if pre_dose:
        breaches = check_pre_dose(values, limits)
        if values.get("systolic_mmhg"):
            context["baseline"] = {name: values.get(name) for name in selectors.VITAL_VALUE_FIELDS}
    else:
        if "baseline" not in context:
            context["baseline"] = _stored_baseline(locked)
        breaches = check_during(values, limits, baseline=context["baseline"])
    return breaches, limits


def _alerts_raised(actor, session, raised: list[tuple[MonitoringAlert, list[Breach]]], *, label):
    """Audit each alert; once they are committed, the supervising clinician is told of each
    stop-level one (one e-mail each, their tasks queued together)."""
    for alert, breaches in raised:
        _audit(
            actor,
            AuditEventType.SESSION_ALERT_RAISED,
            session,
            {
                "alert": str(alert.public_id),
                "breaches": [b.message for b in breaches],
                "stop_level": alert.stop_level,
            },
            target=alert.reading,
            actor_label=label,
        )
    stop_level = [str(alert.public_id) for alert, _ in raised if alert.stop_level]
    if len(stop_level) == 1:
        transaction.on_commit(lambda: notify_stop_level_alert.enqueue(alert_id=stop_level[0]))
    elif stop_level:
        # A monitor's batch: one task e-mails each of its alerts.
        transaction.on_commit(lambda: notify_stop_level_alerts.enqueue(alert_ids=stop_level))


def _store_reading(
    *,
    actor,
    session: LockedSession,
    values: dict[str, Any],
    taken_at: datetime,
    source: str,
) -> ReadingOutcome:
    """Inside the caller's transaction (session locked by `lock_session_for_reading`): store one
    reading typed by hand and raise its alerts."""
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
    vitals = create_vital_signs(
        actor=actor,
        patient=session.patient,
        context=VitalSignsContext.PRE_DOSE if pre_dose else VitalSignsContext.MONITORING,
        taken_at=taken_at,
        values=values,
    )
    reading = SessionReading.objects.create(
        session=session,
        vital_signs=vitals,
        source=source,
        pre_dose=pre_dose,
        taken_at=taken_at,
    )
    if weight is not None:
        session.weight_kg = vitals.weight_kg
        _save(session, ["weight_kg"])
    breaches, limits = _breaches(session, values, pre_dose=pre_dose, context={})
    alerts = []
    if breaches:
        alert = _raise_alert(session, reading, breaches, limits)
        alert.save()
        alerts.append(alert)
        _alerts_raised(actor, session, [(alert, breaches)], label=None)
    return ReadingOutcome(reading, alerts)


def _raise_alert(session, reading, breaches: list[Breach], limits) -> MonitoringAlert:
    """One alert for the reading (not yet saved), listing every breach (the first also in the
    columns that rows written before kept their one breach in)."""
    now = timezone.now()
    first = breaches[0]
    numeric = next((b.value for b in breaches if isinstance(b.value, Decimal)), None)
    return MonitoringAlert(
        session=session,
        reading=reading,
        parameter=first.parameter,
        value=first.value if isinstance(first.value, Decimal) else numeric,
        limit=first.limit,
        message=" ".join(b.message for b in breaches)[:1000],
        breaches=[
            {
                "parameter": b.parameter,
                "value": str(b.value),
                "limit": b.limit,
                "message": b.message,
                "stop": b.stop,
                "blocks_dosing": b.blocks_dosing,
                "source": b.source,
            }
            for b in breaches
        ],
        blocks_dosing=any(b.blocks_dosing for b in breaches),
        stop_level=any(b.stop for b in breaches),
        raised_at=now,
        escalates_at=now + timedelta(minutes=limits.alert_escalation_minutes),
    )


def record_reading(
    *, actor, session: TreatmentSession, values: dict[str, Any], taken_at: datetime | None = None
) -> ReadingOutcome:
    """A nurse enters a set of vital signs by hand; out-of-range values raise alerts at once."""
    _check(actor, session, AuditEventType.SESSION_READING_RECORDED, action="record vital signs")
    values = _clean_values(values)
    with explain_refusal(), transaction.atomic(durable=True), audited_together():
        locked = lock_session_for_reading(session.pk)
        _ensure_takes_readings(locked)
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
    reading id returns the stored reading), each checked against the limits at once. The batch
    is written with one insert per table and audited in one entry naming the vital signs stored
    (with one entry per alert raised)."""
    if not device.is_active:
        raise PermissionDeniedError("This monitor has been revoked.")
    with explain_refusal(), transaction.atomic(durable=True), audited_together():
        found = lock_sessions_for_reading_by_public_id(session_public_id, device.location_id)
        locked = found[0] if found else None
        if locked is not None:
            if not readings:
                raise ClinicError("Send at least one reading.", field="readings")
            _ensure_takes_readings(locked)
            outcomes = _store_device_readings(locked, device, readings)
    if locked is None:
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
    return outcomes


def _store_device_readings(locked, device, readings: list[DeviceReading]) -> list[ReadingOutcome]:
    """Inside the transaction, the session locked: check every reading first (the first one
    refused refuses the batch, as nothing is written before), then insert the batch. The session's
    row lock keeps every other writer of its readings waiting, so no reading id checked here as
    new can be stored meanwhile."""
    seen = {
        r.device_reading_id: ReadingOutcome(r, list(r.alerts.all()), duplicate=True)
        for r in SessionReading.objects.filter(
            session=locked,
            device=device,
            device_reading_id__in=[r.reading_id for r in readings],
        ).prefetch_related("alerts")
    }
    context: dict = {}
    outcomes: list[ReadingOutcome] = []
    new: list[tuple[ReadingOutcome, list[Breach], Limits]] = []
    for item in readings:
        if item.reading_id in seen:
            # Stored before, or earlier in this batch (its alerts as they are when it is stored).
            first = seen[item.reading_id]
            outcomes.append(ReadingOutcome(first.reading, first.alerts, duplicate=True))
            continue
        taken_at = _when(locked, item.taken_at, field="taken_at", label="time of the reading")
        values = _clean_values(item.values)
        values.pop("weight_kg", None)
        pre_dose = locked.dosed_at is None or taken_at < locked.dosed_at
        vitals = build_vital_signs(
            actor=None,
            patient=locked.patient,
            context=VitalSignsContext.PRE_DOSE if pre_dose else VitalSignsContext.MONITORING,
            taken_at=taken_at,
            values=values,
        )
        reading = SessionReading(
            session=locked,
            vital_signs=vitals,
            source=ReadingSource.DEVICE,
            device=device,
            device_reading_id=item.reading_id,
            pre_dose=pre_dose,
            taken_at=taken_at,
        )
        breaches, limits = _breaches(locked, values, pre_dose=pre_dose, context=context)
        outcome = ReadingOutcome(reading, [])
        seen[item.reading_id] = outcome
        outcomes.append(outcome)
        new.append((outcome, breaches, limits))
    if new:
        VitalSigns.objects.bulk_create([o.reading.vital_signs for o, _, _ in new])
        SessionReading.objects.bulk_create([o.reading for o, _, _ in new])
        raised = []
        for outcome, breaches, limits in new:
            if breaches:
                alert = _raise_alert(locked, outcome.reading, breaches, limits)
                outcome.alerts.append(alert)
                raised.append((alert, breaches))
        MonitoringAlert.objects.bulk_create([alert for alert, _ in raised])
        _alerts_raised(None, locked, raised, label=device.audit_label)
    type(device).objects.filter(pk=device.pk).update(last_seen_at=timezone.now())
    _audit(
        None,
        AuditEventType.SESSION_READING_RECORDED,
        locked,
        {
            "device": device.name,
            "stored": len(new),
            "duplicates": len(outcomes) - len(new),
            "vital_signs": [o.reading.vital_signs_id for o, _, _ in new],
        },
        actor_label=device.audit_label,
    )
    return outcomes


STOP_LEVEL_REFUSAL = (
    "A stop-level alert is closed by a prescriber (a clinician or the medical director). Record "
    "what you did under “Record what was done”; the supervising clinician has been told."
)


def acknowledge_alert(*, actor, alert: MonitoringAlert, action_taken: str) -> MonitoringAlert:
    """Close the alert (every breach of its reading) in one step, with the action taken. A
    stop-level alert needs a prescriber: a nurse's acknowledgement is refused (audited), and the
    nurse records what they did with `record_alert_action` instead."""
    session = alert.session
    _check(actor, session, AuditEventType.SESSION_ALERT_ACKNOWLEDGED, action="acknowledge alerts")
    action_taken = _text(action_taken, limit=1000)
    if not action_taken:
        raise ClinicError("Say what was done about the alert.", field="action_taken")
    with transaction.atomic(durable=True):
        _lock(session)
        locked = lock_monitoring_alert(alert.pk)
        if locked.status != AlertStatus.OPEN:
            raise InvalidTransitionError(
                f"{locked.acknowledged_by.full_name if locked.acknowledged_by else 'Someone'} "
                "already acknowledged this alert."
            )
        if locked.stop_level and actor.role not in PRESCRIBER_ROLES:
            refusal = STOP_LEVEL_REFUSAL
        else:
            refusal = ""
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
    if refusal:
        # Audited outside the (empty) transaction above, so that the refusal stays on record.
        record_audit_event(
            actor=actor,
            event_type=AuditEventType.SESSION_ALERT_ACKNOWLEDGED,
            outcome=AuditOutcome.DENIED,
            target=locked,
            about=session,
            details={"action": "acknowledge a stop-level alert", "alert": locked.message},
        )
        raise PermissionDeniedError(refusal, field="action_taken")
    return locked


def record_alert_action(*, actor, alert: MonitoringAlert, action_taken: str) -> MonitoringAlert:
    """A nurse records what they did about a stop-level alert; it stays open (and escalated once
    its time has passed) until a prescriber acknowledges it. Each entry is kept, timed and named."""
    session = alert.session
    _check(
        actor,
        session,
        AuditEventType.SESSION_ALERT_ACTION_RECORDED,
        action="record what was done about an alert",
    )
    action_taken = _text(action_taken, limit=1000)
    if not action_taken:
        raise ClinicError("Say what was done about the alert.", field="action_taken")
    with transaction.atomic(durable=True):
        locked_session = _lock(session)
        locked = lock_monitoring_alert(alert.pk)
        if locked.status != AlertStatus.OPEN:
            raise InvalidTransitionError(
                f"{locked.acknowledged_by.full_name if locked.acknowledged_by else 'Someone'} "
                "already acknowledged this alert."
            )
        if not locked.stop_level:
            raise ClinicError(
                "Acknowledge this alert with what was done: it does not wait for a prescriber.",
                field="action_taken",
            )
        now = timezone.now()
        line = f"{show_time(now, locked_session.location.zone)} {actor.full_name}: {action_taken}"
        locked.interim_action = (
            f"{locked.interim_action}\n{line}" if locked.interim_action else line
        )[:4000]
        locked.interim_action_by, locked.interim_action_at = actor, now
        locked.save(update_fields=["interim_action", "interim_action_by", "interim_action_at"])
        _audit(
            actor,
            AuditEventType.SESSION_ALERT_ACTION_RECORDED,
            session,
            {"alert": locked.message, "action": action_taken},
            target=locked,
        )
        return locked
