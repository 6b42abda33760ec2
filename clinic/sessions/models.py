"""The treatment session: one patient's visit to the chair, from check-in to the signed record.

Vital signs live in the one `patients.VitalSigns` table; a session links its readings through
`SessionReading` (which also makes a monitor's retried reading idempotent)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models

from clinic.core.choices import Route
from clinic.core.dates import show_date, show_time
from clinic.core.models import TimeStampedModel
from clinic.patients.ranges import PLAUSIBLE
from clinic.sessions.choices import (
    AlertStatus,
    DissociationMoment,
    Gate,
    InfusionEventKind,
    Intervention,
    Outcome,
    PregnancyTest,
    ReadingSource,
    SessionStatus,
    Severity,
    SideEffectKind,
    SignatureRole,
)

_user = settings.AUTH_USER_MODEL


def _person(related_name: str = "+"):
    return models.ForeignKey(
        _user, null=True, blank=True, on_delete=models.PROTECT, related_name=related_name
    )


class TreatmentSession(TimeStampedModel):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="treatment_sessions"
    )
    location = models.ForeignKey("core.Location", on_delete=models.PROTECT, related_name="+")
    appointment = models.OneToOneField(
        "scheduling.Appointment", on_delete=models.PROTECT, related_name="treatment_session"
    )
    plan_version = models.ForeignKey(
        "treatment.TreatmentPlanVersion", on_delete=models.PROTECT, related_name="sessions"
    )
    route = models.CharField(max_length=12, choices=Route.choices)
    status = models.CharField(
        max_length=12, choices=SessionStatus.choices, default=SessionStatus.PREPARATION
    )
    started_by = models.ForeignKey(_user, on_delete=models.PROTECT, related_name="+")
    # Raised by every service that changes the session, under the row lock: a form carries the
    # version it was opened at, so a change made meanwhile by someone else is refused, not
    # silently overwritten (optimistic concurrency).
    version = models.PositiveIntegerField(default=1)

    # Checklist (each item names who confirmed it and when).
    identity_confirmed_by = _person()
    identity_confirmed_at = models.DateTimeField(null=True, blank=True)
    fasting_confirmed = models.BooleanField(null=True)
    escort_name = models.CharField(max_length=120, blank=True)
    escort_phone = models.CharField(max_length=40, blank=True)
    escort_confirmed = models.BooleanField(null=True)
    pregnancy_test = models.CharField(
        max_length=16, choices=PregnancyTest.choices, blank=True, default=""
    )
    pregnancy_test_note = models.CharField(max_length=200, blank=True)
    checklist_updated_by = _person()
    checklist_updated_at = models.DateTimeField(null=True, blank=True)

    # Dose: worked out from the plan and today's weight, confirmed by the nurse, verified by a
    # second member of staff who re-enters their password.
    weight_kg = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    dose_mg = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True)
    dose_working = models.CharField(max_length=300, blank=True)
    vial_lot = models.CharField(max_length=40, blank=True)
    vial_expiry = models.DateField(null=True, blank=True)
    dose_confirmed_by = _person()
    dose_confirmed_at = models.DateTimeField(null=True, blank=True)
    dose_verified_by = _person()
    dose_verified_at = models.DateTimeField(null=True, blank=True)
    dosed_at = models.DateTimeField(null=True, blank=True)
    # The dose actually given, in mg, set when the dose ends: at once for IM, intranasal and oral
    # routes (the verified dose); for IV worked out from the infusion events (rate × time, at
    # most the dose drawn) when it is stopped early, or the whole dose drawn when it completes.
    # The controlled-substance record takes this as the amount administered.
    dose_given_mg = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True)
    dose_given_working = models.CharField(max_length=600, blank=True)

    # Discharge: modified Aldrete items (0–2 each), total, escort and instructions.
    aldrete_activity = models.PositiveSmallIntegerField(null=True, blank=True)
    aldrete_respiration = models.PositiveSmallIntegerField(null=True, blank=True)
    aldrete_circulation = models.PositiveSmallIntegerField(null=True, blank=True)
    aldrete_consciousness = models.PositiveSmallIntegerField(null=True, blank=True)
    aldrete_oxygen_saturation = models.PositiveSmallIntegerField(null=True, blank=True)
    aldrete_total = models.PositiveSmallIntegerField(null=True, blank=True)
    # The items the record answers (SpO₂ with oxygen, circulation against the pre-dose pressure,
    # consciousness from ACVPU) as the data scored them when the nurse scored discharge:
    # {item: {"derived": 0–2, "basis": "…", "entered": 0–2, "reason": "…"}}; "reason" is the
    # nurse's written reason when the entry differs from the data (rules.aldrete_contradictions).
    aldrete_from_data = models.JSONField(default=dict, blank=True)
    escort_present = models.BooleanField(null=True)
    instructions_given = models.BooleanField(null=True)
    # The printed after-care sheet handed to the patient and escort at discharge: who, when, and
    # a SHA-256 of the sheet's text as handed (clinic.sessions.aftercare).
    aftercare_given_by = _person()
    aftercare_given_at = models.DateTimeField(null=True, blank=True)
    aftercare_sheet_sha256 = models.CharField(max_length=64, blank=True)
    # When every discharge criterion was first found met (the "time ready").
    ready_for_discharge_at = models.DateTimeField(null=True, blank=True)
    discharged_at = models.DateTimeField(null=True, blank=True)
    discharged_by = _person()
    discharge_override_reason = models.TextField(blank=True)
    discharge_override_by = _person()
    # Before each CADSS-6 rating was a row of its own (DissociationRating), the one rating of the
    # session; kept for the records signed then. New ratings are DissociationRating rows.
    dissociation_response = models.ForeignKey(
        "assessments.AssessmentResponse",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    # Stopped before dosing.
    not_done_reason = models.TextField(blank=True)

    # Sign and lock.
    locked_at = models.DateTimeField(null=True, blank=True)
    content_sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["location", "status"], name="session_board"),
            models.Index(fields=["patient", "-created_at"], name="session_patient"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(dose_mg__isnull=True) | models.Q(dose_mg__gt=0),
                name="session_dose_positive",
            ),
            models.CheckConstraint(
                condition=PLAUSIBLE["weight_kg"].holds("weight_kg"),
                name="session_weight_physiological",
            ),
            # The second check is by another person.
            models.CheckConstraint(
                condition=models.Q(dose_verified_by__isnull=True)
                | ~models.Q(dose_verified_by=models.F("dose_confirmed_by")),
                name="session_dose_verified_by_second_person",
            ),
            models.CheckConstraint(
                condition=models.Q(dosed_at__isnull=True)
                | models.Q(dose_verified_at__isnull=False),
                name="session_dosed_only_after_verification",
            ),
            models.CheckConstraint(
                condition=models.Q(aldrete_total__isnull=True) | models.Q(aldrete_total__lte=10),
                name="session_aldrete_total_range",
            ),
            # Never more than was drawn up and verified.
            models.CheckConstraint(
                condition=models.Q(dose_given_mg__isnull=True)
                | (
                    models.Q(dose_given_mg__gte=0)
                    & models.Q(dose_given_mg__lte=models.F("dose_mg"))
                ),
                name="session_dose_given_within_dose",
            ),
        ]

    def __str__(self) -> str:
        return f"Session {self.public_id} ({self.get_status_display()})"

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None


class GateOverride(models.Model):
    """A clinician's documented decision to dose although a gate is not met."""

    session = models.ForeignKey(
        TreatmentSession, on_delete=models.PROTECT, related_name="overrides"
    )
    gate = models.CharField(max_length=20, choices=Gate.choices)
    reason = models.TextField()
    by = models.ForeignKey(_user, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "gate"], name="one_override_per_gate"),
            models.CheckConstraint(condition=~models.Q(reason=""), name="override_has_reason"),
        ]

    def __str__(self) -> str:
        return f"Override of {self.get_gate_display()}"


