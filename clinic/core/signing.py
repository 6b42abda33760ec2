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
from clinic.core.reauthentication import SIGNATURE, password_confirmed, second_person


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


def confirm_person_at_tablet(
    email: str, password: str, *, signed_in, target=None, patient_id: int | None = None
):
    """The person who checks or co-signs on a tablet `signed_in` is signed in to, proved by their
    own e-mail and password (clinic.core.reauthentication.second_person: the sign-in lock-out
    applies). A blank e-mail means the signed-in person themself, with their password. Returns
    who it is; a refusal is audited under the signed-in person, naming the e-mail typed, and shown
    beside the password field."""
    email = (email or "").strip().lower()
    if not email or email == signed_in.get_username():
        confirm_signer(signed_in, password, target=target, patient_id=patient_id)
        return signed_in
    try:
        person = second_person(email, password)
    except LockedOutError:
        _audit_refused_signature(
            signed_in, target=target, patient_id=patient_id, reason="locked out", email=email
        )
        raise
    if person is None:
        _audit_refused_signature(
            signed_in, target=target, patient_id=patient_id, reason="wrong password", email=email
        )
        raise ClinicError(
            "That e-mail and password do not match a member of staff. The second person types "
            "their own sign-in e-mail and password.",
            field="password",
        )
    return person


def _audit_refused_signature(
    user, *, target, patient_id: int | None, reason: str, email: str = ""
) -> None:
    details = {"reason": reason}
    if email:
        # The second person the tablet's user tried to bring in (who it claims to be).
        details["second_person"] = email
    record_audit_event(
        actor=user,
        event_type=AuditEventType.SIGNATURE_FAILED,
        outcome=AuditOutcome.FAILED,
        target=target,
        patient_id=patient_id,
        details=details,
    )
