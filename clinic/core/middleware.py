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
    if getattr(user, "is_authenticated", False):
        zone = getattr(user, "_clinic_time_zone", None)
        if zone is None:
            zone = _time_zone_of(user)
            user._clinic_time_zone = zone
        return zone
    return settings.CLINIC_DEFAULT_TIME_ZONE


def _time_zone_of(user) -> str:
    from clinic.core.models import Location

    if user.is_patient:
        location = Location.objects.filter(patients__user=user).only("time_zone").first()
    else:
        location = user.locations.order_by("pk").only("time_zone").first()
    return location.time_zone if location else settings.CLINIC_DEFAULT_TIME_ZONE
