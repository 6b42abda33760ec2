"""Session idle timeout and the staff second-factor requirement."""

from __future__ import annotations

import time
import zoneinfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from clinic.accounts.locations import user_location_rows
from clinic.audit.choices import AuditEventType
from clinic.audit.services import record_audit_event

LAST_ACTIVITY_KEY = "clinic_last_activity"
# Refresh the activity stamp at most this often, so most requests write no session row.
ACTIVITY_WRITE_INTERVAL_SECONDS = 60


class SessionTimeoutMiddleware:
    """Sign a person out after CLINIC_SESSION_IDLE_MINUTES without a request (HIPAA
    §164.312(a)(2)(iii) automatic logoff)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = time.time()
            last = request.session.get(LAST_ACTIVITY_KEY)
            idle_limit = settings.CLINIC_SESSION_IDLE_MINUTES * 60
            if last is not None and now - last > idle_limit:
                user = request.user
                record_audit_event(
                    actor=user, event_type=AuditEventType.SESSION_EXPIRED, target=user
                )
                logout(request)
                messages.info(request, "You were signed out after a period of inactivity.")
                return redirect(f"{reverse(settings.LOGIN_URL)}?next={request.path}")
            if last is None or now - last > ACTIVITY_WRITE_INTERVAL_SECONDS:
                request.session[LAST_ACTIVITY_KEY] = now
        return self.get_response(request)


TWO_FACTOR_EXEMPT_PREFIXES = ("/accounts/two-factor/", "/accounts/logout/", "/static/")


class RequireTwoFactorMiddleware:
    """With CLINIC_REQUIRE_2FA on, staff reach no page until their TOTP code is verified."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            settings.CLINIC_REQUIRE_2FA
            and user.is_authenticated
            and user.is_clinic_staff
            and not user.is_verified()
            and not request.path.startswith(TWO_FACTOR_EXEMPT_PREFIXES)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": "Two-factor verification required."}, status=401)
            return redirect("accounts:two_factor")
        return self.get_response(request)


class LocationTimeZoneMiddleware:
    """Show times in the zone of the viewer's location (stored times are always UTC)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        timezone.activate(zoneinfo.ZoneInfo(viewer_time_zone(request.user)))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


def viewer_time_zone(user) -> str:
    """The zone of the viewer's first location (a patient's: their home location)."""
    if getattr(user, "is_authenticated", False):
        rows = user_location_rows(user)
        if rows:
            return rows[0][1]
    return settings.CLINIC_DEFAULT_TIME_ZONE
