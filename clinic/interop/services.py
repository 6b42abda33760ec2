"""Every write of the interop app: issuing and revoking FHIR API tokens (the medical director),
and finding the token a request presents."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from clinic.accounts.choices import STAFF_ROLES, Role
from clinic.audit.choices import AuditEventType
from clinic.audit.services import record_audit_event
from clinic.audit.throttle import record_unauthenticated_refusal
from clinic.core.exceptions import ClinicError
from clinic.core.permissions import ensure_role
from clinic.core.tokens import token_sha256
from clinic.interop.locks import lock_fhir_token
from clinic.interop.models import FhirApiToken

TOKEN_PREFIX = "kcf_"
# Clinic policy (UNVERIFIED: no rule fixes it): a token lives at most a year, so a forgotten
# integration stops by itself; 90 days unless the director chooses otherwise.
DEFAULT_VALID_DAYS = 90
MAX_VALID_DAYS = 365


def issue_fhir_token(*, actor, name: str, owner, valid_days: int = DEFAULT_VALID_DAYS):
    """A new token for `owner` (a member of staff). Returns the row and the token itself, which
    is not stored (only its hash): the caller shows it once."""
    ensure_role(
        actor,
        {Role.MEDICAL_DIRECTOR},
        action="issue FHIR API tokens",
        event_type=AuditEventType.FHIR_TOKEN_CHANGED,
    )
    name = (name or "").strip()[:80]
    if not name:
        raise ClinicError(
            "Say what the token is for (e.g. “Referral hospital import”).", field="name"
        )
    if owner is None or owner.role not in STAFF_ROLES or not owner.is_active:
        raise ClinicError("Choose an active member of staff to own the token.", field="owner")
    if not isinstance(valid_days, int) or not 1 <= valid_days <= MAX_VALID_DAYS:
        raise ClinicError(f"A token is valid for 1 to {MAX_VALID_DAYS} days.", field="valid_days")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        row = FhirApiToken.objects.create(
            name=name,
            owner=owner,
            token_sha256=token_sha256(token),
            token_hint=token[:10],
            issued_by=actor,
            issued_at=now,
            expires_at=now + timedelta(days=valid_days),
        )
        record_audit_event(
            actor=actor,
            event_type=AuditEventType.FHIR_TOKEN_CHANGED,
            target=row,
            details={
                "action": "issued",
                "name": name,
                "owner": owner.email,
                "expires_at": row.expires_at.isoformat(),
            },
        )
    return row, token


def revoke_fhir_token(*, actor, token: FhirApiToken) -> FhirApiToken:
    ensure_role(
        actor,
        {Role.MEDICAL_DIRECTOR},
        action="revoke FHIR API tokens",
        event_type=AuditEventType.FHIR_TOKEN_CHANGED,
    )
    with transaction.atomic():
        token = lock_fhir_token(token.pk)
        if token.revoked_at is not None:
            return token
        token.revoked_at, token.revoked_by = timezone.now(), actor
        token.save(update_fields=["revoked_at", "revoked_by"])
        record_audit_event(
            actor=actor,
            event_type=AuditEventType.FHIR_TOKEN_CHANGED,
            target=token,
            details={"action": "revoked", "name": token.name},
        )
    return token


def authenticate_fhir_token(raw: str) -> FhirApiToken | None:
    """The usable token this request presents, or None (the refusal is audited, at most one row
    per address a minute: anyone can send a token)."""
    token = None
    reason = "missing"
    if raw and len(raw) <= 200:
        token = (
            FhirApiToken.objects.select_related("owner")
            .filter(token_sha256=token_sha256(raw))
            .first()
        )
        reason = "unknown"
        if token is not None and not token.is_usable(timezone.now()):
            reason = "revoked" if token.revoked_at else "expired"
            if not token.owner.is_active:
                reason = "owner deactivated"
            token = None
    if token is None:
        record_unauthenticated_refusal(
            actor_label="fhir-token:refused",
            event_type=AuditEventType.FHIR_TOKEN_REFUSED,
            details={"token": reason},
        )
        return None
    # At most one write a minute per token: the list shows when it was last used.
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        FhirApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
