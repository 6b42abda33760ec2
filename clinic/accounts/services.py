"""Accounts: creating people, changing their role, and their second factor. Audited in the same
transaction as the change."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Iterable
from datetime import timedelta
from typing import NoReturn

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.accounts.choices import STAFF_ROLES, Role
from clinic.accounts.locks import lock_user
from clinic.accounts.models import MonitorDevice, TwoFactorEnrolmentCode, User
from clinic.audit.choices import AuditEventType, AuditOutcome
from clinic.audit.services import record_audit_event
from clinic.audit.throttle import record_unauthenticated_refusal
from clinic.core.exceptions import ClinicError, LockedOutError
from clinic.core.models import Location
from clinic.core.permissions import ensure_role
from clinic.core.reauthentication import (
    TWO_FACTOR_ENROLMENT,
    ensure_not_locked_out,
    lockout_message,
    record_failure,
)
from clinic.core.tokens import token_sha256

TEAM_ADMIN_ROLES = frozenset({Role.MEDICAL_DIRECTOR})


def set_password_link(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return settings.CLINIC_BASE_URL + reverse(
        "accounts:password_reset_confirm", kwargs={"uidb64": uid, "token": token}
    )


def _send_invitation(user_id: int, contact_location_id: int | None = None) -> None:
    """The set-password e-mail; a portal invitation ends with the clinic's address, phone and
    hours (`contact_location_id`: the patient's location)."""
    user = User.objects.get(pk=user_id)
    clinic = settings.OTP_TOTP_ISSUER
    contact = (
        Location.objects.filter(pk=contact_location_id).first() if contact_location_id else None
    )
    send_mail(
        subject=f"Your {clinic} account",
        message=(
            f"Hello {user.full_name},\n\n"
            f"An account has been created for you at {clinic}. Choose your password here "
            f"(the link works once and expires in a few days):\n\n{set_password_link(user)}\n\n"
            "If you did not expect this e-mail, you can ignore it."
            + (f"\n\n{contact.contact_text(clinic)}" if contact is not None else "")
        ),
        from_email=None,
        recipient_list=[user.email],
    )


def send_invitation_again(user: User, *, contact_location_id: int | None = None) -> None:
    """Inside the caller's transaction: a new set-password link for an account whose password was
    never chosen (the first e-mail lost, or its link expired). A fresh unusable password makes
    the earlier link stop working (the token is derived from the password hash)."""
    user.set_unusable_password()
    user.save(update_fields=["password"])
    transaction.on_commit(lambda: _send_invitation(user.pk, contact_location_id))


def create_account_with_invitation(
    *,
    actor,
    email: str,
    full_name: str,
    role: str,
    locations: Iterable,
    credentials: str = "",
    patient_id: int | None = None,
    contact_location_id: int | None = None,
) -> User:
    """Create an account with no usable password and e-mail a set-password link after commit
    (ending with the contact details of `contact_location_id`, for a portal account). Runs
    inside the caller's transaction."""
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ClinicError("An account with this e-mail address already exists.", field="email")
    user = User(
        email=email, full_name=full_name.strip(), role=role, credentials=credentials.strip()
    )
    user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    user.locations.set(list(locations))
    record_audit_event(
        actor=actor,
        event_type=AuditEventType.USER_CREATED,
        target=user,
        patient_id=patient_id,
        details={"role": role, "email": email},
    )
    transaction.on_commit(lambda: _send_invitation(user.pk, contact_location_id))
    return user


def create_staff_account(
    *, actor, email: str, full_name: str, role: str, locations: Iterable, credentials: str = ""
) -> User:
    """Add a member of staff; they choose their own password from the e-mailed link."""
    ensure_role(
        actor, TEAM_ADMIN_ROLES, action="add staff accounts", event_type=AuditEventType.USER_CREATED
    )
    if role not in STAFF_ROLES:
        raise ClinicError(
            "Choose a staff role; patients are invited from their chart.", field="role"
        )
    locations = list(locations)
    if not locations:
        raise ClinicError(
            "Choose at least one location where this person works.", field="locations"
        )
    with transaction.atomic(durable=True):
        user = create_account_with_invitation(
            actor=actor,
            email=email,
            full_name=full_name,
            role=role,
            locations=locations,
            credentials=credentials,
        )
        if role == Role.MEDICAL_DIRECTOR:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
        return user


def update_staff_account(
    *, actor, user: User, full_name: str, role: str, locations: Iterable, credentials: str = ""
) -> User:
    """Change a staff member's name, role or locations."""
    ensure_role(
        actor,
        TEAM_ADMIN_ROLES,
        action="change staff accounts",
        event_type=AuditEventType.USER_UPDATED,
        target=user,
    )
    if role not in STAFF_ROLES or user.role not in STAFF_ROLES:
        raise ClinicError("Only staff roles can be given here.", field="role")
    if user.pk == actor.pk and role != actor.role:
        raise ClinicError(
            "You cannot change your own role; ask another medical director.", field="role"
        )
    locations = list(locations)
    if not locations:
        raise ClinicError(
            "Choose at least one location where this person works.", field="locations"
        )
    with transaction.atomic(durable=True):
        locked = lock_user(user.pk)
        before = {
            "full_name": locked.full_name,
            "role": locked.role,
            "credentials": locked.credentials,
            "locations": sorted(locked.locations.values_list("pk", flat=True)),
        }
        locked.full_name = full_name.strip()
        locked.role = role
        locked.credentials = credentials.strip()
        locked.is_staff = role == Role.MEDICAL_DIRECTOR or locked.is_superuser
        locked.full_clean(exclude=["password"])
        locked.save()
        locked.locations.set(locations)
        after = {
            "full_name": locked.full_name,
            "role": locked.role,
            "credentials": locked.credentials,
            "locations": sorted(location.pk for location in locations),
        }
        changed = sorted(key for key in before if before[key] != after[key])
        record_audit_event(
            actor=actor,
            event_type=AuditEventType.USER_UPDATED,
            target=locked,
            details={"fields": changed, "role": locked.role},
        )
        return locked


def set_account_active(*, actor, user: User, active: bool) -> User:
    """Deactivate (or reactivate) an account: a deactivated person cannot sign in; their history
    stays."""
    event = AuditEventType.USER_REACTIVATED if active else AuditEventType.USER_DEACTIVATED
    ensure_role(
        actor,
        TEAM_ADMIN_ROLES,
        action="deactivate or reactivate accounts",
        event_type=event,
        target=user,
    )
    if user.pk == actor.pk:
        raise ClinicError("You cannot deactivate your own account.")
    with transaction.atomic(durable=True):
        locked = lock_user(user.pk)
        if locked.is_active == active:
            return locked
        locked.is_active = active
        locked.save(update_fields=["is_active"])
        record_audit_event(actor=actor, event_type=event, target=locked)
        return locked


def reset_two_factor(*, actor, user: User) -> None:
    """Remove a person's authenticator devices (lost phone). Setting up a new one needs a new
    enrolment code: any code still outstanding is withdrawn too."""
    ensure_role(
        actor,
        TEAM_ADMIN_ROLES,
        action="reset two-factor devices",
        event_type=AuditEventType.TWO_FACTOR_RESET,
        target=user,
    )
    with transaction.atomic(durable=True):
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        TwoFactorEnrolmentCode.objects.filter(user=user).delete()
        record_audit_event(actor=actor, event_type=AuditEventType.TWO_FACTOR_RESET, target=user)


def _ensure_not_throttled(device) -> None:
    """django-otp doubles the wait after each wrong code (1 s, 2 s, 4 s …) against guessing."""
    allowed, info = device.verify_is_allowed()
    if not allowed:
        locked_until = (info or {}).get("locked_until")
        wait = (
            max(1, int((locked_until - timezone.now()).total_seconds()) + 1) if locked_until else 1
        )
        raise ClinicError(
            f"Too many wrong codes in a row. Wait {wait} seconds, then try the newest code.",
            field="token",
        )


# --- Two-factor enrolment codes ------------------------------------------------------------
# Clinic policy: an enrolment code is handed over in person and used within three days.
ENROLMENT_CODE_VALID_HOURS = 72
# Letters and digits that cannot be misread for one another (no 0/O, 1/I/L).
ENROLMENT_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
ENROLMENT_CODE_LENGTH = 12  # about 59 bits; with the sign-in lock-out, far beyond guessing
# The session that entered a valid code is the one that may confirm the authenticator it shows.
ENROLMENT_DEVICE_SESSION_KEY = "clinic_two_factor_enrolment_device"


def normalise_enrolment_code(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def _format_enrolment_code(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def _issue_enrolment_code(*, user: User, issued_by: User | None, actor, actor_label=None) -> str:
    if user.role not in STAFF_ROLES:
        raise ClinicError("Enrolment codes are for staff accounts.")
    if not user.is_active:
        raise ClinicError("This account is deactivated; reactivate it first.")
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise ClinicError(
            f"{user.full_name} already has an authenticator. Reset two-factor first if it is lost."
        )
    code = "".join(secrets.choice(ENROLMENT_CODE_ALPHABET) for _ in range(ENROLMENT_CODE_LENGTH))
    now = timezone.now()
    expires_at = now + timedelta(hours=ENROLMENT_CODE_VALID_HOURS)
    with transaction.atomic(durable=True):
        # One code per person: issuing a new one replaces (and so withdraws) the old.
        TwoFactorEnrolmentCode.objects.update_or_create(
            user=user,
            defaults={
                "code_sha256": token_sha256(code),
                "issued_by": issued_by,
                "issued_at": now,
                "expires_at": expires_at,
                "used_at": None,
            },
        )
        record_audit_event(
            actor=actor,
            actor_label=actor_label,
            event_type=AuditEventType.TWO_FACTOR_CODE_ISSUED,
            target=user,
            details={"expires_at": expires_at.isoformat()},
        )
    return _format_enrolment_code(code)


def issue_two_factor_enrolment_code(*, actor, user: User) -> str:
    """A new one-time enrolment code for a member of staff without an authenticator. Returns the
    code, to be shown once; only its hash is stored."""
    ensure_role(
        actor,
        TEAM_ADMIN_ROLES,
        action="issue two-factor enrolment codes",
        event_type=AuditEventType.TWO_FACTOR_CODE_ISSUED,
        target=user,
    )
    return _issue_enrolment_code(user=user, issued_by=actor, actor=actor)


def issue_two_factor_enrolment_code_on_server(*, user: User) -> str:
    """The same, from the server's command line: the first medical director has nobody to issue
    them a code, and whoever runs manage.py already holds the database."""
    return _issue_enrolment_code(user=user, issued_by=None, actor=None, actor_label="manage.py")


def _refuse_enrolment_code(user: User, *, reason: str, message: str) -> NoReturn:
    record_audit_event(
        actor=user,
        event_type=AuditEventType.TWO_FACTOR_CODE_FAILED,
        outcome=AuditOutcome.FAILED,
        target=user,
        details={"reason": reason},
    )
    if record_failure(user, purpose=TWO_FACTOR_ENROLMENT):
        raise LockedOutError(lockout_message(), field="code")
    raise ClinicError(message, field="code")


def redeem_two_factor_enrolment_code(*, request, user: User, code: str) -> TOTPDevice:
    """Check the enrolment code and, when it is right, use it up and start setting up an
    authenticator for this session. A wrong, used or expired code counts against the sign-in
    lock-out, like a wrong password."""
    try:
        ensure_not_locked_out(user, field="code")
    except LockedOutError:
        record_audit_event(
            actor=user,
            event_type=AuditEventType.TWO_FACTOR_CODE_FAILED,
            outcome=AuditOutcome.FAILED,
            target=user,
            details={"reason": "locked out"},
        )
        raise
    issued = TwoFactorEnrolmentCode.objects.filter(user=user).first()
    typed = normalise_enrolment_code(code)
    if issued is None or not hmac.compare_digest(issued.code_sha256, token_sha256(typed)):
        _refuse_enrolment_code(
            user,
            reason="no code issued" if issued is None else "wrong code",
            message=(
                "That enrolment code is not right. Check it with the medical director, who can "
                "issue a new one."
            ),
        )
    now = timezone.now()
    if issued.used_at is not None:
        _refuse_enrolment_code(
            user,
            reason="already used",
            message="That enrolment code was already used. Ask the medical director for a new one.",
        )
    if now >= issued.expires_at:
        _refuse_enrolment_code(
            user,
            reason="expired",
            message="That enrolment code has expired. Ask the medical director for a new one.",
        )
    with transaction.atomic(durable=True):
        # Used once: a second request with the same code finds it used.
        used = TwoFactorEnrolmentCode.objects.filter(pk=issued.pk, used_at__isnull=True).update(
            used_at=now
        )
        if not used:
            raise ClinicError("That enrolment code was already used.", field="code")
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
        record_audit_event(actor=user, event_type=AuditEventType.TWO_FACTOR_CODE_USED, target=user)
    request.session[ENROLMENT_DEVICE_SESSION_KEY] = device.pk
    return device


def pending_two_factor_enrolment(*, request, user: User) -> TOTPDevice | None:
    """The authenticator this session is setting up (after a valid enrolment code), if any."""
    device_id = request.session.get(ENROLMENT_DEVICE_SESSION_KEY)
    if device_id is None:
        return None
    return TOTPDevice.objects.filter(pk=device_id, user=user, confirmed=False).first()


def confirm_two_factor_enrolment(*, request, user: User, token: str) -> TOTPDevice:
    """Confirm the authenticator with a first code (RFC 6238 TOTP) and mark the session verified."""
    device = pending_two_factor_enrolment(request=request, user=user)
    if device is None:
        raise ClinicError(
            "Start the set-up again: enter your enrolment code from the medical director."
        )
    _ensure_not_throttled(device)
    if not device.verify_token(token):
        record_audit_event(
            actor=user,
            event_type=AuditEventType.TWO_FACTOR_FAILED,
            outcome=AuditOutcome.FAILED,
            details={"stage": "enrolment"},
        )
        raise ClinicError(
            "That code is not right. Check the time on your phone and try the newest code.",
            field="token",
        )
    with transaction.atomic(durable=True):
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user, confirmed=False).exclude(pk=device.pk).delete()
        record_audit_event(actor=user, event_type=AuditEventType.TWO_FACTOR_ENROLLED, target=user)
    request.session.pop(ENROLMENT_DEVICE_SESSION_KEY, None)
    otp_login(request, device)
    return device


def verify_two_factor(*, request, user: User, token: str) -> TOTPDevice:
    """Check a sign-in code against the person's confirmed authenticator."""
    for device in TOTPDevice.objects.filter(user=user, confirmed=True):
        _ensure_not_throttled(device)
        if device.verify_token(token):
            otp_login(request, device)
            record_audit_event(
                actor=user, event_type=AuditEventType.TWO_FACTOR_VERIFIED, target=user
            )
            return device
    record_audit_event(
        actor=user,
        event_type=AuditEventType.TWO_FACTOR_FAILED,
        outcome=AuditOutcome.FAILED,
        details={"stage": "sign-in"},
    )
    raise ClinicError(
        "That code is not right. Try the newest code from your authenticator app.", field="token"
    )


def record_password_set(*, user: User) -> None:
    record_audit_event(actor=user, event_type=AuditEventType.PASSWORD_SET, target=user)


# --- Vital-sign monitors -------------------------------------------------------------------
def issue_device_token(*, actor, name: str, location, device=None):
    """Register a monitor (or give an existing one a new token, which revokes the old). Returns
    the device and its token; only the token's hash is stored, so it is shown once."""

    ensure_role(
        actor,
        {Role.MEDICAL_DIRECTOR},
        action="issue monitor tokens",
        event_type=AuditEventType.DEVICE_CHANGED,
    )
    name = (name or "").strip()[:80]
    if not name:
        raise ClinicError("Name the monitor (e.g. “Chair 2 monitor”).", field="name")
    token = "kcm_" + secrets.token_urlsafe(32)
    # Not durable: the admin calls this inside its own transaction.
    with transaction.atomic():
        if device is None:
            device = MonitorDevice(name=name, location=location)
        device.name, device.location, device.is_active = name, location, True
        device.token_sha256 = token_sha256(token)
        device.full_clean()
        device.save()
        record_audit_event(
            actor=actor,
            event_type=AuditEventType.DEVICE_CHANGED,
            target=device,
            location_id=device.location_id,
            details={"name": name, "action": "token issued"},
        )
    return device, token


def revoke_device(*, actor, device) -> None:
    ensure_role(
        actor,
        {Role.MEDICAL_DIRECTOR},
        action="revoke monitors",
        event_type=AuditEventType.DEVICE_CHANGED,
    )
    with transaction.atomic():
        type(device).objects.filter(pk=device.pk).update(is_active=False)
        record_audit_event(
            actor=actor,
            event_type=AuditEventType.DEVICE_CHANGED,
            target=device,
            location_id=device.location_id,
            details={"name": device.name, "action": "revoked"},
        )


def authenticate_device(token: str):
    """The active monitor holding this token, or None (refusals are audited)."""

    if not token or len(token) > 200:
        device = None
    else:
        device = MonitorDevice.objects.filter(
            token_sha256=token_sha256(token), is_active=True
        ).first()
    if device is None:
        # Anyone can send a token: at most one row per address a minute, the rest counted.
        record_unauthenticated_refusal(
            actor_label="device:unknown",
            event_type=AuditEventType.DEVICE_AUTH_FAILED,
            details={"token": "unknown" if token else "missing"},
        )
    return device
