"""Finding what a booking would collide with: the patient, the room or chair, the member of staff
(a nurse up to the clinic's chair-side capacity) and their working hours. Conflicts are explained,
never resolved silently."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from clinic.core.dates import show_time, show_weekday_date
from clinic.scheduling.choices import HOLDING_STATUSES, StaffRole
from clinic.scheduling.models import Appointment, SchedulingPolicy, StaffHours


@dataclass(frozen=True)
class Conflict:
    kind: str  # "patient", "room", "staff", "hours"
    message: str
    appointment_id: int | None = None


def overlapping(starts_at: datetime, ends_at: datetime):
    return Appointment.objects.filter(
        status__in=HOLDING_STATUSES, starts_at__lt=ends_at, ends_at__gt=starts_at
    )


def nurse_capacity() -> int:
    policy = SchedulingPolicy.objects.filter(singleton=True).first()
    return policy.nurse_chair_capacity if policy else 2


@dataclass(frozen=True)
class StaffLimits:
    """What bounds a member of staff's bookings: how many patients at once, and their hours."""

    capacity: int
    hours: list[StaffHours]


def staff_limits(staff, staff_role: str, location) -> StaffLimits | None:
    """Read once per search: a search for free times checks dozens of candidate starts."""
    if staff is None:
        return None
    return limits_of(staff, staff_role, location)


def limits_of(staff, staff_role: str, location) -> StaffLimits:
    """`staff`'s chair-side capacity and working hours at `location`."""
    return StaffLimits(
        capacity=nurse_capacity() if staff_role == StaffRole.NURSE else 1,
        hours=list(StaffHours.objects.filter(user=staff, location=location))
        if location is not None
        else [],
    )


def find_conflicts(
    *,
    patient,
    starts_at: datetime,
    ends_at: datetime,
    room=None,
    staff=None,
    staff_role: str = "",
    location=None,
    ignore_id: int | None = None,
    limits: StaffLimits | None = None,
) -> list[Conflict]:
    zone = location.zone if location is not None else timezone.get_current_timezone()
    involved = Q(patient=patient)
    if room is not None:
        involved |= Q(room=room)
    if staff is not None:
        involved |= Q(staff=staff)
    others = list(
        overlapping(starts_at, ends_at)
        .exclude(pk=ignore_id)
        .filter(involved)
        .select_related("room", "staff", "appointment_type")
    )
    conflicts: list[Conflict] = []

    def when(appointment) -> str:
        start = timezone.localtime(appointment.starts_at, zone)
        end = timezone.localtime(appointment.ends_at, zone)
        return f"{show_weekday_date(start)}, {show_time(start)}–{show_time(end)}"

    for other in others:
        if other.patient_id == patient.pk:
            conflicts.append(
                Conflict(
                    "patient",
                    f"The patient already has {other.appointment_type} {when(other)}.",
                    other.pk,
                )
            )
        if room is not None and other.room_id == room.pk:
            conflicts.append(
                Conflict(
                    "room",
                    f"{room.name} is booked {when(other)} ({other.appointment_type}).",
                    other.pk,
                )
            )
    if staff is not None:
        limits = limits or limits_of(staff, staff_role, location)
        theirs = [o for o in others if o.staff_id == staff.pk]
        capacity = limits.capacity
        if len(theirs) >= capacity:
            first = theirs[0]
            limit = (
                f"already watching {len(theirs)} patient(s), the chair-side limit of {capacity}"
                if capacity > 1
                else "already booked"
            )
            conflicts.append(
                Conflict("staff", f"{staff.full_name} is {limit} {when(first)}.", first.pk)
            )
        hours = limits.hours
        if hours:
            local_start = timezone.localtime(starts_at, zone)
            local_end = timezone.localtime(ends_at, zone)
            fits = any(
                h.weekday == local_start.weekday()
                and h.starts <= local_start.time()
                and local_end.time() <= h.ends
                and local_end.date() == local_start.date()
                for h in hours
            )
            if not fits:
                conflicts.append(
                    Conflict(
                        "hours",
                        f"{show_weekday_date(local_start)}, {show_time(local_start)}–{show_time(local_end)} is outside {staff.full_name}'s working hours.",
                    )
                )
    return conflicts


def nearest_free_starts(
    *,
    patient,
    starts_at: datetime,
    duration: timedelta,
    room=None,
    staff=None,
    staff_role: str = "",
    location=None,
    ignore_id=None,
    wanted: int = 3,
) -> list[datetime]:
    """The nearest free start times: the same day in 30-minute steps (earlier or later, within
    8:00–18:00 local), then the same time on the following days."""
    zone = location.zone if location is not None else timezone.get_current_timezone()
    local = timezone.localtime(starts_at, zone)
    candidates = []
    for step in range(1, 17):
        for sign in (1, -1):
            candidate = local + sign * timedelta(minutes=30 * step)
            end = candidate + duration
            within_day = (
                candidate.date() == local.date() == end.date()
                and candidate.hour >= 8
                and (end.hour, end.minute) <= (18, 0)
            )
            if within_day:
                candidates.append(candidate)
    for day in range(1, 8):
        # The same wall-clock time on a later day (across a DST change too).
        candidate = timezone.make_aware((local + timedelta(days=day)).replace(tzinfo=None), zone)
        if candidate.weekday() < 5:
            candidates.append(candidate)
    limits = staff_limits(staff, staff_role, location)
    found = []
    for candidate in candidates:
        if candidate <= timezone.now():
            continue
        if not find_conflicts(
            patient=patient,
            starts_at=candidate,
            ends_at=candidate + duration,
            room=room,
            staff=staff,
            staff_role=staff_role,
            location=location,
            ignore_id=ignore_id,
            limits=limits,
        ):
            found.append(candidate)
        if len(found) >= wanted:
            break
    return found
