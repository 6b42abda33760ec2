"""Rooms and chairs, staff hours, appointment types and appointments."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from clinic.core.choices import Route
from clinic.core.dates import show_datetime, show_time
from clinic.core.models import TimeStampedModel
from clinic.scheduling.choices import (
    AppointmentKind,
    AppointmentStatus,
    CancelReason,
    FollowUpKind,
    FollowUpStatus,
    PatientRequestKind,
    RoomKind,
    StaffRole,
    WaitlistOfferStatus,
    WaitlistStatus,
)


class Room(TimeStampedModel):
    """A bookable treatment room or infusion chair at a location (a resource, not a person)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    location = models.ForeignKey("core.Location", on_delete=models.PROTECT, related_name="rooms")
    name = models.CharField(max_length=80)
    kind = models.CharField(max_length=10, choices=RoomKind.choices, default=RoomKind.CHAIR)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["location", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["location", "name"], name="room_name_unique_at_location"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.location})"


class StaffHours(models.Model):
    """When a member of staff works at a location, one row per weekday span (local time)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="working_hours"
    )
    location = models.ForeignKey("core.Location", on_delete=models.PROTECT, related_name="+")
    weekday = models.PositiveSmallIntegerField(
        choices=[
            (0, "Monday"),
            (1, "Tuesday"),
            (2, "Wednesday"),
            (3, "Thursday"),
            (4, "Friday"),
            (5, "Saturday"),
            (6, "Sunday"),
        ]
    )
    starts = models.TimeField()
    ends = models.TimeField()

    class Meta:
        ordering = ["user", "weekday", "starts"]
        verbose_name_plural = "staff hours"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends__gt=models.F("starts")), name="staff_hours_end_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.get_weekday_display()} {show_time(self.starts)}–{show_time(self.ends)}"


class AppointmentType(TimeStampedModel):
    """What is booked and for how long. A treatment session's duration covers the dosing and the
    monitoring and recovery before discharge (e.g. esketamine: at least 2 hours of observation)."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=20, choices=AppointmentKind.choices)
    route = models.CharField(max_length=12, choices=Route.choices, blank=True)
    duration_minutes = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(5), MaxValueValidator(600)]
    )
    needs_room = models.BooleanField(default=True)
    staff_role = models.CharField(max_length=12, choices=StaffRole.choices)
    send_questionnaires = models.BooleanField(
        default=False, help_text="Send the patient's questionnaires before it."
    )
    preparation = models.TextField(
        blank=True, help_text="Instructions sent with reminders (fasting, a driver …)."
    )
    source = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class Appointment(TimeStampedModel):
    """A booked time for one patient: a room or chair, a member of staff, and a type."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="appointments"
    )
    location = models.ForeignKey(
        "core.Location", on_delete=models.PROTECT, related_name="appointments"
    )
    appointment_type = models.ForeignKey(
        AppointmentType, on_delete=models.PROTECT, related_name="+"
    )
    room = models.ForeignKey(
        Room, null=True, blank=True, on_delete=models.PROTECT, related_name="appointments"
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appointments",
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    status = models.CharField(
        max_length=12, choices=AppointmentStatus.choices, default=AppointmentStatus.BOOKED
    )
    plan_version = models.ForeignKey(
        "treatment.TreatmentPlanVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appointments",
    )
    series_number = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Session number within the plan's series."
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    checked_in_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=20, choices=CancelReason.choices, blank=True)
    cancel_details = models.CharField(max_length=300, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # iCalendar SEQUENCE: raised on each change so calendars update the event.
    sequence = models.PositiveIntegerField(default=0)
    # A pre-visit check-in answer that needs staff attention (no ride, not fasting …).
    flagged = models.BooleanField(default=False)
    flag_reason = models.CharField(max_length=300, blank=True)
    # A treatment booked too close to another dose (the protocol's days between doses or its
    # most doses in any 7 days), as the front desk was warned when booking it: a warning, never a
    # refusal (the pre-dose gates decide on the day). Empty when it was spaced as asked.
    dose_spacing_warning = models.CharField(max_length=1000, blank=True)
    # What the front desk was warned of and booked anyway (a member of staff with no working
    # hours on record, a treatment outside the plan: clinic.scheduling.booking_checks), with the
    # reason they gave. Both empty when there was nothing to warn of.
    booking_warnings = models.TextField(blank=True)
    override_reason = models.CharField(max_length=300, blank=True)
    # A patient's request from the portal (cancel or reschedule), for staff to act on.
    # Cleared when staff act on it (cancel, move, or decline it with a reply); the audit trail
    # keeps who acted and when.
    patient_request = models.CharField(
        max_length=12, choices=PatientRequestKind.choices, blank=True
    )
    patient_request_note = models.CharField(max_length=500, blank=True)
    patient_request_at = models.DateTimeField(null=True, blank=True)
    # The clinic's answer to a request it declined, shown to the patient in the portal until they
    # ask again.
    patient_request_reply = models.CharField(max_length=500, blank=True)
    patient_request_replied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["location", "starts_at"], name="appt_location_time"),
            models.Index(fields=["room", "starts_at"], name="appt_room_time"),
            models.Index(fields=["staff", "starts_at"], name="appt_staff_time"),
            models.Index(fields=["patient", "starts_at"], name="appt_patient_time"),
            # The front desk's worklist of open change requests, oldest first.
            models.Index(
                fields=["location", "patient_request_at"],
                name="appt_open_requests",
                condition=~models.Q(patient_request=""),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="appointment_ends_after_start",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=AppointmentStatus.CANCELLED)
                | ~models.Q(cancel_reason=""),
                name="cancelled_appointment_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.appointment_type} {show_datetime(self.starts_at)}"


class ReminderDispatch(models.Model):
    """A reminder that was sent: the unique constraint makes sending exactly once, even if the job
    runs twice at the same time or crashes half-way and is run again."""

    appointment = models.ForeignKey(Appointment, on_delete=models.PROTECT, related_name="reminders")
    kind = models.CharField(max_length=10)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["appointment", "kind"], name="one_reminder_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.kind} reminder for {self.appointment_id}"


class CalendarFeed(models.Model):
    """A staff member's private iCalendar feed; the URL holds a token whose hash is stored.
    Revoking replaces the token, so the old URL stops working."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token_sha256 = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Calendar feed of {self.user}"


