"""Discharge: allowed only when the recorded data meet every criterion, with the Aldrete items the
record answers checked against it and the after-care sheet handed over."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from clinic.accounts.choices import PRESCRIBER_ROLES
from clinic.audit.choices import AuditEventType
from clinic.core.exceptions import (
    ClinicError,
    InvalidTransitionError,
)
from clinic.monitoring.discharge import ITEM_LABELS as ALDRETE_LABELS
from clinic.monitoring.discharge import ITEMS as ALDRETE_ITEMS
from clinic.monitoring.discharge import modified_aldrete
from clinic.patients.hooks import session_changed
from clinic.sessions import rules, selectors
from clinic.sessions.aftercare import sheet_for
from clinic.sessions.choices import (
    SessionStatus,
)
from clinic.sessions.models import (
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
    aldrete_reasons: dict[str, str] | None = None,
) -> DischargeResult:
    """Score discharge readiness and discharge when every criterion is met. When not, the scores
    are kept and the reasons returned, unless a clinician documents an override.

    The Aldrete items the record answers (SpO₂ with oxygen, circulation against the pre-dose
    pressure, consciousness from ACVPU: `rules.derived_aldrete_at`) are checked against it: an
    entry that differs needs the nurse's written reason in `aldrete_reasons` (kept with the
    record, under the signatures). `instructions_given` is the after-care sheet handed to the
    patient and escort: who handed it, when, and the sheet's hash are recorded. The time the
    patient was ready is the first moment the recorded data met every criterion
    (`rules.first_ready_at`), not this click."""
    _check(actor, session, AuditEventType.SESSION_DISCHARGED, action="discharge patients")
    try:
        total = modified_aldrete(**aldrete)
    except (TypeError, ValueError) as error:
        raise ClinicError(
            f"Score every Aldrete item 0, 1 or 2 ({error}).", field="aldrete"
        ) from None
    aldrete_reasons = {
        item: _text(text, limit=500)
        for item, text in (aldrete_reasons or {}).items()
        if item in ALDRETE_ITEMS
    }
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
        timeline = selectors.discharge_timeline(locked)
        derived = rules.derived_aldrete_at(timeline, now)
        locked.aldrete_from_data = {
            item: {
                "label": ALDRETE_LABELS[item],
                "derived": data.score,
                "basis": data.basis,
                "entered": aldrete[item],
                # A reason is kept only where the entry differs from the record.
                "reason": aldrete_reasons.get(item, "") if aldrete[item] != data.score else "",
            }
            for item, data in derived.items()
        }
        facts = rules.facts_at(
            timeline,
            now,
            aldrete_total=total,
            escort_present=locked.escort_present,
            instructions_given=locked.instructions_given,
            contradictions=tuple(rules.aldrete_contradictions(derived, aldrete, aldrete_reasons)),
        )
        reasons = rules.discharge_reasons(facts)
        _record_aftercare(actor, locked, now)
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
        else:
            # Every criterion holds now, so the data met them at some moment up to now.
            locked.ready_for_discharge_at = rules.first_ready_at(timeline, now, aldrete) or now
        locked.status = SessionStatus.DISCHARGED
        locked.discharged_at, locked.discharged_by = now, actor
        _save(locked)
        session_changed(locked.pk)  # the discharge delay the outcomes page counts
        _complete_appointment(actor, locked)
        _audit(
            actor,
            AuditEventType.SESSION_DISCHARGED,
            locked,
            {
                "aldrete": total,
                "unmet": reasons,
                "override": override_reason,
                "aldrete_from_data": locked.aldrete_from_data,
                "ready_at": locked.ready_for_discharge_at.isoformat()
                if locked.ready_for_discharge_at
                else None,
                "aftercare_sha256": locked.aftercare_sheet_sha256,
            },
        )
        return DischargeResult(locked, True, reasons)


def _record_aftercare(actor, locked: TreatmentSession, now) -> None:
    """The after-care sheet handed over (ticked): who and when, the first time, with the hash of
    the sheet as printed for this route and location; unticked, nothing is recorded."""
    if not locked.instructions_given:
        locked.aftercare_given_by = locked.aftercare_given_at = None
        locked.aftercare_sheet_sha256 = ""
        return
    if locked.aftercare_given_at is None:
        sheet = sheet_for(route=locked.route, location=locked.location)
        locked.aftercare_given_by, locked.aftercare_given_at = actor, now
        locked.aftercare_sheet_sha256 = sheet.sha256
