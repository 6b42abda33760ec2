"""Retention: the team's attempts to reach patients who dropped off mid-induction or missed a
session (the drop-off list, `clinic.outcomes.retention`). Appended, never changed."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from clinic.core.dates import show_date
from clinic.outcomes.choices import OutreachChannel, OutreachResult

OUTREACH_NOTE_MAX_CHARS = 1000


class OutreachAttempt(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="outreach_attempts"
    )
    location = models.ForeignKey("core.Location", on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(max_length=20, choices=OutreachChannel.choices)
    result = models.CharField(max_length=20, choices=OutreachResult.choices)
    note = models.TextField(max_length=OUTREACH_NOTE_MAX_CHARS, blank=True)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    made_at = models.DateTimeField()

    class Meta:
        ordering = ["-made_at", "-id"]
        indexes = [models.Index(fields=["patient", "-made_at"], name="outreach_latest")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(channel__in=OutreachChannel.values),
                name="outreach_channel_known",
            ),
            models.CheckConstraint(
                condition=models.Q(result__in=OutreachResult.values), name="outreach_result_known"
            ),
        ]

    def __str__(self) -> str:
        return f"Outreach to {self.patient_id} on {show_date(self.made_at)}"


class CourseSummary(models.Model):
    """Derived data, one row per patient with a course of care: the milestones the outcomes page
    counts, so that its figures are aggregates over one indexed row per patient instead of a
    search of every patient's sessions. `clinic.outcomes.courses.refresh_courses` recomputes a
    patient's row from the evaluations, plans and sessions inside the transaction of every service
    that changes one of them (`manage.py rebuild_course_summaries` recomputes them all)."""

    patient = models.OneToOneField(
        "patients.Patient", on_delete=models.CASCADE, related_name="course_summary"
    )
    location = models.ForeignKey("core.Location", on_delete=models.PROTECT, related_name="+")
    evaluated = models.BooleanField(default=False)
    suitable = models.BooleanField(default=False)
    plan_signed = models.BooleanField(default=False)
    # The induction the latest signed plan version sets (0 without one).
    induction_sessions = models.PositiveIntegerField(default=0)
    dosed_sessions = models.PositiveIntegerField(default=0)
    plan_completed = models.BooleanField(default=False)
    plan_stopped = models.BooleanField(default=False)
    # The first dosed session (the 3-month outcome counts from it) ...
    first_dose_at = models.DateTimeField(null=True, blank=True)
    first_dose_protocol = models.ForeignKey(
        "treatment.ProtocolTemplate",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    first_dose_route = models.CharField(max_length=20, blank=True)
    # ... and the session at which response is read (the sixth).
    outcome_dose_at = models.DateTimeField(null=True, blank=True)
    outcome_dose_protocol = models.ForeignKey(
        "treatment.ProtocolTemplate",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    outcome_dose_route = models.CharField(max_length=20, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["first_dose_at"], name="course_first_dose"),
            models.Index(fields=["outcome_dose_at"], name="course_outcome_dose"),
        ]

    def __str__(self) -> str:
        return f"Course summary of patient {self.patient_id}"


class OutcomeScore(models.Model):
    """Derived data beside `CourseSummary`: for each of a patient's progress series, the baseline
    and the scores read at the outcome points (the first score on or after the sixth dose; the
    first in the 3-month window). Kept with the course summary."""

    course = models.ForeignKey(CourseSummary, on_delete=models.CASCADE, related_name="scores")
    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="+")
    instrument_code = models.CharField(max_length=20)
    baseline_total = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    score_after_outcome_dose = models.DecimalField(
        max_digits=6, decimal_places=2, null=True, blank=True
    )
    score_at_3_months = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "instrument_code"], name="one_outcome_score_per_series"
            )
        ]
        indexes = [models.Index(fields=["instrument_code", "course"], name="outcome_score_series")]

    def __str__(self) -> str:
        return f"Outcome scores of patient {self.patient_id}, {self.instrument_code}"


class SessionFigures(models.Model):
    """Derived data, one narrow row per dosed session: what the outcomes page's session figures
    (sessions per patient, side effects per 100 sessions, discharge delay) count, with the
    session's filters (location, time, route, protocol) beside them, so that the figures are one
    scan of a narrow table instead of joins of the sessions, their plans and their side effects.
    Kept with the course summary (`clinic.outcomes.courses`), and rewritten when a dosed
    session's side effects or discharge change."""

    session = models.OneToOneField(
        "treatment_sessions.TreatmentSession",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
    )
    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="+")
    location = models.ForeignKey("core.Location", on_delete=models.PROTECT, related_name="+")
    dosed_at = models.DateTimeField()
    route = models.CharField(max_length=20)
    protocol = models.ForeignKey(
        "treatment.ProtocolTemplate", on_delete=models.PROTECT, related_name="+"
    )
    side_effects = models.PositiveIntegerField(default=0)
    # From "ready for discharge" to the discharge; None until both are recorded.
    discharge_delay = models.DurationField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["dosed_at"], name="session_figures_dosed")]

    def __str__(self) -> str:
        return f"Figures of session {self.session_id}"
