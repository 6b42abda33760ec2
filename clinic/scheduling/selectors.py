"""Reads of appointments and calendars, scoped to the viewer's locations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.db.models import Max, Min
from django.utils import timezone

from clinic.accounts.choices import Role
from clinic.core.exceptions import NotFoundError
from clinic.core.pagination import Window, window
from clinic.patients.models import Patient
from clinic.patients.permissions import staff_location_ids
from clinic.patients.selectors import portal_guardians, search_patients, visible_patients
from clinic.scheduling.choices import (
    HOLDING_STATUSES,
    AppointmentStatus,
    WaitlistOfferStatus,
    WaitlistStatus,
)
from clinic.scheduling.conflicts import nearest_free_starts
from clinic.scheduling.models import (
    Appointment,
    FollowUp,
    Room,
    StaffHours,
    WaitlistEntry,
    WaitlistOffer,
)


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


# The day grid's rows: every half hour, the step the nearest-free-time search takes too, so each
# suggested time is a row of the grid.
GRID_SLOT_MINUTES = 30
# The hours the grid shows when no one's working hours are on record for that weekday.
DEFAULT_GRID_HOURS = (time(7), time(19))


@dataclass(frozen=True)
class GridCell:
    """One room's cell in one row: the appointments that start in it (cancelled ones muted), how
    many rows it spans, and whether it is free to book (no booked appointment holds it)."""

    room: Room | None
    starts_at: datetime
    rows: int
    appointments: list[Appointment]
    free: bool

    def booking_query(self, zone) -> str:
        """The "book for which patient?" step's query for this cell: room, local day and time."""
        local = timezone.localtime(self.starts_at, zone)
        return urlencode(
            {
                "room": str(self.room.public_id) if self.room else "",
                "day": local.date().isoformat(),
                "at": local.strftime("%H:%M"),
            }
        )


@dataclass(frozen=True)
class GridRow:
    starts_at: datetime
    # Each cell with the booking step's query when it is free ("" when it is not).
    cells: list[tuple[GridCell, str]]


def grid_hours(location, day: date) -> tuple[time, time]:
    """The day's opening span: from the earliest start to the latest end of the staff hours on
    record at the location that weekday (07:00–19:00 when there are none)."""
    spans = StaffHours.objects.filter(location=location, weekday=day.weekday()).aggregate(
        first=Min("starts"), last=Max("ends")
    )
    if spans["first"] is None or spans["last"] is None:
        return DEFAULT_GRID_HOURS
    return spans["first"], spans["last"]


def _slot_starts(location, day: date, opens: time, closes: time) -> list[datetime]:
    zone = location.zone
    start = timezone.make_aware(datetime.combine(day, opens), zone)
    end = timezone.make_aware(datetime.combine(day, closes), zone)
    step = timedelta(minutes=GRID_SLOT_MINUTES)
    # Rows on the half hour, the first at or before the opening time.
    start -= timedelta(minutes=start.minute % GRID_SLOT_MINUTES, seconds=start.second)
    slots = []
    while start < end:
        slots.append(start)
        start += step
    return slots


def _column(
    room: Room | None, slots: list[datetime], appointments: list[Appointment], bookable: bool
) -> list[GridCell | None]:
    """One room's cells, top to bottom; None where a cell above spans the row."""
    step = timedelta(minutes=GRID_SLOT_MINUTES)
    holding = sorted(
        (a for a in appointments if a.status in HOLDING_STATUSES), key=lambda a: a.starts_at
    )
    cells: list[GridCell | None] = []
    index = 0
    while index < len(slots):
        slot_start = slots[index]
        slot_end = slot_start + step
        first = index == 0
        # A booked appointment that starts in this row (or, in the first row, that began before).
        spans = [a for a in holding if a.starts_at < slot_end and a.ends_at > slot_start]
        if spans:
            # Appointments that overlap one another (a double booking made before its checks) share
            # one cell, so none is hidden.
            ends = max(a.ends_at for a in spans)
            for a in holding:
                if a.starts_at < ends and a.ends_at > slot_start:
                    ends = max(ends, a.ends_at)
            rows = 1
            while index + rows < len(slots) and slots[index + rows] < ends:
                rows += 1
            span_end = slot_start + step * rows
            inside = [
                a
                for a in appointments
                if (a.starts_at < span_end and a.ends_at > slot_start)
                and (a.status in HOLDING_STATUSES or a.starts_at >= slot_start or first)
            ]
            cells.append(GridCell(room, slot_start, rows, inside, free=False))
            cells.extend([None] * (rows - 1))
            index += rows
            continue
        muted = [
            a
            for a in appointments
            if (slot_start <= a.starts_at < slot_end)
            or (first and a.starts_at < slot_start < a.ends_at)
        ]
        cells.append(GridCell(room, slot_start, 1, muted, free=bookable))
        index += 1
    return cells


