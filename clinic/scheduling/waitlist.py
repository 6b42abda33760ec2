"""The waitlist: patients who want an earlier time, and the freed times offered to them.

When a booked time in the future comes free (an appointment cancelled or moved; a no-show frees
nothing, its time has passed), it is offered to the first patient waiting for that appointment
type at that location whose wanted dates hold the day and for whom it fits (no other booking of
theirs then, nothing the front desk would be warned of). The offer holds the time for
`SchedulingPolicy.waitlist_offer_hours` (never past the time itself); the patient accepts it in
the portal (it is booked for them with every check of a booking: clinic.scheduling.services) or
declines it. A declined or expired offer goes to the next patient waiting: expiry is found by the
`offer_waitlist_slots` command, which cron runs like the reminders. The same command (and the
waitlist page, as it is read) closes the entries whose every wanted date has passed, and the
patient is told as they are told of an offer: in the portal and by e-mail.

Locks, in this order: an offer, then a waitlist entry, then (when an offer is booked) the
booking's patient, room and member of staff (clinic.scheduling.locks); no entry is locked after a
booking's rows, so an offer found taken is offered on in a transaction of its own. A cancellation
or move holds its appointment's row before it locks the entry it offers the time to.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import partial

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from clinic.accounts.choices import PORTAL_ROLES
from clinic.accounts.models import User
from clinic.audit.choices import AuditEventType
from clinic.audit.services import record_audit_event
from clinic.core.exceptions import ClinicError, InvalidTransitionError, NotFoundError
from clinic.core.validators import BOOKING_DATES
from clinic.patients.models import Patient
from clinic.patients.permissions import can_view_patient, ensure_can_act_on_patient
from clinic.scheduling.booking_checks import booking_warnings
from clinic.scheduling.choices import AppointmentStatus, WaitlistOfferStatus, WaitlistStatus
from clinic.scheduling.conflicts import find_conflicts
from clinic.scheduling.locks import (
    lock_expired_waitlist_offers,
    lock_patient_for_waitlist,
    lock_waitlist_entry,
    lock_waitlist_offer,
)
from clinic.scheduling.models import (
    Appointment,
    AppointmentType,
    Room,
    SchedulingPolicy,
    WaitlistEntry,
    WaitlistOffer,
)
from clinic.scheduling.permissions import BOOKING_ROLES
from clinic.scheduling.tasks import notify_waitlist_closed, notify_waitlist_offer

PREFERRED_TIMES_MAX_CHARS = 300
# How many waiting patients are tried for one freed time before it is left unoffered: bounds the
# work a cancellation does inside its transaction.
CANDIDATES_TRIED = 50
JOB_LABEL = "waitlist job"
# Why an entry closed by itself, in its audit entry and on the offers it still held.
DATES_PASSED = "dates passed"
# How many entries one run closes: a backlog (the job not run for weeks) is worked off over a few
# runs rather than in one long request of the waitlist page.
PASSED_ENTRIES_PER_RUN = 500


def offer_hours() -> int:
    policy = SchedulingPolicy.objects.filter(singleton=True).first() or SchedulingPolicy()
    return policy.waitlist_offer_hours


def add_to_waitlist(
    *,
    actor,
    patient: Patient,
    appointment_type: AppointmentType,
    earliest_on: date,
    latest_on: date,
    preferred_times: str = "",
) -> WaitlistEntry:
    """Put a patient on the waitlist for an earlier time of an appointment type, between two
    dates; one place per patient and type."""
    ensure_can_act_on_patient(
        actor,
        patient,
        roles=BOOKING_ROLES,
        action="put patients on the waitlist",
        event_type=AuditEventType.WAITLIST_ENTRY_ADDED,
    )
    today = timezone.localdate(timezone.now(), patient.location.zone)
    if not appointment_type.is_active:
        raise ClinicError(
            f"{appointment_type.name} is no longer offered.", field="appointment_type"
        )
    if latest_on < earliest_on:
        raise ClinicError("The latest date comes before the earliest.", field="latest_on")
    if latest_on < today:
        raise ClinicError("The latest date has passed.", field="latest_on")
    if not BOOKING_DATES.contains(latest_on, today=today):
        raise ClinicError(BOOKING_DATES.too_late, field="latest_on")
    preferred_times = preferred_times.strip()
    if len(preferred_times) > PREFERRED_TIMES_MAX_CHARS:
        raise ClinicError(
            f"Keep the preferred times to {PREFERRED_TIMES_MAX_CHARS} characters.",
            field="preferred_times",
        )
    with transaction.atomic(durable=True):
        # Two people adding the same patient at once take turns, so the second sees the first.
        lock_patient_for_waitlist(patient.pk)
        if WaitlistEntry.objects.filter(
            patient=patient, appointment_type=appointment_type, status=WaitlistStatus.WAITING
        ).exists():
            raise ClinicError(
                f"{patient.display_name} is already waiting for a {appointment_type.name.lower()}"
                ": change or remove that entry instead.",
                field="appointment_type",
            )
        entry = WaitlistEntry.objects.create(
            patient=patient,
            location_id=patient.location_id,
            appointment_type=appointment_type,
            earliest_on=max(earliest_on, today),
            latest_on=latest_on,
            preferred_times=preferred_times,
            added_by=actor,
        )
        record_audit_event(
            actor=actor,
            event_type=AuditEventType.WAITLIST_ENTRY_ADDED,
            target=entry,
            about=patient,
            details={
                "type": appointment_type.code,
                "earliest_on": entry.earliest_on.isoformat(),
                "latest_on": latest_on.isoformat(),
            },
        )
    return entry


def remove_from_waitlist(*, actor, entry: WaitlistEntry) -> WaitlistEntry:
    """Take a patient off the waitlist; an offer they hold is withdrawn and goes to the next."""
    ensure_can_act_on_patient(
        actor,
        entry.patient,
        roles=BOOKING_ROLES,
        action="change the waitlist",
        event_type=AuditEventType.WAITLIST_ENTRY_REMOVED,
    )
    with transaction.atomic(durable=True):
        held = list(
            entry.offers.filter(status=WaitlistOfferStatus.OPEN).values_list("pk", flat=True)
        )
        for offer_id in held:
            offer = lock_waitlist_offer(offer_id)
            if offer.status == WaitlistOfferStatus.OPEN:
                close_offer(offer, WaitlistOfferStatus.EXPIRED, actor=actor, why="withdrawn")
        locked = lock_waitlist_entry(entry.pk)
        if locked.status != WaitlistStatus.WAITING:
            raise InvalidTransitionError("This patient is no longer waiting.")
        locked.status, locked.closed_at, locked.closed_by = (
            WaitlistStatus.REMOVED,
            timezone.now(),
            actor,
        )
        locked.save(update_fields=["status", "closed_at", "closed_by", "updated_at"])
        record_audit_event(
            actor=actor,
            event_type=AuditEventType.WAITLIST_ENTRY_REMOVED,
            target=locked,
            about=locked.patient,
        )
        for offer_id in held:
            offer_again(WaitlistOffer.objects.get(pk=offer_id), actor=actor)
    return locked


@dataclass(frozen=True)
class FreedTime:
    """A future time that came free: what was booked there, and when."""

    appointment: Appointment
    starts_at: datetime
    ends_at: datetime
    room_id: int | None
    staff_id: int | None


def freed_time_of(appointment: Appointment) -> FreedTime:
    """The time an appointment holds now (read before it is moved or cancelled)."""
    return FreedTime(
        appointment,
        appointment.starts_at,
        appointment.ends_at,
        appointment.room_id,
        appointment.staff_id,
    )


def offer_freed_time(freed: FreedTime, *, actor) -> WaitlistOffer | None:
    """Offer a freed time to the first suitable patient waiting (inside the caller's
    transaction: a cancellation or a move). A time already begun frees nothing."""
    if freed.starts_at <= timezone.now():
        return None
    return _offer_to_next(freed, actor=actor)


def _offer_to_next(freed: FreedTime, *, actor) -> WaitlistOffer | None:
    source = freed.appointment
    location = source.location
    local_day = timezone.localtime(freed.starts_at, location.zone).date()
    already_offered = WaitlistOffer.objects.filter(
        freed_by=source, starts_at=freed.starts_at
    ).values("entry_id")
    candidates = (
        WaitlistEntry.objects.filter(
            status=WaitlistStatus.WAITING,
            location_id=source.location_id,
            appointment_type_id=source.appointment_type_id,
            earliest_on__lte=local_day,
            latest_on__gte=local_day,
        )
        .exclude(patient_id=source.patient_id)
        .exclude(pk__in=already_offered)
        .exclude(offers__status=WaitlistOfferStatus.OPEN)
        .select_related("patient__location", "appointment_type")
        .order_by("created_at", "pk")[:CANDIDATES_TRIED]
    )
    room = Room.objects.filter(pk=freed.room_id).first() if freed.room_id else None
    staff = User.objects.filter(pk=freed.staff_id).first() if freed.staff_id else None
    for candidate in candidates:
        if not _fits(candidate, freed, room, staff):
            continue
        entry = lock_waitlist_entry(candidate.pk)
        if (
            entry.status != WaitlistStatus.WAITING
            or entry.offers.filter(status=WaitlistOfferStatus.OPEN).exists()
        ):
            continue
        now = timezone.now()
        offer = WaitlistOffer.objects.create(
            entry=entry,
            location_id=source.location_id,
            freed_by=source,
            room_id=freed.room_id,
            staff_id=freed.staff_id,
            starts_at=freed.starts_at,
            ends_at=freed.ends_at,
            expires_at=min(now + timedelta(hours=offer_hours()), freed.starts_at),
        )
        record_audit_event(
            actor=actor,
            actor_label="" if actor is not None else JOB_LABEL,
            event_type=AuditEventType.WAITLIST_OFFER_MADE,
            target=offer,
            patient_id=entry.patient_id,
            location_id=source.location_id,
            details={
                "starts_at": freed.starts_at.isoformat(),
                "expires_at": offer.expires_at.isoformat(),
            },
        )
        transaction.on_commit(partial(notify_waitlist_offer.enqueue, offer_id=str(offer.public_id)))
        return offer
    return None


def _fits(entry: WaitlistEntry, freed: FreedTime, room, staff) -> bool:
    """The time suits this patient as a booking would: nothing else of theirs (nor the room's or
    the nurse's) then, and nothing the front desk would be warned of."""
    patient = entry.patient
    kind = entry.appointment_type
    if room is not None and not room.is_active:
        return False
    if staff is not None and not staff.is_active:
        return False
    if find_conflicts(
        patient=patient,
        starts_at=freed.starts_at,
        ends_at=freed.starts_at + timedelta(minutes=kind.duration_minutes),
        room=room,
        staff=staff,
        staff_role=kind.staff_role,
        location=patient.location,
    ):
        return False
    return not booking_warnings(
        patient=patient, appointment_type=kind, starts_at=freed.starts_at, staff=staff
    )


def _freed_time_of_offer(offer: WaitlistOffer) -> FreedTime:
    return FreedTime(offer.freed_by, offer.starts_at, offer.ends_at, offer.room_id, offer.staff_id)


def close_offer(offer: WaitlistOffer, status: str, *, actor, why: str = "") -> None:
    offer.status, offer.answered_at = status, timezone.now()
    offer.save(update_fields=["status", "answered_at", "updated_at"])
    record_audit_event(
        actor=actor,
        actor_label="" if actor is not None else JOB_LABEL,
        event_type=(
            AuditEventType.WAITLIST_OFFER_EXPIRED
            if status == WaitlistOfferStatus.EXPIRED
            else AuditEventType.WAITLIST_OFFER_ANSWERED
        ),
        target=offer,
        patient_id=offer.entry.patient_id,
        location_id=offer.location_id,
        details={"status": status, **({"why": why} if why else {})},
    )


def offer_again(offer: WaitlistOffer, *, actor) -> WaitlistOffer | None:
    """The time of a declined, expired or withdrawn offer, to the next patient waiting."""
    freed = _freed_time_of_offer(offer)
    if freed.starts_at <= timezone.now():
        return None
    if offer.freed_by.status in {AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN} and (
        offer.freed_by.starts_at == offer.starts_at
    ):
        # The freed appointment was moved back to that time: it is not free.
        return None
    return _offer_to_next(freed, actor=actor)


def offer_again_in_turn(offer_id: int, *, actor) -> WaitlistOffer | None:
    """Offer a closed offer's time to the next patient waiting, in a transaction of its own."""
    with transaction.atomic(durable=True):
        return offer_again(lock_waitlist_offer(offer_id), actor=actor)


def ensure_offer_is_theirs(patient_user, offer: WaitlistOffer) -> None:
    """Only the patient offered the time (or a minor's guardian) answers it; to anyone else the
    offer does not exist."""
    if patient_user.role not in PORTAL_ROLES or not can_view_patient(
        patient_user, offer.entry.patient
    ):
        raise NotFoundError("We could not find that offer.")


def decline_offer(*, patient_user, offer: WaitlistOffer) -> WaitlistOffer:
    """The patient does not want the time: it goes to the next patient; they keep waiting."""
    ensure_offer_is_theirs(patient_user, offer)
    actor = patient_user
    with transaction.atomic(durable=True):
        locked = lock_waitlist_offer(offer.pk)
        if locked.status != WaitlistOfferStatus.OPEN:
            raise InvalidTransitionError(
                f"This offer is {locked.get_status_display().lower()} already."
            )
        close_offer(locked, WaitlistOfferStatus.DECLINED, actor=actor)
        offer_again(locked, actor=actor)
    return locked


def expire_offers(*, now: datetime | None = None) -> int:
    """Expire the open offers whose time to answer has run out and offer each time to the next
    patient waiting (the `offer_waitlist_slots` command, run by cron). Safe to run twice at once:
    each offer is locked (on PostgreSQL skipping those another run holds)."""
    now = now or timezone.now()
    expired = 0
    due = list(
        WaitlistOffer.objects.filter(status=WaitlistOfferStatus.OPEN, expires_at__lte=now)
        .order_by("pk")
        .values_list("pk", flat=True)[:500]
    )
    for offer_id in due:
        with transaction.atomic(durable=True):
            offer = lock_expired_waitlist_offers(offer_id, now=now)
            if offer is None:
                continue
            close_offer(offer, WaitlistOfferStatus.EXPIRED, actor=None)
            offer_again(offer, actor=None)
            expired += 1
    return expired


def close_passed_entries(
    *, now: datetime | None = None, among: QuerySet[WaitlistEntry] | None = None
) -> int:
    """Close the entries still waiting whose latest wanted date has passed at their location
    (so no freed time could be offered to them any more), each with the reason "dates passed",
    audited as the waitlist job's, and tell each patient. Run by the `offer_waitlist_slots`
    command and by the waitlist page before it lists (`among`: the entries its viewer sees).
    Safe to run twice at once: each entry is locked and checked again before it is closed."""
    now = now or timezone.now()
    entries = among if among is not None else WaitlistEntry.objects.all()
    # A day has passed somewhere only if it is before UTC's date (no zone is more than a day
    # ahead of UTC): the rest is decided per entry in its location's zone.
    candidates = (
        entries.filter(status=WaitlistStatus.WAITING, latest_on__lte=now.astimezone(UTC).date())
        .select_related("location")
        .order_by("pk")[:PASSED_ENTRIES_PER_RUN]
    )
    closed = 0
    for entry in candidates:
        today = timezone.localdate(now, entry.location.zone)
        if entry.latest_on < today and _close_passed_entry(entry.pk, today=today, now=now):
            closed += 1
    return closed


def _close_passed_entry(entry_id: int, *, today: date, now: datetime) -> bool:
    with transaction.atomic(durable=True):
        # Offers before their entry (the order of locks above). An offer still open on an entry
        # whose dates passed is for a time that has passed too: it is closed, and offering it on
        # finds nothing ahead.
        held = list(
            WaitlistOffer.objects.filter(
                entry_id=entry_id, status=WaitlistOfferStatus.OPEN
            ).values_list("pk", flat=True)
        )
        for offer_id in held:
            offer = lock_waitlist_offer(offer_id)
            if offer.status == WaitlistOfferStatus.OPEN:
                close_offer(offer, WaitlistOfferStatus.EXPIRED, actor=None, why=DATES_PASSED)
        entry = lock_waitlist_entry(entry_id)
        if entry.status != WaitlistStatus.WAITING or entry.latest_on >= today:
            return False  # closed meanwhile (another run, or staff)
        entry.status, entry.closed_at, entry.closed_by = WaitlistStatus.EXPIRED, now, None
        entry.save(update_fields=["status", "closed_at", "closed_by", "updated_at"])
        record_audit_event(
            actor=None,
            actor_label=JOB_LABEL,
            event_type=AuditEventType.WAITLIST_ENTRY_EXPIRED,
            target=entry,
            patient_id=entry.patient_id,
            location_id=entry.location_id,
            details={"reason": DATES_PASSED, "latest_on": entry.latest_on.isoformat()},
        )
        for offer_id in held:
            offer_again(WaitlistOffer.objects.get(pk=offer_id), actor=None)
        transaction.on_commit(
            partial(notify_waitlist_closed.enqueue, entry_id=str(entry.public_id))
        )
    return True
