from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.utils import timezone


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
        from clinic.accounts.locations import user_location_rows

        rows = user_location_rows(user)
        if rows:
            return rows[0][1]
    return settings.CLINIC_DEFAULT_TIME_ZONE
