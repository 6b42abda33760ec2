"""Discharge: allowed only when the recorded data meet every criterion."""

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
from clinic.monitoring.discharge import modified_aldrete
from clinic.sessions import rules, selectors
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
        _complete_appointment(actor, locked)
        _audit(
            actor,
            AuditEventType.SESSION_DISCHARGED,
            locked,
            {"aldrete": total, "unmet": reasons, "override": override_reason},
        )
        return DischargeResult(locked, True, reasons)