class SessionReading(models.Model):
    """A set of vital signs taken in a session (by hand or posted by a monitor)."""

    session = models.ForeignKey(TreatmentSession, on_delete=models.PROTECT, related_name="readings")
    vital_signs = models.OneToOneField(
        "patients.VitalSigns", on_delete=models.PROTECT, related_name="session_reading"
    )
    source = models.CharField(max_length=8, choices=ReadingSource.choices)
    device = models.ForeignKey(
        "accounts.MonitorDevice", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The monitor's own id for the reading: a retried post with the same id is stored once.
    device_reading_id = models.CharField(max_length=80, blank=True)
    # Measured before dosing (the baseline and the pre-dose gate read these).
    pre_dose = models.BooleanField(default=False)
    taken_at = models.DateTimeField()

    class Meta:
        ordering = ["taken_at", "id"]
        indexes = [
            models.Index(fields=["session", "taken_at"], name="reading_session_time"),
            # The pre-dose baseline (the latest pre-dose reading) is found without walking the
            # readings taken since the dose.
            models.Index(
                fields=["session", "taken_at", "id"],
                condition=models.Q(pre_dose=True),
                name="reading_session_pre_dose",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "device", "device_reading_id"],
                condition=~models.Q(device_reading_id=""),
                name="device_reading_once",
            ),
        ]

    def __str__(self) -> str:
        return f"Reading at {show_time(self.taken_at)}"


