from __future__ import annotations

from datetime import datetime, time

from django.utils import timezone

from clinic.scheduling.models import AppointmentType, Room, StaffHours


def make_chair(location, name="Chair 1") -> Room:
    return Room.objects.create(location=location, name=name, kind="chair")


def working_week(user, location, starts=time(8), ends=time(18)) -> None:
    """Monday to Friday, `starts`–`ends`, in place of any hours the person had there."""
    StaffHours.objects.filter(user=user, location=location).delete()
    for weekday in range(5):
        StaffHours.objects.create(
            user=user, location=location, weekday=weekday, starts=starts, ends=ends
        )


def infusion() -> AppointmentType:
    return AppointmentType.objects.get(code="iv-infusion")


def at(location, year, month, day, hour, minute=0) -> datetime:
    return timezone.make_aware(datetime(year, month, day, hour, minute), location.zone)
