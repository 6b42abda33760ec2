"""The Django admin, for configuration by the medical director only."""

from django.contrib import admin

from clinic.audit.choices import AuditEventType, AuditOutcome
from clinic.audit.context import refusal_audited
from clinic.audit.services import record_audit_event
from clinic.core.roles import Role


class ClinicAdminSite(admin.AdminSite):
    site_header = "Ketamine Clinic configuration"
    site_title = "Clinic configuration"
    index_title = "Configuration"

    def has_permission(self, request) -> bool:
        user = request.user
        if not (user.is_active and user.is_authenticated):
            return False
        allowed = user.is_superuser or (user.is_staff and user.role == Role.MEDICAL_DIRECTOR)
        if not allowed:
            _audit_refusal(request)
        return allowed


def _audit_refusal(request) -> None:
    """A signed-in person the admin turns away (it sends them to its sign-in page rather than
    answering 403) is audited like any other refusal, once per request; its own sign-in and
    sign-out pages, where the admin asks the same question, are not refusals."""

    match = getattr(request, "resolver_match", None)
    if refusal_audited() or (match is not None and match.url_name in {"login", "logout"}):
        return
    record_audit_event(
        actor=request.user,
        event_type=AuditEventType.PAGE_ACCESS_DENIED,
        outcome=AuditOutcome.DENIED,
        details={
            "path": request.path[:200],
            "method": request.method,
            "reason": "the configuration admin is for the medical director",
        },
    )


clinic_admin_site = ClinicAdminSite(name="admin")
