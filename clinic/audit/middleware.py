from django.core.exceptions import PermissionDenied
from django.http import Http404

from clinic.audit.choices import AuditEventType, AuditOutcome
from clinic.audit.context import (
    context_from_request,
    refusal_audited,
    reset_request_context,
    set_request_context,
    start_refusal_tracking,
    stop_refusal_tracking,
)
from clinic.audit.services import record_audit_event

REFUSAL_STATUSES = {403: "forbidden", 404: "not found"}


class AuditContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = set_request_context(context_from_request(request))
        try:
            return self.get_response(request)
        finally:
            reset_request_context(token)


class AuditRefusalMiddleware:
    """Every refusal of a signed-in person is audited (HIPAA §164.312(b) audit controls;
    §164.308(a)(1)(ii)(D) information system activity review): a 403, or a 404 on an address
    that exists (a record they may not see, or that is not there). Refusals are audited here, at
    the root, rather than in each view, so that a new view cannot forget to. Where a service, a
    selector or the role gate already audited the refusal with its own event and target, nothing
    more is written (the audit context notes every refusal row written during the request).

    A 404 on an address that matches no URL is not audited: it refuses nothing (no record, no
    page) and browsers ask for such addresses on their own (a favicon, say)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = start_refusal_tracking()
        try:
            response = self.get_response(request)
            if response.status_code in REFUSAL_STATUSES and self._unaudited_refusal(request):
                record_refusal(request, status=response.status_code)
            return response
        finally:
            stop_refusal_tracking(token)

    def process_exception(self, request, exception):
        # Only remember why; Django's own handlers still answer with the 403 or 404 page.
        if isinstance(exception, (PermissionDenied, Http404)):
            note_refusal_reason(request, str(exception))
        return None

    @staticmethod
    def _unaudited_refusal(request) -> bool:
        user = getattr(request, "user", None)
        return (
            user is not None
            and user.is_authenticated
            and getattr(request, "resolver_match", None) is not None
            and not refusal_audited()
        )


def note_refusal_reason(request, reason: str) -> None:
    """The reason the refusal middleware records (the API's exception handlers call it too)."""
    if reason and not getattr(request, "audit_refusal_reason", ""):
        request.audit_refusal_reason = reason[:200]


def record_refusal(request, *, status: int) -> None:

    match = request.resolver_match
    record_audit_event(
        actor=request.user,
        event_type=AuditEventType.PAGE_ACCESS_DENIED,
        outcome=AuditOutcome.DENIED,
        details={
            "path": request.path[:200],
            "method": request.method,
            "status": status,
            "view": (match.view_name or "")[:100],
            "reason": getattr(request, "audit_refusal_reason", "") or REFUSAL_STATUSES[status],
        },
    )
