"""What the signatures cover, signing and locking the record, and addenda after it is locked."""

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
from clinic.core.signing import confirm_person_at_tablet, content_sha256
from clinic.sessions import selectors, stock
from clinic.sessions.choices import (
    SessionStatus,
    SignatureRole,
)
from clinic.sessions.hooks import session_locked
from clinic.sessions.locks import lock_session
from clinic.sessions.models import (
    SessionAddendum,
    SessionReading,
    SessionSignature,
    TreatmentSession,
)
from clinic.sessions.services._common import (
    _audit,
    _check,
    _lock,
    _save,
)

# Session fields added after sessions were first signed (see session_content).
ADDED_AFTER_SIGNING = frozenset(
    {
        "dose_given_mg",
        "dose_given_working",
        "aldrete_from_data",
        "aftercare_given_by_id",
        "aftercare_given_at",
        "aftercare_sheet_sha256",
    }
)


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
        # A field added after records were first signed is covered once it holds something:
        # a record signed before it existed keeps the hash it was signed with.
        and not (f.attname in ADDED_AFTER_SIGNING and getattr(session, f.attname) in (None, "", {}))
    }
    content = {
        "session": fields,
        "readings": [
            {**selectors.values_of(r), "taken_at": r.taken_at, "source": r.source}
            for r in (selectors.readings(session) if all_readings is None else all_readings)
        ],
        "alerts": [_alert_content(alert) for alert in session.alerts.order_by("id")],
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
    ratings = list(
        session.dissociation_ratings.order_by("id").values(
            "moment", "taken_at", "rated_by_id", "response_id", "response__total"
        )
    )
    if ratings:  # (as above: records signed before ratings were rows keep their hash)
        content["dissociation_ratings"] = ratings
    return content


def _alert_content(alert) -> dict[str, Any]:
    """An alert as signed. Rows from before one alert listed all of a reading's breaches carry
    only the four fields they were signed with (so their records keep their hash); a newer alert
    adds its breaches, whether it was stop-level and what a nurse recorded before it was closed."""
    content = {
        "message": alert.message,
        "status": alert.status,
        "action_taken": alert.action_taken,
        "acknowledged_by_id": alert.acknowledged_by_id,
    }
    if alert.breaches:
        content.update(
            breaches=alert.breaches,
            stop_level=alert.stop_level,
            interim_action=alert.interim_action,
            interim_action_by_id=alert.interim_action_by_id,
        )
    return content


def session_addendum_content(session: TreatmentSession, text: str, author_id: int) -> dict:
    """What a session addendum's hash covers."""
    return {"session": str(session.public_id), "text": text, "author": author_id}


def sign_session(
    *, actor, session: TreatmentSession, role: str, password: str, signer_email: str = ""
) -> TreatmentSession:
    """The nurse and the supervising clinician sign (two different people); with both signatures
    the record is locked. On the shared tablet the second signer signs for this one action with
    their own e-mail and password (`signer_email`) while the signed-in person (`actor`) stays
    signed in, as for the dose's double check; blank, the signed-in person signs. The signer is
    the actor of the audit entry, the signed-in person noted."""
    if role not in SignatureRole.values:
        raise ClinicError("Sign as the nurse or as the supervising clinician.", field="role")
    roles = PRESCRIBER_ROLES if role == SignatureRole.CLINICIAN else CLINICAL_ROLES
    action = f"sign sessions as {SignatureRole(role).label.lower()}"
    other = (signer_email or "").strip().lower() not in ("", actor.get_username())
    _check(
        actor,
        session,
        AuditEventType.SESSION_SIGNED,
        roles=CLINICAL_ROLES if other else roles,
        action="sign sessions" if other else action,
    )
    signer = confirm_person_at_tablet(
        signer_email, password, signed_in=actor, target=session, patient_id=session.patient_id
    )
    if signer.pk != actor.pk:
        _check(signer, session, AuditEventType.SESSION_SIGNED, roles=roles, action=action)
    with transaction.atomic(durable=True):
        locked = _lock(
            session, statuses=(SessionStatus.DISCHARGED, SessionStatus.NOT_DONE), signing=True
        )
        signatures = {s.role: s for s in locked.signatures.all()}
        if role in signatures:
            raise InvalidTransitionError(
                f"{signatures[role].signed_by.full_name} already signed as {SignatureRole(role).label.lower()}."
            )
        if any(s.signed_by_id == signer.pk for s in signatures.values()):
            raise ClinicError("The nurse and the supervising clinician are two different people.")
        register = stock.active()
        unaccounted = register.unreconciled(locked) if register is not None else []
        if unaccounted:
            # 21 CFR 1304.22(c): every unit dispensed is recorded as administered or otherwise
            # disposed of; the record is signed only once it balances.
            raise ClinicError(
                "The controlled stock is not reconciled: "
                + " ".join(unaccounted)
                + " Record the waste, with a witness, before signing."
            )
        digest = content_sha256(session_content(locked))
        SessionSignature.objects.create(
            session=locked,
            role=role,
            signed_by=signer,
            signed_at=timezone.now(),
            content_sha256=digest,
        )
        if len(signatures) + 1 == len(SignatureRole.values):
            locked.locked_at, locked.content_sha256 = timezone.now(), digest
            if locked.status == SessionStatus.DISCHARGED:
                locked.status = SessionStatus.SIGNED
            _save(locked, ["locked_at", "content_sha256", "status"])
            session_locked(locked)
        details = {"role": role, "sha256": digest, "locked": locked.locked_at is not None}
        if signer.pk != actor.pk:
            # Signed on another person's sign-in (the shared tablet).
            details.update(signed_in=actor.pk, signed_in_email=actor.email)
        _audit(signer, AuditEventType.SESSION_SIGNED, locked, details)
        return locked


def add_addendum(*, actor, session: TreatmentSession, text: str) -> SessionAddendum:
    _check(actor, session, AuditEventType.SESSION_ADDENDUM, action="add addenda")
    text = (text or "").strip()
    if not text:
        raise ClinicError("Write the addendum.", field="text")
    if len(text) > 5000:
        raise ClinicError("Keep an addendum under 5,000 characters.", field="text")
    with transaction.atomic(durable=True):
        locked = lock_session(session.pk)
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