class MonitoringAlert(models.Model):
    """A reading outside the protocol's limits (or well away from the patient's baseline): one
    alert per reading, listing every breach of it (`breaches`), open until acknowledged with the
    action taken in one step. A stop-level alert is closed only by a prescriber; a nurse records
    what they did (`interim_action`) while it stays open.

    Rows written before one alert listed all its breaches hold a single breach in `parameter`,
    `value` and `limit` and an empty `breaches`; `breach_list` reads both shapes. On a new row those
    three columns repeat the first breach."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    session = models.ForeignKey(TreatmentSession, on_delete=models.PROTECT, related_name="alerts")
    reading = models.ForeignKey(SessionReading, on_delete=models.PROTECT, related_name="alerts")
    parameter = models.CharField(max_length=30)
    # Empty when the first breach is not a number (consciousness).
    value = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    limit = models.CharField(max_length=40)
    message = models.CharField(max_length=1000)
    # Each breach: {"parameter", "value", "limit", "message", "stop", "blocks_dosing", "source"}.
    breaches = models.JSONField(default=list, blank=True)
    blocks_dosing = models.BooleanField(default=False)
    # A breach of the protocol's stop level: a prescriber acknowledges it.
    stop_level = models.BooleanField(default=False)
    raised_at = models.DateTimeField()
    # Still open at this time, the alert re-alerts (the protocol's minutes after it was raised).
    escalates_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=14, choices=AlertStatus.choices, default=AlertStatus.OPEN)
    acknowledged_by = _person()
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    action_taken = models.TextField(blank=True)
    # What a nurse did about a stop-level alert before a prescriber closes it (each entry timed
    # and named, newest last).
    interim_action = models.TextField(blank=True)
    interim_action_by = _person()
    interim_action_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status=AlertStatus.OPEN)
                | (models.Q(acknowledged_by__isnull=False) & ~models.Q(action_taken="")),
                name="acknowledged_alert_has_action",
            ),
        ]

    def __str__(self) -> str:
        return self.message

    @property
    def breach_list(self) -> list[dict]:
        if self.breaches:
            return self.breaches
        return [
            {
                "parameter": self.parameter,
                "value": "" if self.value is None else str(self.value),
                "limit": self.limit,
                "message": self.message,
                "stop": False,
                "blocks_dosing": self.blocks_dosing,
                "source": "",
            }
        ]

    # Set on each alert a page shows, from `is_escalated` at that moment.
    escalated: bool = False

    def is_escalated(self, now) -> bool:
        """Open past its escalation time (computed from the times: no background job)."""
        return (
            self.status == AlertStatus.OPEN
            and self.escalates_at is not None
            and now >= self.escalates_at
        )


class InfusionEvent(models.Model):
    session = models.ForeignKey(
        TreatmentSession, on_delete=models.PROTECT, related_name="infusion_events"
    )
    kind = models.CharField(max_length=12, choices=InfusionEventKind.choices)
    at = models.DateTimeField()
    rate_mg_per_hour = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True)
    reason = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(_user, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return self.get_kind_display()


class SideEffect(models.Model):
    session = models.ForeignKey(
        TreatmentSession, on_delete=models.PROTECT, related_name="side_effects"
    )
    kind = models.CharField(max_length=20, choices=SideEffectKind.choices)
    details = models.CharField(max_length=300, blank=True)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    onset_at = models.DateTimeField()
    # Intervention codes: what was done.
    interventions = models.JSONField(default=list)
    intervention_details = models.CharField(max_length=300, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    recorded_by = models.ForeignKey(_user, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["onset_at", "id"]

    def __str__(self) -> str:
        return self.get_kind_display()

    @property
    def intervention_labels(self) -> str:
        """What was done, in words ("Infusion rate reduced, Antiemetic given")."""
        labels = dict(Intervention.choices)
        return ", ".join(str(labels.get(code, code)) for code in self.interventions)


class MedicationAdministration(models.Model):
    """A medicine given in the session other than the ketamine dose (e.g. ondansetron)."""

    session = models.ForeignKey(
        TreatmentSession, on_delete=models.PROTECT, related_name="administrations"
    )
    medication = models.CharField(max_length=120)
    dose_amount = models.DecimalField(
        max_digits=7, decimal_places=2, validators=[MinValueValidator(0)]
    )
    dose_unit = models.CharField(max_length=10)
    route = models.CharField(max_length=20)
    given_at = models.DateTimeField()
    reason = models.CharField(max_length=300)
    side_effect = models.ForeignKey(
        SideEffect, null=True, blank=True, on_delete=models.PROTECT, related_name="administrations"
    )
    given_by = models.ForeignKey(_user, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["given_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(dose_amount__gt=0), name="administration_dose_positive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.medication} {self.dose_amount} {self.dose_unit}"


class DissociationRating(models.Model):
    """One CADSS-6 rating in the session, at a stated moment (at the peak, before discharge …); a
    session may have several. The answers and score are the assessment response."""

    session = models.ForeignKey(
        TreatmentSession, on_delete=models.PROTECT, related_name="dissociation_ratings"
    )
    response = models.OneToOneField(
        "assessments.AssessmentResponse", on_delete=models.PROTECT, related_name="+"
    )
    moment = models.CharField(max_length=20, choices=DissociationMoment.choices)
    taken_at = models.DateTimeField()
    rated_by = models.ForeignKey(_user, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["taken_at", "id"]

    def __str__(self) -> str:
        return f"CADSS-6 ({self.get_moment_display()})"


class SessionSignature(models.Model):
    session = models.ForeignKey(
        TreatmentSession, on_delete=models.PROTECT, related_name="signatures"
    )
    role = models.CharField(max_length=10, choices=SignatureRole.choices)
    signed_by = models.ForeignKey(_user, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField()
    content_sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["signed_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "role"], name="one_signature_per_role")
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} signature"


class SessionAddendum(models.Model):
    """A correction or late entry after the record is signed; the original stays as signed."""

    session = models.ForeignKey(TreatmentSession, on_delete=models.PROTECT, related_name="addenda")
    text = models.TextField()
    author = models.ForeignKey(_user, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    content_sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "session addenda"

    def __str__(self) -> str:
        return f"Addendum {show_date(self.created_at)}"


class RemsFormSubmission(models.Model):
    """That the Spravato REMS Patient Monitoring Form of an esketamine session was submitted to
    the REMS (online or by fax), with the confirmation the REMS gave. Rows are never changed: a
    mistyped submission is recorded again, and the latest one stands."""

    session = models.ForeignKey(
        TreatmentSession, on_delete=models.PROTECT, related_name="rems_submissions"
    )
    # The form's version the clinic filled in (its concomitant-medicine block has changed).
    form_version = models.CharField(max_length=20)
    submitted_on = models.DateField()
    confirmation_number = models.CharField(max_length=60)
    submitted_by = models.ForeignKey(_user, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-recorded_at", "-id"]

    def __str__(self) -> str:
        return f"REMS form submitted {show_date(self.submitted_on)} ({self.confirmation_number})"
