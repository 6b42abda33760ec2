"""What every session service shares: the permission check, the session row's lock and
version, the audit entry, and how recorded times and texts are cleaned."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import F
from django.utils import timezone

from clinic.accounts.choices import CLINICAL_ROLES
from clinic.audit.services import record_audit_event
from clinic.core.dates import show_time
from clinic.core.exceptions import (
    ClinicError,
    InvalidTransitionError,
)
from clinic.patients.locks import lock_patient_row
from clinic.patients.permissions import ensure_can_act_on_patient
from clinic.scheduling import services as scheduling_services
from clinic.scheduling.choices import AppointmentStatus
from clinic.sessions.choices import (
    EDITABLE_STATUSES,
    SessionStatus,
)
from clinic.sessions.locks import lock_session
from clinic.sessions.models import (
    TreatmentSession,
)

# How far back a reading or event may be timed (a note written up after the fact).
BACKDATE_LIMIT = timedelta(hours=12)


def _check(actor, session: TreatmentSession, event_type, *, roles=CLINICAL_ROLES, action: str):
    ensure_can_act_on_patient(
        actor, session.patient, roles=roles, action=action, event_type=event_type
    )


def _lock(
    session: TreatmentSession, *, statuses=EDITABLE_STATUSES, signing: bool = False
) -> TreatmentSession:
    """The session row, locked for this transaction (only it: `of=("self",)` keeps PostgreSQL from
    also locking the patient, location and plan rows joined in, which other sessions share)."""
    locked = lock_session(session.pk)
    _ensure_open(locked, statuses)
    if not signing and locked.signatures.exists():
        _refuse_signed()
    return locked


def _ensure_open(locked: TreatmentSession, statuses) -> None:
    """Refuse a change to a locked session, or one its status does not allow now."""
    if locked.locked_at is not None:
        raise InvalidTransitionError(
            "This session is signed and locked. Add an addendum to correct or add to it."
        )
    if locked.status not in statuses:
        raise InvalidTransitionError(
            f"This cannot be done now: the session is {locked.get_status_display().lower()}."
        )


def _refuse_signed() -> None:
    # A signature covers the content as it was: nothing changes under it.
    raise InvalidTransitionError(
        "The record is already signed by one person: changes after signing go in an "
        "addendum once the second signature locks it."
    )


def _lock_patient(session: TreatmentSession) -> None:
    """Lock the patient's row before the pre-dose gates are judged (after the session's own lock,
    the order every dose step keeps): two sessions of one patient confirming or giving a dose at
    once take turns, so the second sees the first one's dose and its interval gates refuse it."""
    lock_patient_row(session.patient_id)


def _save(locked: TreatmentSession, update_fields: list[str] | None = None) -> None:
    """Save the locked session and count the change in its version (F() under the row lock that
    `_lock` holds), so that a form opened before this change is refused rather than applied."""
    locked.version = F("version") + 1
    if update_fields is not None:
        update_fields = [*update_fields, "version", "updated_at"]
    locked.save(update_fields=update_fields)
    locked.refresh_from_db(fields=["version"])


def _at(session: TreatmentSession, value: datetime) -> str:
    return show_time(value, session.location.zone)


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
        about=session,
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


def _text(value: str | None, *, limit: int | None) -> str:
    return (value or "").strip()[:limit]


def _complete_appointment(actor, session: TreatmentSession) -> None:
    """Scheduling's own service completes the appointment (its audit entry and calendar sequence),
    inside this transaction. An appointment no longer checked in is left as it is."""
    if session.appointment.status == AppointmentStatus.CHECKED_IN:
        scheduling_services.complete_appointment(actor=actor, appointment=session.appointment)
