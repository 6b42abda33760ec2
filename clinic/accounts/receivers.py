"""Sign-in events into the audit log (Django's auth signals also fire for the admin's login form)."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from clinic.audit.choices import AuditEventType, AuditOutcome
from clinic.audit.services import record_audit_event


@receiver(user_logged_in)
def audit_login(sender, request, user, **kwargs):
    record_audit_event(actor=user, event_type=AuditEventType.LOGIN_SUCCEEDED, target=user)


@receiver(user_logged_out)
def audit_logout(sender, request, user, **kwargs):
    if user is not None:
        record_audit_event(actor=user, event_type=AuditEventType.LOGOUT, target=user)


@receiver(user_login_failed)
def audit_failed_login(sender, credentials, request=None, **kwargs):
    if getattr(request, "clinic_reauthentication", None):
        # A wrong signing password or enrolment code inside a signed-in session: the service
        # audits it with its own event, target and patient (it still counts towards the lock-out).
        return
    # Only the e-mail typed is kept, never the password.
    record_audit_event(
        actor=None,
        actor_label=str(credentials.get("username", ""))[:254] or "anonymous",
        event_type=AuditEventType.LOGIN_FAILED,
        outcome=AuditOutcome.FAILED,
    )


@receiver(user_locked_out)
def audit_lockout(sender, request=None, username=None, ip_address=None, **kwargs):
    record_audit_event(
        actor=None,
        actor_label=(username or "anonymous")[:254],
        event_type=AuditEventType.LOGIN_LOCKED_OUT,
        outcome=AuditOutcome.DENIED,
        details={"during": getattr(request, "clinic_reauthentication", None) or "sign-in"},
    )
