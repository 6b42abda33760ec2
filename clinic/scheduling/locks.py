"""Row locks on appointments, rooms, follow-ups and check-ins, held until the transaction ends.

Where several rows of one table are locked they are locked in primary-key order, so two
transactions locking the same rows never wait on each other in a circle.
"""

from __future__ import annotations

from datetime import datetime

from django.db import connection

from clinic.accounts.locks import lock_user_row
from clinic.patients.locks import lock_patient_row
from clinic.scheduling.choices import (
    AppointmentStatus,
    FollowUpKind,
    FollowUpStatus,
    WaitlistOfferStatus,
)
from clinic.scheduling.models import (
    Appointment,
    FollowUp,
    PreVisitCheckIn,
    Room,
    WaitlistEntry,
    WaitlistOffer,
)


def lock_booking_resources(patient_id: int, room_id: int | None, staff_id: int | None) -> None:
    """The patient's, the room's and the clinician's rows (in that order, every booking the
    same): two bookings that share any of them take turns, so the second sees the first when it
    looks for conflicts."""
    lock_patient_row(patient_id)
    if room_id is not None:
        Room.objects.select_for_update().filter(pk=room_id).values_list("pk", flat=True).first()
    if staff_id is not None:
        lock_user_row(staff_id)


def lock_appointment(appointment_id: int) -> Appointment:
    """The appointment's row, locked (DoesNotExist if there is none)."""
    return Appointment.objects.select_for_update().get(pk=appointment_id)


def lock_appointment_with_type_and_patient(appointment_id: int) -> Appointment:
    """The appointment's row, locked (only it: the type's and the patient's rows joined in are
    shared with other appointments), read with its type and its patient."""
    return (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("appointment_type", "patient")
        .get(pk=appointment_id)
    )


def lock_booked_appointment_in_band(
    appointment_id: int, *, starts_after: datetime, starts_until: datetime
) -> bool:
    """Lock the appointment if it is still booked and starts in (starts_after, starts_until];
    False if it is not, or (PostgreSQL) another job holds it: that job sends its reminder."""
    rows = Appointment.objects.filter(
        pk=appointment_id,
        status=AppointmentStatus.BOOKED,
        starts_at__gt=starts_after,
        starts_at__lte=starts_until,
    )
    if connection.features.has_select_for_update_skip_locked:
        rows = rows.select_for_update(skip_locked=True)
    elif connection.features.has_select_for_update:
        rows = rows.select_for_update()
    return bool(rows.values_list("pk", flat=True).first())


def lock_follow_up(follow_up_id: int) -> FollowUp:
    """The follow-up's row, locked (DoesNotExist if there is none)."""
    return FollowUp.objects.select_for_update().get(pk=follow_up_id)


def lock_open_follow_up_calls_of(appointment_id: int) -> list[FollowUp]:
    """The open follow-up calls an appointment made due, locked in primary-key order."""
    return list(
        FollowUp.objects.select_for_update()
        .filter(
            source_appointment_id=appointment_id,
            kind=FollowUpKind.FOLLOW_UP,
            status=FollowUpStatus.OPEN,
        )
        .order_by("pk")
    )


def lock_open_reviews_due(patient_id: int) -> list[FollowUp]:
    """The patient's open follow-up reviews, locked in primary-key order."""
    return list(
        FollowUp.objects.select_for_update()
        .filter(patient_id=patient_id, kind=FollowUpKind.REVIEW, status=FollowUpStatus.OPEN)
        .order_by("pk")
    )


def lock_check_in(check_in_id: int) -> PreVisitCheckIn:
    """The pre-visit check-in's row, locked (DoesNotExist if there is none)."""
    return PreVisitCheckIn.objects.select_for_update().get(pk=check_in_id)


def lock_patient_for_waitlist(patient_id: int) -> None:
    """The patient's row, before they are put on the waitlist: one place per appointment type
    even when two people add them at once."""
    lock_patient_row(patient_id)


def lock_waitlist_entry(entry_id: int) -> WaitlistEntry:
    """A waitlist entry's row, locked, before an offer is made to it or it is closed: one open
    offer per patient waiting, even when two times come free at once."""
    return (
        WaitlistEntry.objects.select_for_update(of=("self",))
        .select_related("patient")
        .get(pk=entry_id)
    )


def lock_waitlist_offer(offer_id: int) -> WaitlistOffer:
    """An offer's row, locked (taken before its entry's and before any booking's rows), read
    with its entry, its patient and the appointment that freed the time."""
    return (
        WaitlistOffer.objects.select_for_update(of=("self",))
        .select_related("entry__patient", "entry__appointment_type", "freed_by__location")
        .get(pk=offer_id)
    )


def lock_expired_waitlist_offers(offer_id: int, *, now: datetime) -> WaitlistOffer | None:
    """The offer, locked, if it is still open and its time to answer ran out by `now`; None if it
    is not, or (PostgreSQL) another run of the job holds it."""
    rows = WaitlistOffer.objects.filter(
        pk=offer_id, status=WaitlistOfferStatus.OPEN, expires_at__lte=now
    ).select_related("entry__patient", "entry__appointment_type", "freed_by__location")
    if connection.features.has_select_for_update_skip_locked:
        rows = rows.select_for_update(skip_locked=True, of=("self",))
    elif connection.features.has_select_for_update:
        rows = rows.select_for_update(of=("self",))
    return rows.first()
