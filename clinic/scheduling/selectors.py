"""Reads of appointments and calendars, scoped to the viewer's locations."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from clinic.accounts.choices import Role
from clinic.patients.permissions import staff_location_ids
from clinic.patients.selectors import visible_patients
from clinic.scheduling.choices import AppointmentStatus
from clinic.scheduling.models import Appointment, FollowUp, Room


def visible_appointments(viewer):
    appointments = Appointment.objects.select_related(
        "patient", "room", "staff", "appointment_type", "location"
    )
    if viewer.role == Role.MEDICAL_DIRECTOR:
        return appointments
    if viewer.role == Role.PATIENT:
        return appointments.filter(patient__user=viewer)
    if viewer.role == Role.GUARDIAN:
        return appointments.filter(patient__in=visible_patients(viewer))
    return appointments.filter(location_id__in=staff_location_ids(viewer))


def upcoming_for_patient(patient, limit: int = 50) -> list[Appointment]:
    return list(
        Appointment.objects.filter(
            patient=patient, starts_at__gte=timezone.now() - timedelta(hours=12)
        )
        .exclude(status=AppointmentStatus.CANCELLED)
        .select_related("appointment_type", "room", "staff", "location")
        .order_by("starts_at")[:limit]
    )


def day_bounds(day: date, zone) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(day, time.min), zone)
    end = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min), zone)
    return start, end


def calendar(
    viewer, *, location, start_day: date, days: int, room: Room | None = None, staff=None
) -> dict:
    """Appointments of a day or week at a location, optionally for one room or one member of
    staff, grouped by local day (one query for the appointments, one for the rooms)."""
    zone = location.zone
    start, _ = day_bounds(start_day, zone)
    _, end = day_bounds(start_day + timedelta(days=days - 1), zone)
    appointments = visible_appointments(viewer).filter(
        location=location, starts_at__lt=end, ends_at__gt=start
    )
    if room is not None:
        appointments = appointments.filter(room=room)
    if staff is not None:
        appointments = appointments.filter(staff=staff)
    by_day: dict[date, list[Appointment]] = {start_day + timedelta(days=n): [] for n in range(days)}
    for appointment in appointments.order_by("starts_at"):
        local_day = timezone.localtime(appointment.starts_at, zone).date()
        by_day.setdefault(local_day, []).append(appointment)
    return {
        "days": sorted(by_day.items()),
        "rooms": list(Room.objects.filter(location=location, is_active=True)),
    }


def visible_follow_ups(viewer):

    follow_ups = FollowUp.objects.all()
    if viewer.role == Role.MEDICAL_DIRECTOR:
        return follow_ups
    return follow_ups.filter(location_id__in=staff_location_ids(viewer))