def day_grid(*, location, day: date, rooms: list[Room], appointments: list[Appointment]) -> dict:
    """The day as a table: a column per room or chair, a row per half hour across the opening
    span (widened to any appointment outside it); booked appointments span their rows, cancelled
    ones sit muted in the row they started in, and every free cell still ahead can be booked. Appointments
    with no room (a consultation call) get a column of their own, which is never offered."""
    opens, closes = grid_hours(location, day)
    zone = location.zone
    for appointment in appointments:
        local_start = timezone.localtime(appointment.starts_at, zone)
        local_end = timezone.localtime(appointment.ends_at, zone)
        if local_start.date() == day:
            opens = min(opens, local_start.time())
        closes = max(closes, local_end.time()) if local_end.date() == day else time(23, 59)
    slots = _slot_starts(location, day, opens, closes)
    columns: list[tuple[Room | None, list[GridCell | None]]] = [
        (room, _column(room, slots, [a for a in appointments if a.room_id == room.pk], True))
        for room in rooms
    ]
    roomless = [a for a in appointments if a.room_id is None]
    if roomless:
        columns.append((None, _column(None, slots, roomless, False)))
    now = timezone.now()
    rows = [
        GridRow(
            slot,
            [
                # A free half hour already begun is not offered: booking refuses a past start.
                (cell, cell.booking_query(zone) if cell.free and cell.starts_at > now else "")
                for _room, cells in columns
                if (cell := cells[n]) is not None
            ],
        )
        for n, slot in enumerate(slots)
    ]
    return {"grid_rooms": [room for room, _cells in columns], "grid_rows": rows}


# The "book for which patient?" step lists this many matches; a longer list asks for more letters.
SLOT_PATIENT_MATCHES = 20


def get_bookable_room(viewer, public_id) -> Room:
    """An active room or chair at one of the viewer's locations (NotFoundError otherwise)."""
    rooms = Room.objects.select_related("location").filter(is_active=True)
    if viewer.role != Role.MEDICAL_DIRECTOR:
        rooms = rooms.filter(location_id__in=staff_location_ids(viewer))
    try:
        return rooms.get(public_id=public_id)
    except (Room.DoesNotExist, ValueError, ValidationError):
        raise NotFoundError("We could not find that room or chair.") from None


def patients_to_book_at(viewer, *, location, query: str) -> list[Patient]:
    """Patients of the room's location the viewer may see, matching the search (a name, an MRN or
    a birth date): the first few, by name. Nothing until something is typed."""
    if not query.strip():
        return []
    return list(
        search_patients(viewer, query=query)
        .filter(location=location)
        .order_by("legal_last_name", "legal_first_name", "pk")[:SLOT_PATIENT_MATCHES]
    )


CHANGE_REQUESTS_PER_PAGE = 25


def open_change_requests(viewer):
    """Booked appointments at the viewer's locations whose patient asked to cancel or move them,
    oldest request first."""
    return (
        visible_appointments(viewer)
        .filter(status=AppointmentStatus.BOOKED)
        .exclude(patient_request="")
        .order_by("patient_request_at", "pk")
    )


def list_change_requests(viewer, page_number) -> Window:
    """One page of the change-request worklist (one query, no count of the whole list)."""
    return window(open_change_requests(viewer), page_number, per_page=CHANGE_REQUESTS_PER_PAGE)


def count_change_requests(viewer) -> int:
    """How many requests wait at the viewer's locations (the menu's count); one indexed count."""
    return open_change_requests(viewer).count()


def suggested_move_times(appointment: Appointment) -> list[datetime]:
    """Free times near the appointment's own (its room and member of staff), for a patient who
    asked to move it: the same checks as a move, shown as buttons that move it there."""
    return nearest_free_starts(
        patient=appointment.patient,
        starts_at=appointment.starts_at,
        duration=appointment.ends_at - appointment.starts_at,
        room=appointment.room,
        staff=appointment.staff,
        staff_role=appointment.appointment_type.staff_role,
        location=appointment.location,
        ignore_id=appointment.pk,
        wanted=5,
    )


WAITLIST_PER_PAGE = 25
# The offers page shows the latest offers (their states), not the whole history.
RECENT_OFFERS_SHOWN = 50


