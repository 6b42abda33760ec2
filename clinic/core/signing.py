"""Signing clinical documents: the signer re-enters their password, and the signature records
who, when and a SHA-256 of the exact content signed (so any later change is detectable)."""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from clinic.audit.choices import AuditEventType, AuditOutcome
from clinic.audit.services import record_audit_event
from clinic.core.exceptions import ClinicError, LockedOutError
from clinic.core.reauthentication import SIGNATURE, password_confirmed


def _plain(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (Decimal, UUID)):
        return str(value)
    raise TypeError(f"Cannot sign a {type(value).__name__}")


def content_sha256(content: dict[str, Any]) -> str:
    """SHA-256 of the content as canonical JSON (sorted keys, no spaces)."""
    canonical = json.dumps(
        content, sort_keys=True, separators=(",", ":"), default=_plain, ensure_ascii=False
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def confirm_signer(user, password: str, *, target=None, patient_id: int | None = None) -> None:
    """Re-authenticate before a signature. The password goes through the sign-in lock-out
    (clinic.core.reauthentication): wrong ones count like wrong sign-ins, and a locked account
    cannot sign even with the right one. A refusal is audited (in its own transaction, before the
    signing transaction starts) and shown beside the password field."""
    try:
        if password_confirmed(user, password, purpose=SIGNATURE):
            return
    except LockedOutError:
        _audit_refused_signature(user, target=target, patient_id=patient_id, reason="locked out")
        raise
    _audit_refused_signature(user, target=target, patient_id=patient_id, reason="wrong password")
    raise ClinicError(
        "That password is not right. Signing needs your own sign-in password.", field="password"
    )


def _audit_refused_signature(user, *, target, patient_id: int | None, reason: str) -> None:
    record_audit_event(
        actor=user,
        event_type=AuditEventType.SIGNATURE_FAILED,
        outcome=AuditOutcome.FAILED,
        target=target,
        patient_id=patient_id,
        details={"reason": reason},
    )