class SchedulingPolicy(TimeStampedModel):
    """The clinic's scheduling settings, edited by the medical director (one row)."""

    # How many patients one nurse watches at the chair side at once [UNVERIFIED: clinic policy;
    # no source sets a ratio for ketamine monitoring].
    nurse_chair_capacity = models.PositiveSmallIntegerField(
        default=2, validators=[MinValueValidator(1), MaxValueValidator(6)]
    )
    # Hours before an appointment when reminders go out, e.g. "24,2" [clinic policy: 24 h and 2 h].
    reminder_hours = models.CharField(max_length=40, default="24,2")
    # How long a patient on the waitlist has to accept a freed time before it goes to the next
    # one [UNVERIFIED: clinic policy]; never past the time itself.
    waitlist_offer_hours = models.PositiveSmallIntegerField(
        default=24, validators=[MinValueValidator(1), MaxValueValidator(168)]
    )
    singleton = models.BooleanField(default=True, unique=True, editable=False)

    class Meta:
        verbose_name_plural = "scheduling policy"

    def __str__(self) -> str:
        return "Scheduling policy"

    @property
    def reminder_hours_list(self) -> list[int]:
        return sorted(
            {int(part) for part in self.reminder_hours.split(",") if part.strip().isdigit()},
            reverse=True,
        )


class PreVisitCheckIn(models.Model):
    """The patient's answers before a visit (sent with the reminder): fasting, a ride home,
    medication changes. A missing or worrying answer flags the appointment for staff; the answers
    appear on the session's checklist."""

    appointment = models.OneToOneField(
        Appointment, on_delete=models.PROTECT, related_name="pre_visit"
    )
    location = models.ForeignKey("core.Location", on_delete=models.PROTECT, related_name="+")
    token_sha256 = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    fasting_as_instructed = models.BooleanField(null=True)
    ride_home_arranged = models.BooleanField(null=True)
    medication_changed = models.BooleanField(null=True)
    medication_change_details = models.CharField(max_length=500, blank=True)

    def __str__(self) -> str:
        return f"Pre-visit check-in for {self.appointment_id}"

    @property
    def concerns(self) -> list[str]:
        found = []
        if self.fasting_as_instructed is False:
            found.append("Not fasting as instructed")
        if self.ride_home_arranged is False:
            found.append("No ride home arranged")
        if self.medication_changed:
            found.append(
                f"Medication changed: {self.medication_change_details or 'no details given'}"
            )
        return found


