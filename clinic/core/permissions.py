"""Role gates shared by every app's views and services."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from clinic.audit.choices import AuditEventType, AuditOutcome
from clinic.audit.services import record_audit_event
from clinic.core.exceptions import PermissionDeniedError


def has_role(user, roles: Iterable[str]) -> bool:
    return bool(
        user is not None and user.is_authenticated and user.is_active and user.role in roles
    )


def ensure_role(
    user,
    roles: Iterable[str],
    *,
    action: str,
    event_type: AuditEventType,
    target=None,
    patient_id=None,
) -> None:
    """Raise PermissionDeniedError unless `user` holds one of `roles`; the refusal is audited in its
    own transaction so that it survives the rollback of the refused action."""
    if has_role(user, roles):
        return
    refuse(user, action=action, event_type=event_type, target=target, patient_id=patient_id)


def refuse(user, *, action: str, event_type: AuditEventType, target=None, patient_id=None) -> None:
    """Audit a refused attempt (committed on its own, so it survives the refused action's
    rollback) and raise PermissionDeniedError with a message naming the action."""

    record_audit_event(
        actor=user,
        event_type=event_type,
        target=target,
        patient_id=patient_id,
        outcome=AuditOutcome.DENIED,
        details={"action": action},
    )
    raise PermissionDeniedError(f"Your role does not allow you to {action}.")


def role_required(*roles: str) -> Callable:
    """View decorator: anonymous visitors go to the sign-in page; signed-in people without the role
    get a 403 page."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if user.role not in roles:
                record_audit_event(
                    actor=user,
                    event_type=AuditEventType.PAGE_ACCESS_DENIED,
                    outcome=AuditOutcome.DENIED,
                    details={"path": request.path[:200], "method": request.method},
                )
                raise PermissionDenied("Your role does not give access to this page.")
            return view(request, *args, **kwargs)

        wrapper.allowed_roles = frozenset(roles)  # type: ignore[attr-defined]
        return wrapper

    return decorator