def visible_waitlist(viewer):
    entries = WaitlistEntry.objects.select_related(
        "patient", "appointment_type", "location", "added_by"
    )
    if viewer.role == Role.MEDICAL_DIRECTOR:
        return entries
    return entries.filter(location_id__in=staff_location_ids(viewer))


def list_waitlist(viewer, page_number) -> Window:
    """One page of the patients waiting at the viewer's locations, first come first."""
    return window(
        visible_waitlist(viewer).filter(status=WaitlistStatus.WAITING).order_by("created_at", "pk"),
        page_number,
        per_page=WAITLIST_PER_PAGE,
    )


# How far back the waitlist page shows the entries that came off it, and how many at most.
RECENTLY_CLOSED_DAYS = 14
RECENTLY_CLOSED_SHOWN = 20


def recently_closed_waitlist(viewer) -> list[WaitlistEntry]:
    """The entries that came off the list in the last two weeks (booked from an offer, taken off,
    or closed once their dates passed), latest first: so the front desk sees why a patient is
    no longer waiting."""
    return list(
        visible_waitlist(viewer)
        .exclude(status=WaitlistStatus.WAITING)
        .filter(closed_at__gte=timezone.now() - timedelta(days=RECENTLY_CLOSED_DAYS))
        .order_by("-closed_at", "-pk")[:RECENTLY_CLOSED_SHOWN]
    )


def get_waitlist_entry(viewer, public_id) -> WaitlistEntry:
    entry = visible_waitlist(viewer).filter(public_id=public_id).first()
    if entry is None:
        raise NotFoundError("We could not find that waitlist entry.")
    return entry


def recent_offers(viewer) -> list[WaitlistOffer]:
    """The latest offers made at the viewer's locations, with their states."""
    offers = WaitlistOffer.objects.select_related(
        "entry__patient", "entry__appointment_type", "room", "location"
    )
    if viewer.role != Role.MEDICAL_DIRECTOR:
        offers = offers.filter(location_id__in=staff_location_ids(viewer))
    return list(offers.order_by("-created_at", "-pk")[:RECENT_OFFERS_SHOWN])


def open_offers_for(patient: Patient) -> list[WaitlistOffer]:
    """The patient's offers still open to accept (shown in the portal)."""
    return list(
        WaitlistOffer.objects.filter(
            entry__patient=patient,
            status=WaitlistOfferStatus.OPEN,
            expires_at__gt=timezone.now(),
        )
        .select_related("entry__appointment_type", "room", "location")
        .order_by("starts_at")
    )


# How long the portal says that a place on the waitlist closed because its dates passed.
CLOSED_WAITLIST_SHOWN_DAYS = 14


def waitlist_closed_for(patient: Patient) -> list[WaitlistEntry]:
    """The patient's places on the waitlist closed lately because every date they wanted had
    passed (shown in the portal, as their offers are)."""
    return list(
        WaitlistEntry.objects.filter(
            patient=patient,
            status=WaitlistStatus.EXPIRED,
            closed_at__gte=timezone.now() - timedelta(days=CLOSED_WAITLIST_SHOWN_DAYS),
        )
        .select_related("appointment_type")
        .order_by("-closed_at", "-pk")
    )


def get_portal_offer(viewer, public_id) -> WaitlistOffer:
    """An offer made to a patient the signed-in patient (or guardian) may see."""
    offer = (
        WaitlistOffer.objects.filter(
            entry__patient__in=visible_patients(viewer), public_id=public_id
        )
        .select_related("entry__patient", "entry__appointment_type")
        .first()
    )
    if offer is None:
        raise NotFoundError("We could not find that offer.")
    return offer


@dataclass(frozen=True)
class WaitlistReach:
    """How a waitlist offer reaches a patient: in the portal (theirs, or a current guardian's:
    the only place an offer is answered) and by e-mail (the address on their record)."""

    portal: bool
    email: bool

    @property
    def promise(self) -> str:
        """What the front desk may tell the patient, in the words of a sentence's second half."""
        if self.portal and self.email:
            return "a freed time is offered to them in the portal and by e-mail"
        if self.portal:
            return "a freed time is offered to them in the portal"
        if self.email:
            return (
                "a freed time is e-mailed to them, but answered only in the portal: invite them "
                "to it"
            )
        return "they have no portal account and no e-mail address, so no offer can reach them"


def waitlist_reach(patient: Patient) -> WaitlistReach:
    """Where the patient would be told of a freed time, so the page promises only that."""
    portal = (patient.user is not None and patient.user.is_active) or portal_guardians(
        patient
    ).exists()
    return WaitlistReach(portal=portal, email=bool(patient.email))
