"""Booking, moving, cancelling and checking in appointments, and booking a plan's series.

Every booking locks the rows it depends on (patient, room, member of staff, in primary-key order,
house rule 3 in docs/architecture.md) before checking conflicts, so two people booking the same chair at once cannot
both succeed."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import partial
from smtplib import SMTPException

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from clinic.accounts.choices import PORTAL_ROLES, Role
from clinic.accounts.models import User
from clinic.audit.choices import AuditEventType
from clinic.audit.services import record_audit_event
from clinic.core.dates import show_time, show_weekday_date
from clinic.core.exceptions import ClinicError, InvalidTransitionError
from clinic.core.validators import BOOKING_DATES
from clinic.patients.models import Patient
from clinic.patients.permissions import can_view_patient, ensure_can_act_on_patient
from clinic.scheduling import follow_ups, waitlist
from clinic.scheduling.booking_checks import OVERRIDE_REASON_MAX_CHARS, booking_warnings
from clinic.scheduling.choices import (
    AppointmentStatus,
    CancelReason,
    PatientRequestKind,
    WaitlistOfferStatus,
    WaitlistStatus,
)
from clinic.scheduling.conflicts import Conflict, find_conflicts, nearest_free_starts
from clinic.scheduling.dose_spacing import spacing_warning
from clinic.scheduling.locks import (
    lock_appointment,
    lock_booking_resources,
    lock_waitlist_entry,
    lock_waitlist_offer,
)
from clinic.scheduling.models import Appointment, AppointmentType, Room, WaitlistOffer
from clinic.scheduling.permissions import BOOKING_ROLES

logger = logging.getLogger(__name__)


class ConflictError(ClinicError):
    """The booking collides with others; `conflicts` explains each, `alternatives` offers times."""

    status_code = 409

    def __init__(
        self, conflicts: list[Conflict], alternatives: list[datetime] | None = None
    ) -> None:
        super().__init__(" ".join(c.message for c in conflicts), field="starts_at")
        self.conflicts = conflicts
        self.alternatives = alternatives or []


class WarningsNeedReasonError(ClinicError):
    """The booking has warnings (clinic.scheduling.booking_checks): it goes ahead only with the
    reason the front desk books it anyway."""

    def __init__(self, warnings: list[str]) -> None:
        super().__init__(
            " ".join(warnings) + " To book it anyway, say why.", field="override_reason"
        )
        self.warnings = warnings


def _warned(warnings: list[str], override_reason: str) -> tuple[str, str]:
    """The warnings and reason the booking keeps; refused when there are warnings and no reason."""
    reason = override_reason.strip()
    if not warnings:
        return "", ""
    if not reason:
        raise WarningsNeedReasonError(warnings)
    if len(reason) > OVERRIDE_REASON_MAX_CHARS:
        raise ClinicError(
            f"Keep the reason to {OVERRIDE_REASON_MAX_CHARS} characters.", field="override_reason"
        )
    return " ".join(warnings), reason


def _warning_details(
    dose_spacing_warning: str, warnings: str, override_reason: str
) -> dict[str, str]:
    """What a booking or a move was warned of, for its audit entry: the dose spacing shown, and
    the warnings it went ahead despite with the reason given; each left out when there was none,
    so the audit log shows a warning only where one was given."""
    details = {"dose_spacing_warning": dose_spacing_warning} if dose_spacing_warning else {}
    if warnings:
        details |= {"warnings": warnings, "override_reason": override_reason}
    return details


# A start a few minutes ago is still "now" (the patient at the desk, a slow form).
PAST_START_SLACK = timedelta(minutes=5)


def _ensure_future(starts_at: datetime) -> None:
    if starts_at < timezone.now() - PAST_START_SLACK:
        raise ClinicError("An appointment cannot start in the past.", field="starts_at")
    if not BOOKING_DATES.contains(starts_at):
        raise ClinicError(BOOKING_DATES.too_late, field="starts_at")


def _lock_resources(patient: Patient, room: Room | None, staff: User | None) -> None:
    lock_booking_resources(
        patient.pk, room.pk if room is not None else None, staff.pk if staff is not None else None
    )


def _validate(
    patient: Patient, appointment_type: AppointmentType, room: Room | None, staff: User | None
) -> None:
    if not appointment_type.is_active:
        raise ClinicError(
            f"{appointment_type.name} is no longer offered.", field="appointment_type"
        )
    if room is not None and not room.is_active:
        raise ClinicError(f"{room.name} is out of use.", field="room")
    if staff is not None and (
        not staff.is_active or not staff.locations.filter(pk=patient.location_id).exists()
    ):
        raise ClinicError(
            f"{staff.full_name} does not work at {patient.location.name}.", field="staff"
        )
    if appointment_type.needs_room and room is None:
        raise ClinicError(f"A {appointment_type.name.lower()} needs a room or chair.", field="room")
    if room is not None and room.location_id != patient.location_id:
        raise ClinicError(f"{room.name} is at another location than the patient's.", field="room")
    if staff is not None and staff.role not in {appointment_type.staff_role, Role.MEDICAL_DIRECTOR}:
        raise ClinicError(
            f"A {appointment_type.name.lower()} is staffed by a {appointment_type.get_staff_role_display().lower()}.",
            field="staff",
        )


def _check(patient, appointment_type, starts_at, room, staff, ignore_id=None):
    ends_at = starts_at + timedelta(minutes=appointment_type.duration_minutes)
    conflicts = find_conflicts(
        patient=patient,
        starts_at=starts_at,
        ends_at=ends_at,
        room=room,
        staff=staff,
        staff_role=appointment_type.staff_role,
        location=patient.location,
        ignore_id=ignore_id,
    )
    return ends_at, conflicts


def _alternatives(patient, appointment_type, starts_at, room, staff, ignore_id=None):
    """The nearest free start times for this booking (shown beside its conflicts)."""
    return nearest_free_starts(
        patient=patient,
        starts_at=starts_at,
        duration=timedelta(minutes=appointment_type.duration_minutes),
        room=room,
        staff=staff,
        staff_role=appointment_type.staff_role,
        location=patient.location,
        ignore_id=ignore_id,
    )


def book_appointment(
    *,
    actor,
    patient: Patient,
    appointment_type: AppointmentType,
    starts_at: datetime,
    room: Room | None = None,
    staff: User | None = None,
    plan_version=None,
    series_number: int | None = None,
    override_reason: str = "",
) -> Appointment:
    """Book one appointment, refused with the reasons (and the nearest free times) if it collides;
    with warnings (clinic.scheduling.booking_checks) only when `override_reason` says why."""
    ensure_can_act_on_patient(
        actor,
        patient,
        roles=BOOKING_ROLES,
        action="book appointments",
        event_type=AuditEventType.APPOINTMENT_BOOKED,
    )
    _validate(patient, appointment_type, room, staff)
    _ensure_future(starts_at)
    with transaction.atomic(durable=True):
        return _book_locked(
            actor,
            patient,
            appointment_type,
            starts_at,
            room,
            staff,
            plan_version=plan_version,
            series_number=series_number,
            override_reason=override_reason,
        )


def _book_locked(
    actor,
    patient: Patient,
    appointment_type: AppointmentType,
    starts_at: datetime,
    room: Room | None,
    staff: User | None,
    *,
    plan_version=None,
    series_number: int | None = None,
    override_reason: str = "",
) -> Appointment:
    """The booking itself, inside the caller's transaction, once permission is checked: the
    rows locked, the warnings weighed, the conflicts checked, the row and its audit entry."""
    _lock_resources(patient, room, staff)
    warnings, reason = _warned(
        booking_warnings(
            patient=patient,
            appointment_type=appointment_type,
            starts_at=starts_at,
            staff=staff,
            in_plan_series=plan_version is not None,
        ),
        override_reason,
    )
    appointment = _create(
        actor,
        patient,
        appointment_type,
        starts_at,
        room,
        staff,
        plan_version,
        series_number,
        spacing_warning(
            patient=patient,
            appointment_type=appointment_type,
            starts_at=starts_at,
            plan_version=plan_version,
        ),
        warnings=(warnings, reason),
    )
    follow_ups.link_booking(appointment)
    return appointment


def _create(
    actor,
    patient,
    appointment_type,
    starts_at,
    room,
    staff,
    plan_version,
    series_number,
    dose_spacing_warning: str = "",
    warnings: tuple[str, str] = ("", ""),
) -> Appointment:
    """`dose_spacing_warning` is recorded with the booking (and in its audit entry): the booking
    goes ahead, the front desk having been shown it."""
    ends_at, conflicts = _check(patient, appointment_type, starts_at, room, staff)
    if conflicts:
        raise ConflictError(
            conflicts, _alternatives(patient, appointment_type, starts_at, room, staff)
        )
    appointment = Appointment.objects.create(
        patient=patient,
        location_id=patient.location_id,
        appointment_type=appointment_type,
        room=room,
        staff=staff,
        starts_at=starts_at,
        ends_at=ends_at,
        plan_version=plan_version,
        series_number=series_number,
        booked_by=actor,
        dose_spacing_warning=dose_spacing_warning,
        booking_warnings=warnings[0],
        override_reason=warnings[1],
    )
    record_audit_event(
        actor=actor,
        event_type=AuditEventType.APPOINTMENT_BOOKED,
        target=appointment,
        about=patient,
        details={
            "type": appointment_type.code,
            "starts_at": starts_at.isoformat(),
            **_warning_details(dose_spacing_warning, *warnings),
        },
    )
    return appointment


def move_appointment(
    *,
    actor,
    appointment: Appointment,
    starts_at: datetime,
    room: Room | None = None,
    staff: User | None = None,
    override_reason: str = "",
) -> Appointment:
    """Move to another time (and room or member of staff); refused with the reasons if it
    collides, and with warnings only when `override_reason` says why."""
    patient = appointment.patient
    ensure_can_act_on_patient(
        actor,
        patient,
        roles=BOOKING_ROLES,
        action="move appointments",
        event_type=AuditEventType.APPOINTMENT_CHANGED,
    )
    room = room if room is not None else appointment.room
    staff = staff if staff is not None else appointment.staff
    _validate(patient, appointment.appointment_type, room, staff)
    _ensure_future(starts_at)
    with transaction.atomic(durable=True):
        _lock_resources(patient, room, staff)
        locked = lock_appointment(appointment.pk)
        if locked.status != AppointmentStatus.BOOKED:
            raise InvalidTransitionError(
                f"A {locked.get_status_display().lower()} appointment cannot be moved."
                + (
                    " Undo the check-in first if the patient is to come another time."
                    if locked.status == AppointmentStatus.CHECKED_IN
                    else ""
                )
            )
        ends_at, conflicts = _check(
            patient, locked.appointment_type, starts_at, room, staff, ignore_id=locked.pk
        )
        if conflicts:
            raise ConflictError(
                conflicts,
                _alternatives(
                    patient, locked.appointment_type, starts_at, room, staff, ignore_id=locked.pk
                ),
            )
        locked.booking_warnings, locked.override_reason = _warned(
            booking_warnings(
                patient=patient,
                appointment_type=locked.appointment_type,
                starts_at=starts_at,
                staff=staff,
                ignore_id=locked.pk,
                in_plan_series=locked.plan_version_id is not None,
            ),
            override_reason,
        )
        before = locked.starts_at
        freed = waitlist.freed_time_of(locked)
        locked.starts_at, locked.ends_at, locked.room, locked.staff = (
            starts_at,
            ends_at,
            room,
            staff,
        )
        locked.dose_spacing_warning = spacing_warning(
            patient=patient,
            appointment_type=locked.appointment_type,
            starts_at=starts_at,
            plan_version=locked.plan_version,
            ignore_id=locked.pk,
        )
        closed = _close_request(locked)
        locked.sequence += 1
        locked.save()
        # Reminders sent for the old time must go out again for the new one.
        locked.reminders.all().delete()
        record_audit_event(
            actor=actor,
            event_type=AuditEventType.APPOINTMENT_CHANGED,
            target=locked,
            patient_id=patient.pk,
            location_id=locked.location_id,
            details={
                "from": before.isoformat(),
                "to": starts_at.isoformat(),
                **_warning_details(
                    locked.dose_spacing_warning, locked.booking_warnings, locked.override_reason
                ),
                **closed,
            },
        )
        # The time it left is offered to the first suitable patient on the waitlist.
        waitlist.offer_freed_time(freed, actor=actor)
        return locked


def _set_status(
    actor,
    appointment: Appointment,
    status: str,
    allowed_from: set[str],
    event_type,
    after=None,
    durable=True,
    details: dict | None = None,
    closes_request: bool = False,
    requires_request: bool = False,
    **fields,
) -> Appointment:
    ensure_can_act_on_patient(
        actor,
        appointment.patient,
        roles=BOOKING_ROLES,
        action="change appointments",
        event_type=event_type,
    )
    with transaction.atomic(durable=durable):
        locked = lock_appointment(appointment.pk)
        if locked.status not in allowed_from:
            raise InvalidTransitionError(
                f"This appointment is {locked.get_status_display().lower()}."
                + (
                    " Undo the check-in first if the patient is not being seen."
                    if locked.status == AppointmentStatus.CHECKED_IN
                    else ""
                )
            )
        if requires_request and not locked.patient_request:
            raise InvalidTransitionError(
                "This request has already been answered (it is no longer open)."
            )
        locked.status = status
        for name, value in fields.items():
            setattr(locked, name, value)
        closed = _close_request(locked) if closes_request else {}
        locked.sequence += 1
        locked.save()
        if after is not None:
            after(locked)
        record_audit_event(
            actor=actor,
            event_type=event_type,
            target=locked,
            about=locked,
            details={"status": status, **(details or {}), **closed},
        )
        return locked


def _close_request(locked: Appointment) -> dict[str, str]:
    """Cancelling or moving an appointment answers the patient's open request about it: the
    request is cleared, and the audit entry of the change says which request it closed (so the
    trail shows who acted on it and when)."""
    if not locked.patient_request:
        return {}
    kind = locked.patient_request
    locked.patient_request, locked.patient_request_note, locked.patient_request_at = "", "", None
    return {"patient_request_closed": kind}


def cancel_appointment(
    *, actor, appointment: Appointment, reason: str, details: str = ""
) -> Appointment:
    """Cancel, with the reason; the room, chair and staff time become free again."""
    if reason not in CancelReason.values:
        raise ClinicError("Choose why the appointment is cancelled.", field="reason")
    if reason == CancelReason.OTHER and not details.strip():
        raise ClinicError("Describe the reason when you choose “Other”.", field="details")
    return _set_status(
        actor,
        appointment,
        AppointmentStatus.CANCELLED,
        {AppointmentStatus.BOOKED},
        AuditEventType.APPOINTMENT_CANCELLED,
        closes_request=True,
        after=partial(_offer_cancelled_time, actor),
        cancel_reason=reason,
        cancel_details=details.strip()[:300],
        cancelled_at=timezone.now(),
    )


def _offer_cancelled_time(actor, cancelled: Appointment) -> None:
    """A cancelled appointment's time, if still ahead, goes to the waitlist (a no-show's time has
    passed: it frees nothing)."""
    waitlist.offer_freed_time(waitlist.freed_time_of(cancelled), actor=actor)


def cancel_as_requested(*, actor, appointment: Appointment) -> Appointment:
    """Cancel an appointment as its patient asked in the portal (reason: patient request), if the
    request is still open; the request is closed with it."""
    return _set_status(
        actor,
        appointment,
        AppointmentStatus.CANCELLED,
        {AppointmentStatus.BOOKED},
        AuditEventType.APPOINTMENT_CANCELLED,
        closes_request=True,
        requires_request=True,
        after=partial(_offer_cancelled_time, actor),
        cancel_reason=CancelReason.PATIENT_REQUEST,
        cancel_details="Asked in the portal",
        cancelled_at=timezone.now(),
    )


def check_in(*, actor, appointment: Appointment) -> Appointment:
    """The patient has arrived. Accepted on the appointment's own day at its location only: a
    check-in the day before would start the chair-side record (and the next day's follow-up call)
    for a visit that has not happened."""
    starts_at = Appointment.objects.values_list("starts_at", flat=True).get(pk=appointment.pk)
    zone = appointment.location.zone
    day = timezone.localtime(starts_at, zone).date()
    today = timezone.localtime(timezone.now(), zone).date()
    if day != today:
        raise InvalidTransitionError(
            f"Check-in is open on the appointment's day ({show_weekday_date(day)}) only; "
            + (
                "move the appointment to today if the patient is here now."
                if day > today
                else "that day has passed: mark it a no-show, or book again."
            )
        )
    return _set_status(
        actor,
        appointment,
        AppointmentStatus.CHECKED_IN,
        {AppointmentStatus.BOOKED},
        AuditEventType.APPOINTMENT_CHANGED,
        checked_in_at=timezone.now(),
        # The session happens: its follow-up call falls due the next day.
        after=follow_ups.after_session,
    )


def undo_check_in(*, actor, appointment: Appointment) -> Appointment:
    """A check-in made by mistake (the wrong patient, or the patient left before anything was
    done) is undone while no treatment session has been started: the appointment is booked again,
    and the follow-up call the check-in made due is withdrawn. Audited like every change."""
    if Appointment.objects.filter(pk=appointment.pk, treatment_session__isnull=False).exists():
        raise InvalidTransitionError(
            "A treatment session has been started for this appointment: its check-in stands "
            "(stop the session before dosing if the visit does not go ahead)."
        )
    return _set_status(
        actor,
        appointment,
        AppointmentStatus.BOOKED,
        {AppointmentStatus.CHECKED_IN},
        AuditEventType.APPOINTMENT_CHANGED,
        checked_in_at=None,
        after=follow_ups.withdraw_after_session,
        details={"undone": "check_in"},
    )


def complete_appointment(*, actor, appointment: Appointment) -> Appointment:
    """The appointment's treatment session has ended (discharged, or stopped before a dose).

    Runs inside the session's own transaction, so the session and its appointment change
    together; the calendar sequence moves on, so subscribed calendars show the change."""
    return _set_status(
        actor,
        appointment,
        AppointmentStatus.COMPLETED,
        {AppointmentStatus.CHECKED_IN},
        AuditEventType.APPOINTMENT_CHANGED,
        durable=False,
    )


def mark_no_show(*, actor, appointment: Appointment) -> Appointment:
    starts_at = Appointment.objects.values_list("starts_at", flat=True).get(pk=appointment.pk)
    if starts_at > timezone.now():
        raise InvalidTransitionError("An appointment that has not started yet cannot be a no-show.")
    return _set_status(
        actor,
        appointment,
        AppointmentStatus.NO_SHOW,
        {AppointmentStatus.BOOKED},
        AuditEventType.APPOINTMENT_CHANGED,
    )


@dataclass(frozen=True)
class SeriesSlot:
    number: int
    starts_at: datetime
    conflicts: list[Conflict]
    alternatives: list[datetime]
    # Too close to another dose (given, booked, or another session of this series): shown, and
    # recorded with the booking, never refused.
    dose_spacing_warning: str = ""


def local_start(day: date, at: time, location) -> datetime:
    """A wall-clock time at the location on a given day, as an aware datetime (DST-correct)."""
    return timezone.make_aware(datetime.combine(day, at), location.zone)


def plan_series_slots(
    *,
    patient: Patient,
    appointment_type: AppointmentType,
    dates: list[date],
    at: time,
    room: Room | None,
    staff: User | None,
) -> list[SeriesSlot]:
    """Each proposed session at the same local time, with what it would collide with and the
    nearest free times: checked for the whole series before anything is booked."""
    return check_series(
        patient=patient,
        appointment_type=appointment_type,
        starts=[local_start(day, at, patient.location) for day in dates],
        room=room,
        staff=staff,
    )


def check_series(
    *,
    patient: Patient,
    appointment_type: AppointmentType,
    starts: list[datetime],
    room: Room | None,
    staff: User | None,
) -> list[SeriesSlot]:
    """Each session of a series at the time chosen for it (the plan's proposed time, or a free
    time picked instead), numbered as its row, with what it would collide with (the clinic's
    bookings and the series' own other sessions) and, where it collides, the nearest free times.
    The series' sessions are not rows yet, so an overlap between two of them is found here:
    booking would refuse it all the same, and the front desk should see it on the row first."""
    slots = []
    duration = timedelta(minutes=appointment_type.duration_minutes)
    for number, starts_at in enumerate(starts, start=1):
        _, conflicts = _check(patient, appointment_type, starts_at, room, staff)
        conflicts += [
            Conflict(
                "patient",
                f"Session {other} of this series overlaps it "
                f"({show_weekday_date(other_start, patient.location.zone)} at "
                f"{show_time(other_start, patient.location.zone)}).",
            )
            for other, other_start in enumerate(starts, start=1)
            if other != number
            and other_start < starts_at + duration
            and starts_at < other_start + duration
        ]
        if starts_at < timezone.now() - PAST_START_SLACK:
            # A plan's proposed date that has gone by (the plan was signed, then booked later):
            # said on its row, with the nearest free times from now, like a collision.
            conflicts.insert(
                0,
                Conflict(
                    "past",
                    f"{show_weekday_date(starts_at, patient.location.zone)} at "
                    f"{show_time(starts_at, patient.location.zone)} has passed.",
                ),
            )
        alternatives = (
            _alternatives(patient, appointment_type, starts_at, room, staff) if conflicts else []
        )
        warning = spacing_warning(
            patient=patient, appointment_type=appointment_type, starts_at=starts_at, also=starts
        )
        slots.append(SeriesSlot(number, starts_at, conflicts, alternatives, warning))
    return slots


def book_series(
    *,
    actor,
    patient: Patient,
    appointment_type: AppointmentType,
    starts: list[datetime],
    room: Room | None,
    staff: User | None,
    plan_version=None,
    override_reason: str = "",
) -> list[Appointment]:
    """Book a whole series in one step: all sessions or none (a conflict in any refuses the lot,
    naming the session). The series' sessions are the plan's own, so the only warning is a nurse
    with no working hours on record, weighed once for the series like a single booking's."""
    ensure_can_act_on_patient(
        actor,
        patient,
        roles=BOOKING_ROLES,
        action="book appointments",
        event_type=AuditEventType.APPOINTMENT_BOOKED,
    )
    _validate(patient, appointment_type, room, staff)
    if not starts:
        raise ClinicError("Choose at least one session.")
    ordered = sorted(starts)
    for number, starts_at in enumerate(ordered, start=1):
        try:
            _ensure_future(starts_at)
        except ClinicError as error:
            raise ClinicError(f"Session {number}: {error.message}", field=error.field) from error
    with transaction.atomic(durable=True):
        _lock_resources(patient, room, staff)
        booked = []
        warned = _warned(
            booking_warnings(
                patient=patient,
                appointment_type=appointment_type,
                starts_at=ordered[0],
                staff=staff,
                in_plan_series=True,
            ),
            override_reason,
        )
        # Each session's spacing against the doses and bookings standing before this series and
        # the series' other sessions (the ones booked here are not yet rows when it is worked).
        warnings = [
            spacing_warning(
                patient=patient,
                appointment_type=appointment_type,
                starts_at=starts_at,
                plan_version=plan_version,
                also=ordered,
            )
            for starts_at in ordered
        ]
        for number, starts_at in enumerate(ordered, start=1):
            try:
                booked.append(
                    _create(
                        actor,
                        patient,
                        appointment_type,
                        starts_at,
                        room,
                        staff,
                        plan_version,
                        number,
                        warnings[number - 1],
                        warnings=warned,
                    )
                )
            except ConflictError as error:
                raise ConflictError(
                    [
                        Conflict(c.kind, f"Session {number}: {c.message}", c.appointment_id)
                        for c in error.conflicts
                    ],
                    error.alternatives,
                ) from error
        follow_ups.after_series(booked)
        return booked


# A patient's change request and the clinic's answer to it: what asking and answering write.
REQUEST_FIELDS = [
    "patient_request",
    "patient_request_note",
    "patient_request_at",
    "patient_request_reply",
    "patient_request_replied_at",
    "updated_at",
]


def request_change(
    *, patient_user, appointment: Appointment, kind: str, note: str = ""
) -> Appointment:
    """A patient (or a minor's guardian) asks, in the portal, to cancel or move an appointment; the clinic is told and
    staff act on it (the booking itself is not changed by the patient)."""
    # The patient, or a current guardian of a minor patient (their portal account).
    if patient_user.role not in PORTAL_ROLES or not can_view_patient(
        patient_user, appointment.patient
    ):
        raise InvalidTransitionError("We could not find that appointment.")
    if kind not in PatientRequestKind.values:
        raise ClinicError("Choose cancel or reschedule.", field="kind")
    with transaction.atomic(durable=True):
        locked = lock_appointment(appointment.pk)
        if locked.status != AppointmentStatus.BOOKED:
            raise InvalidTransitionError(
                f"This appointment is {locked.get_status_display().lower()}."
            )
        locked.patient_request, locked.patient_request_note, locked.patient_request_at = (
            kind,
            note.strip()[:500],
            timezone.now(),
        )
        # A new request replaces the clinic's answer to an earlier one.
        locked.patient_request_reply, locked.patient_request_replied_at = "", None
        locked.save(update_fields=REQUEST_FIELDS)
        record_audit_event(
            actor=patient_user,
            event_type=AuditEventType.APPOINTMENT_CHANGED,
            target=locked,
            about=locked,
            details={"patient_request": kind},
        )
        transaction.on_commit(lambda: _tell_clinic_of_request(locked.pk))
        return locked


def _tell_clinic_of_request(appointment_id: int) -> None:
    appointment = Appointment.objects.select_related("location").get(pk=appointment_id)
    link = settings.CLINIC_BASE_URL + reverse(
        "scheduling:appointment", args=[appointment.public_id]
    )
    send_mail(
        subject=f"Appointment change requested ({appointment.location.name})",
        message=f"A patient asked to {appointment.patient_request} an appointment. Open it (sign-in required):\n{link}\n",
        from_email=None,
        recipient_list=[appointment.location.on_call_email or settings.CLINIC_INTAKE_EMAIL],
    )


REQUEST_REPLY_MAX_CHARS = 500


def decline_change_request(*, actor, appointment: Appointment, reply: str) -> Appointment:
    """Decline a patient's request to cancel or move an appointment, with a note to the patient:
    the appointment stands, the request is closed, and the patient reads the note in the portal
    (an e-mail tells them there is an answer, without its words)."""
    ensure_can_act_on_patient(
        actor,
        appointment.patient,
        roles=BOOKING_ROLES,
        action="answer patients' change requests",
        event_type=AuditEventType.CHANGE_REQUEST_DECLINED,
    )
    reply = reply.strip()
    if not reply:
        raise ClinicError(
            "Write a note to the patient saying why, and what they can do instead.", field="reply"
        )
    if len(reply) > REQUEST_REPLY_MAX_CHARS:
        raise ClinicError(f"Keep the note to {REQUEST_REPLY_MAX_CHARS} characters.", field="reply")
    with transaction.atomic(durable=True):
        locked = lock_appointment(appointment.pk)
        if not locked.patient_request:
            raise InvalidTransitionError(
                "This request has already been answered (it is no longer open)."
            )
        kind = locked.patient_request
        _close_request(locked)
        locked.patient_request_reply, locked.patient_request_replied_at = reply, timezone.now()
        locked.save(update_fields=REQUEST_FIELDS)
        record_audit_event(
            actor=actor,
            event_type=AuditEventType.CHANGE_REQUEST_DECLINED,
            target=locked,
            about=locked,
            details={"patient_request": kind},
        )
        transaction.on_commit(partial(_tell_patient_of_reply, locked.pk))
        return locked


def _tell_patient_of_reply(appointment_id: int) -> None:
    """An e-mail that the clinic answered (the answer itself stays behind the sign-in)."""
    appointment = Appointment.objects.select_related("patient", "location").get(pk=appointment_id)
    if not appointment.patient.email:
        return
    link = settings.CLINIC_BASE_URL + reverse("scheduling:my_appointments")
    try:
        send_mail(
            subject=f"{appointment.location.name} answered your appointment request",
            message=(
                "The clinic has answered your request about an upcoming appointment. "
                f"Sign in to read it:\n{link}\n"
            ),
            from_email=None,
            recipient_list=[appointment.patient.email],
        )
    except (SMTPException, OSError):
        # The answer is in the portal all the same; the failure is logged (ids only).
        logger.warning("reply e-mail failed", extra={"appointment_id": appointment_id})


def accept_waitlist_offer(*, patient_user, offer: WaitlistOffer) -> Appointment:
    """The patient takes the earlier time offered from the waitlist: it is booked for them with
    every check of a booking (conflicts, warnings, a time still ahead). If it can no longer be
    booked the offer ends as taken, the time goes to the next patient, and the patient is told."""
    waitlist.ensure_offer_is_theirs(patient_user, offer)
    refusal = ""
    taken = False
    with transaction.atomic(durable=True):
        locked = lock_waitlist_offer(offer.pk)
        if locked.status != WaitlistOfferStatus.OPEN:
            raise InvalidTransitionError(
                f"This offer is {locked.get_status_display().lower()} already."
            )
        if locked.expires_at <= timezone.now():
            waitlist.close_offer(locked, WaitlistOfferStatus.EXPIRED, actor=None)
            waitlist.offer_again(locked, actor=None)
            refusal = "Sorry, this offer has expired and the time has gone to the next patient."
        else:
            entry = lock_waitlist_entry(locked.entry_id)
            try:
                # A savepoint: a refused booking leaves the offer to be closed as taken.
                with transaction.atomic():
                    _validate(entry.patient, entry.appointment_type, locked.room, locked.staff)
                    _ensure_future(locked.starts_at)
                    appointment = _book_locked(
                        patient_user,
                        entry.patient,
                        entry.appointment_type,
                        locked.starts_at,
                        locked.room,
                        locked.staff,
                    )
            except ClinicError as error:
                waitlist.close_offer(
                    locked, WaitlistOfferStatus.TAKEN, actor=patient_user, why=error.message[:200]
                )
                taken = True
                refusal = (
                    "Sorry, that time has just been taken, so it could not be booked. You stay on "
                    "the waitlist for the next one."
                )
            else:
                locked.appointment = appointment
                locked.save(update_fields=["appointment", "updated_at"])
                waitlist.close_offer(locked, WaitlistOfferStatus.ACCEPTED, actor=patient_user)
                entry.status, entry.closed_at, entry.closed_by = (
                    WaitlistStatus.BOOKED,
                    timezone.now(),
                    patient_user,
                )
                entry.save(update_fields=["status", "closed_at", "closed_by", "updated_at"])
    if taken:
        # Offered on in a transaction of its own: this one held the booking's rows, which the
        # next patient's entry must not be locked after (waitlist.py, the order of locks).
        waitlist.offer_again_in_turn(offer.pk, actor=patient_user)
    if refusal:
        raise InvalidTransitionError(refusal)
    return appointment
