"""Proving who you are again inside a signed-in session (a signature's password, a two-factor
enrolment code) counts against the sign-in lock-out.

Wrong signing passwords and wrong enrolment codes go to the same django-axes counter as wrong
sign-in passwords (one per account and client address, AXES_FAILURE_LIMIT failures within
AXES_COOLOFF_TIME): guessing a password on a signing form is no cheaper than on the sign-in form,
and once the account is locked it can neither sign in nor sign, even with the right password.

Why the request axes sees is built here rather than passed down from the view: services take no
request (the audit context, set for every request by AuditContextMiddleware, already carries who
is asking and from where, so every signing service and its callers stay as they are), and axes
copies the request's GET and POST into its AccessAttempt rows; a signing form's POST holds
clinical text (an evaluation, a session note), which has no place in the lock-out table. So axes
gets a request that carries only what the lock-out is keyed on: the client address the audit
context resolved (clinic.audit.context.client_ip, the same one the sign-in form counts under) and
the user agent.
"""

from __future__ import annotations

import math

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest

from clinic.audit.context import get_request_context
from clinic.core.exceptions import LockedOutError

SIGNATURE = "signature"
TWO_FACTOR_ENROLMENT = "two-factor enrolment"
# A second person on a tablet someone else is signed in to (a dose's double check, a co-signature).
SECOND_PERSON = "second person"


def _axes_request(purpose: str) -> HttpRequest:
    context = get_request_context()
    request = HttpRequest()
    request.method = "POST"
    request.path = request.path_info = "/reauthentication/"
    request.META = {
        "REMOTE_ADDR": context.ip_address or "",
        "HTTP_USER_AGENT": context.user_agent,
        "PATH_INFO": request.path_info,
    }
    # The sign-in audit receivers read this: a re-authentication is not a sign-in.
    request.clinic_reauthentication = purpose  # type: ignore[attr-defined]
    return request


def _credentials(user) -> dict[str, str]:
    # The sign-in form's field name and value (the e-mail address, lower case), so that the
    # counter is the one the sign-in form uses.
    return {settings.AXES_USERNAME_FORM_FIELD: user.get_username()}


def lockout_message() -> str:
    cool_off = get_cool_off()
    minutes = math.ceil(cool_off.total_seconds() / 60) if cool_off else None
    when = (
        f"It unlocks by itself {minutes} minutes after the last attempt"
        if minutes
        else "It stays locked"
    )
    return (
        "This account is locked after too many wrong passwords or codes: it cannot sign records "
        f"or sign in from this connection for now. {when}; the medical director can unlock it "
        "sooner."
    )


def is_locked_out(user) -> bool:
    return not AxesProxyHandler.is_allowed(_axes_request("check"), _credentials(user))


def ensure_not_locked_out(user, *, field: str | None = None) -> None:
    if is_locked_out(user):
        raise LockedOutError(lockout_message(), field=field)


def record_failure(user, *, purpose: str) -> bool:
    """Count one wrong password or code, exactly as a failed sign-in is counted (Django's
    user_login_failed signal, which django-axes handles). True when the account is now locked."""
    request = _axes_request(purpose)
    user_login_failed.send(sender=__name__, credentials=_credentials(user), request=request)
    return bool(getattr(request, "axes_locked_out", False))


def password_confirmed(user, password: str, *, purpose: str = SIGNATURE) -> bool:
    """Check the person's own password through Django's authenticate(), as the sign-in form does:
    django-axes refuses a locked account before the password is looked at and counts a wrong one.
    Raises LockedOutError when the account is (or has just become) locked."""
    request = _axes_request(purpose)
    authenticated = (
        authenticate(request, **_credentials(user), password=password) if password else None
    )
    if authenticated is not None and authenticated.pk == user.pk:
        return True
    if not password:
        # An empty form never reaches authenticate(); count it like any other wrong password.
        user_login_failed.send(sender=__name__, credentials=_credentials(user), request=request)
    if getattr(request, "axes_locked_out", False):
        raise LockedOutError(lockout_message(), field="password")
    return False


def second_person(email: str, password: str, *, purpose: str = SECOND_PERSON):
    """The member of staff who steps up to a tablet someone else is signed in to, for one action
    (a blind double check, a co-signature): their e-mail and password go through authenticate()
    exactly as on the sign-in form, so django-axes refuses a locked account and counts a wrong
    password against that e-mail's lock-out. Nobody is signed in or out. Returns the person, or
    None for a wrong e-mail or password; raises LockedOutError when that account is locked."""
    request = _axes_request(purpose)
    credentials = {settings.AXES_USERNAME_FORM_FIELD: (email or "").strip().lower()}
    person = authenticate(request, **credentials, password=password) if password else None
    if person is None and not password:
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
    if getattr(request, "axes_locked_out", False):
        raise LockedOutError(lockout_message(), field="password")
    return person
