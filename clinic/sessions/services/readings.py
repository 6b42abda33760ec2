"""Vital-sign readings (typed on the tablet or posted by a monitor) and the alerts they raise."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from clinic.accounts.choices import PRESCRIBER_ROLES
from clinic.audit.choices import AuditEventType, AuditOutcome
from clinic.audit.services import record_audit_event
from clinic.core.exceptions import (
    ClinicError,
    InvalidTransitionError,
    NotFoundError,
    PermissionDeniedError,
)
from clinic.monitoring.limits import Breach, check_during, check_pre_dose
from clinic.patients.choices import VitalSignsContext
from clinic.patients.services import VITAL_SIGN_FIELDS, create_vital_signs
from clinic.sessions import selectors
from clinic.sessions.choices import (
    AlertStatus,
    ReadingSource,
    SessionStatus,
)
from clinic.sessions.models import (
    MonitoringAlert,
    SessionReading,
    TreatmentSession,
)
from clinic.sessions.services._common import (
    _audit,
    _check,
    _lock,
    _save,
    _text,
    _when,
)
from clinic.sessions.tasks import notify_stop_level_alert


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
    alerts = []
    if breaches:
        alert = _raise_alert(session, reading, breaches, limits)
        alerts.append(alert)
        _audit(
            actor,
            AuditEventType.SESSION_ALERT_RAISED,
            session,
            {
                "alert": str(alert.public_id),
                "breaches": [b.message for b in breaches],
                "stop_level": alert.stop_level,
            },
            target=reading,
            actor_label=label,
        )
        if alert.stop_level:
            # The supervising clinician is told at once, once the alert is committed.
            public_id = str(alert.public_id)
            transaction.on_commit(lambda: notify_stop_level_alert.enqueue(alert_id=public_id))
    return ReadingOutcome(reading, alerts)


def _raise_alert(session, reading, breaches: list[Breach], limits) -> MonitoringAlert:
    """One alert for the reading, listing every breach (the first also in the columns that rows
    written before kept their one breach in)."""
    now = timezone.now()
    first = breaches[0]
    numeric = next((b.value for b in breaches if isinstance(b.value, Decimal)), None)
    return MonitoringAlert.objects.create(
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
        locked = MonitoringAlert.objects.select_for_update().get(pk=alert.pk)
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
            patient_id=session.patient_id,
            location_id=session.location_id,
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
        locked = MonitoringAlert.objects.select_for_update().get(pk=alert.pk)
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
        line = (
            f"{timezone.localtime(now, locked_session.location.zone):%H:%M} "
            f"{actor.full_name}: {action_taken}"
        )
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