class FollowUp(TimeStampedModel):
    """A follow-up or reassessment that is due (after a session, after an induction series), so
    that none slips: open until it is booked and done."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="follow_ups"
    )
    location = models.ForeignKey("core.Location", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=FollowUpKind.choices)
    due_on = models.DateField()
    reason = models.CharField(max_length=200)
    source_appointment = models.ForeignKey(
        Appointment,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="follow_ups_created",
    )
    appointment = models.ForeignKey(
        Appointment,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="follow_ups_booked",
    )
    status = models.CharField(
        max_length=10,
        choices=FollowUpStatus.choices,
        default=FollowUpStatus.OPEN,
        db_index=True,
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["location", "status", "due_on"], name="follow_up_queue")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} due {self.due_on}"


class WaitlistEntry(TimeStampedModel):
    """A patient who wants an earlier time for an appointment type, between two dates: when a
    booked time of that type at their location comes free inside those dates, it is offered to
    the first patient waiting for whom it fits."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="waitlist_entries"
    )
    location = models.ForeignKey("core.Location", on_delete=models.PROTECT, related_name="+")
    appointment_type = models.ForeignKey(
        AppointmentType, on_delete=models.PROTECT, related_name="+"
    )
    earliest_on = models.DateField()
    latest_on = models.DateField()
    preferred_times = models.CharField(max_length=300, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        max_length=10, choices=WaitlistStatus.choices, default=WaitlistStatus.WAITING
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "waitlist entries"
        indexes = [
            models.Index(
                fields=["location", "appointment_type", "created_at"],
                name="waitlist_queue",
                condition=models.Q(status=WaitlistStatus.WAITING),
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(latest_on__gte=models.F("earliest_on")),
                name="waitlist_window_in_order",
            ),
            # One place in the queue per patient and appointment type.
            models.UniqueConstraint(
                fields=["patient", "appointment_type"],
                condition=models.Q(status=WaitlistStatus.WAITING),
                name="one_waiting_entry_per_patient_and_type",
            ),
        ]

    def __str__(self) -> str:
        return f"Waitlist: {self.appointment_type} {self.earliest_on}–{self.latest_on}"


class WaitlistOffer(TimeStampedModel):
    """A freed time offered to one waiting patient until it expires: accepted (and booked),
    declined, expired or found taken. The time (room, staff, start and end) is copied from the
    appointment that freed it, so it can be offered again to the next patient."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    entry = models.ForeignKey(WaitlistEntry, on_delete=models.PROTECT, related_name="offers")
    location = models.ForeignKey("core.Location", on_delete=models.PROTECT, related_name="+")
    freed_by = models.ForeignKey(
        Appointment, on_delete=models.PROTECT, related_name="waitlist_offers_made"
    )
    room = models.ForeignKey(
        Room, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    status = models.CharField(
        max_length=10, choices=WaitlistOfferStatus.choices, default=WaitlistOfferStatus.OPEN
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    appointment = models.OneToOneField(
        Appointment,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="waitlist_offer",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["expires_at"],
                name="waitlist_open_offers",
                condition=models.Q(status=WaitlistOfferStatus.OPEN),
            ),
            models.Index(fields=["location", "created_at"], name="waitlist_offers_at"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="waitlist_offer_ends_after_start",
            ),
            # A patient holds one open offer at a time, and a freed time is offered to one
            # patient at a time.
            models.UniqueConstraint(
                fields=["entry"],
                condition=models.Q(status=WaitlistOfferStatus.OPEN),
                name="one_open_offer_per_entry",
            ),
            models.UniqueConstraint(
                fields=["freed_by", "starts_at"],
                condition=models.Q(status=WaitlistOfferStatus.OPEN),
                name="one_open_offer_per_freed_time",
            ),
        ]

    def __str__(self) -> str:
        return f"Waitlist offer {show_datetime(self.starts_at)} ({self.get_status_display()})"
