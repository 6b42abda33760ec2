"""Questionnaires sent to patients, their answers and scores, and the safety alerts they raise."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from clinic.assessments.choices import (
    REVIEW_REASONS,
    AlertReason,
    AlertStatus,
    AssessmentContext,
    ContactOutcome,
    RequestStatus,
    ResponseMode,
    ResponseStatus,
    SideEffectCheckAnswer,
    SideEffectSeverity,
)
from clinic.assessments.instruments import INSTRUMENTS
from clinic.assessments.side_effects import symptom_labels
from clinic.core.choices import Condition
from clinic.core.dates import show_date
from clinic.core.models import TimeStampedModel


class AssessmentPolicy(TimeStampedModel):
    """The clinic's measurement-based-care settings, edited by the medical director (one row)."""

    # How often an instrument is repeated while a patient is in active treatment, and in maintenance.
    # Clinic policy [UNVERIFIED: no published interval]; MoodMonitor-style "before each session" is
    # served by the pre-session questionnaires of the scheduling issue.
    active_interval_days = models.PositiveSmallIntegerField(
        default=14, validators=[MinValueValidator(1)]
    )
    maintenance_interval_days = models.PositiveSmallIntegerField(
        default=28, validators=[MinValueValidator(1)]
    )
    # After the interval, days before "due" becomes "overdue".
    overdue_after_days = models.PositiveSmallIntegerField(default=7)
    # How long a questionnaire link works.
    link_valid_days = models.PositiveSmallIntegerField(
        default=7, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    # PCL-5 provisional-diagnosis cut-off: 31–33 "appears reasonable" (NCPTSD).
    pcl5_cutoff = models.PositiveSmallIntegerField(
        default=33, validators=[MinValueValidator(31), MaxValueValidator(33)]
    )
    # MADRS remission cut-off (at most): 10 in an IV ketamine cohort (Tan et al., Front Psychiatry
    # 2025;16:1498952), 12 in the esketamine programme (SUSTAIN-3, CNS Drugs 2023;37:715). Default
    # 10 for IV ketamine [UNVERIFIED default choice]; set 12 for an esketamine clinic.
    madrs_remission_at_most = models.PositiveSmallIntegerField(
        default=10, validators=[MinValueValidator(0), MaxValueValidator(20)]
    )
    # Possible relapse (clinic.assessments.relapse): after a response, the last two answers above
    # the point this share of the way from the best score back to baseline. Clinic policy
    # [UNVERIFIED: no retrieved source fixes a relapse threshold for ketamine care].
    relapse_share_percent = models.PositiveSmallIntegerField(
        default=50,
        validators=[MinValueValidator(10), MaxValueValidator(100)],
        help_text=(
            "Possible relapse: after a response, two answers in a row above this share (%) of "
            "the way from the best score back to baseline (clinic policy, UNVERIFIED)."
        ),
    )
    # Who is e-mailed an urgent safety alert when the patient's location names nobody.
    on_call_email = models.EmailField(blank=True)
    singleton = models.BooleanField(default=True, unique=True, editable=False)

    class Meta:
        verbose_name_plural = "assessment policy"

    def __str__(self) -> str:
        return "Assessment policy"


class InstrumentAssignment(TimeStampedModel):
    """Which instruments a patient with this condition answers (depression → PHQ-9, …)."""

    condition = models.CharField(max_length=30, choices=Condition.choices, unique=True)
    instrument_codes = models.JSONField(default=list)
    # Every set includes a suicide-risk screen (the consent warns of suicidal thoughts with
    # ketamine, whatever the indication); leaving it out takes a stated reason, kept here and in
    # the audit entry of the change.
    suicide_screen_omitted_reason = models.TextField(
        blank=True,
        help_text="Required when this set has no suicide-risk screen: why it is left out.",
    )

    class Meta:
        ordering = ["condition"]

    def __str__(self) -> str:
        return f"{self.get_condition_display()}: {', '.join(self.instrument_codes)}"


class QuestionnaireRequest(TimeStampedModel):
    """A set of questionnaires sent to a patient to answer themselves, by an expiring single-use
    link (only the token's SHA-256 is stored) or in the portal."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="questionnaire_requests"
    )
    location = models.ForeignKey("core.Location", on_delete=models.PROTECT, related_name="+")
    instrument_codes = models.JSONField()
    context = models.CharField(max_length=20, choices=AssessmentContext.choices)
    token_sha256 = models.CharField(max_length=64, unique=True, editable=False)
    expires_at = models.DateTimeField()
    status = models.CharField(
        max_length=10, choices=RequestStatus.choices, default=RequestStatus.OPEN
    )
    # Blank when the reminder job sent them before an appointment (no person did).
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["patient", "status"], name="questreq_patient_status")]

    def __str__(self) -> str:
        return f"{', '.join(self.instrument_codes)} for patient {self.patient_id}"


class AssessmentResponse(TimeStampedModel):
    """One administration of one instrument: the answers as given, and the score computed from
    them by the instrument's published rule."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="assessment_responses"
    )
    location = models.ForeignKey("core.Location", on_delete=models.PROTECT, related_name="+")
    instrument_code = models.CharField(max_length=20)
    request = models.ForeignKey(
        QuestionnaireRequest,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="responses",
    )
    context = models.CharField(max_length=20, choices=AssessmentContext.choices)
    mode = models.CharField(max_length=20, choices=ResponseMode.choices)
    status = models.CharField(
        max_length=20, choices=ResponseStatus.choices, default=ResponseStatus.IN_PROGRESS
    )
    # Answers keyed by item link_id, exactly as given.
    answers = models.JSONField(default=dict)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The staff member who typed in or rated the answers.",
    )
    # On the clinic tablet the patient answers and a member of staff is present: both are named.
    handed_over_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The staff member who handed the clinic tablet to the patient.",
    )
    # When the patient answered (or was rated); set when the response is completed.
    taken_at = models.DateTimeField(null=True, blank=True)
    total = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    severity = models.CharField(max_length=30, blank=True)
    subscales = models.JSONField(default=dict, blank=True)
    flags = models.JSONField(default=list, blank=True)
    error_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-taken_at", "-id"]
        indexes = [
            models.Index(
                fields=["patient", "instrument_code", "status", "taken_at"],
                name="response_progress",
            ),
            models.Index(
                fields=["status", "instrument_code", "taken_at"], name="response_status_time"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "instrument_code"],
                condition=models.Q(request__isnull=False),
                name="one_response_per_request_instrument",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=ResponseStatus.COMPLETED)
                | (models.Q(taken_at__isnull=False) & models.Q(total__isnull=False)),
                name="completed_response_is_scored",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument_code} {self.total} ({self.get_status_display()})"

    @property
    def total_display(self) -> str:
        if self.total is None:
            return ""
        return (
            str(self.total.normalize())
            if self.total == self.total.to_integral()
            else str(self.total)
        )


class SideEffectReport(TimeStampedModel):
    """A side effect the patient reported between visits, in their own portal: what, since when,
    how bad, whether it is still going. A clinician reviews every report before the next dose;
    a red-flag symptom also raises an urgent safety alert (`side_effects.ADVICE`)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="side_effect_reports"
    )
    location = models.ForeignKey("core.Location", on_delete=models.PROTECT, related_name="+")
    # Sent with the form: the same report sent twice (a double tap, a resend after a lost
    # connection) is recorded once.
    submission_key = models.UUIDField()
    # side_effects.SYMPTOMS codes
    symptoms = models.JSONField()
    started_on = models.DateField("since when")
    severity = models.CharField("how bad", max_length=10, choices=SideEffectSeverity.choices)
    still_going = models.BooleanField()
    # The patient's own words, plain text (never rendered as HTML).
    description = models.TextField(blank=True)
    reported_at = models.DateTimeField()
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-reported_at", "-id"]
        indexes = [models.Index(fields=["patient", "-reported_at"], name="side_effect_by_patient")]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "submission_key"], name="side_effect_submitted_once"
            ),
            models.CheckConstraint(
                condition=models.Q(reviewed_at__isnull=True)
                | (models.Q(reviewed_by__isnull=False) & ~models.Q(review_note="")),
                name="side_effect_review_documented",
            ),
            models.CheckConstraint(
                condition=models.Q(severity__in=SideEffectSeverity.values),
                name="side_effect_severity_known",
            ),
        ]

    def __str__(self) -> str:
        return f"Side-effect report of {show_date(self.reported_at)}"

    @property
    def symptom_labels(self) -> list[str]:
        return symptom_labels(self.symptoms)


class SideEffectCheck(TimeStampedModel):
    """A scheduled side-effect check during maintenance: the patient is asked, between visits,
    whether anything has changed (the interval is the plan's protocol's, set by the medical
    director; `clinic.treatment.side_effect_checks` decides who is due). Answered with "nothing
    to report" or by a side-effect report, which the check then points to. One per patient and
    day, so a repeated run of the daily job never asks twice."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="side_effect_checks"
    )
    location = models.ForeignKey("core.Location", on_delete=models.PROTECT, related_name="+")
    asked_on = models.DateField()
    # When the e-mail (and text, where the patient said yes) telling them went out; empty while it
    # has not (no address, or the mail server was down): the next run of the job tries again.
    notified_at = models.DateTimeField(null=True, blank=True)
    answer = models.CharField(
        max_length=10, choices=SideEffectCheckAnswer.choices, default=SideEffectCheckAnswer.OPEN
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    report = models.ForeignKey(
        SideEffectReport,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="checks_answered",
    )

    class Meta:
        ordering = ["-asked_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["patient", "asked_on"], name="one_check_per_day"),
            models.CheckConstraint(
                condition=models.Q(answer__in=SideEffectCheckAnswer.values),
                name="side_effect_check_answer_known",
            ),
            models.CheckConstraint(
                condition=models.Q(answer=SideEffectCheckAnswer.OPEN, answered_at__isnull=True)
                | (
                    ~models.Q(answer=SideEffectCheckAnswer.OPEN)
                    & models.Q(answered_at__isnull=False)
                ),
                name="side_effect_check_answered_when",
            ),
        ]

    def __str__(self) -> str:
        return f"Side-effect check of {show_date(self.asked_on)}"


class SafetyAlert(TimeStampedModel):
    """An urgent safety concern raised by a patient's answers to a questionnaire or by a
    side-effect report; open until a clinician records what was done."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="safety_alerts"
    )
    location = models.ForeignKey("core.Location", on_delete=models.PROTECT, related_name="+")
    # What raised it: a questionnaire's answers, or a side-effect report (exactly one).
    response = models.ForeignKey(
        AssessmentResponse, null=True, blank=True, on_delete=models.PROTECT, related_name="alerts"
    )
    side_effect_report = models.ForeignKey(
        SideEffectReport, null=True, blank=True, on_delete=models.PROTECT, related_name="alerts"
    )
    reason = models.CharField(max_length=20, choices=AlertReason.choices)
    status = models.CharField(
        max_length=10, choices=AlertStatus.choices, default=AlertStatus.OPEN, db_index=True
    )
    raised_at = models.DateTimeField()
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    # AlertAction codes: what the clinician did.
    actions = models.JSONField(default=list, blank=True)
    resolution_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-raised_at", "-id"]
        indexes = [models.Index(fields=["location", "status", "-raised_at"], name="alert_queue")]
        constraints = [
            models.UniqueConstraint(
                fields=["response", "reason"], name="one_alert_per_response_reason"
            ),
            models.UniqueConstraint(
                fields=["side_effect_report", "reason"], name="one_alert_per_report_reason"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(response__isnull=False) & models.Q(side_effect_report__isnull=True)
                )
                | (models.Q(response__isnull=True) & models.Q(side_effect_report__isnull=False)),
                name="alert_has_one_source",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=AlertStatus.RESOLVED)
                | (
                    models.Q(resolved_by__isnull=False)
                    & models.Q(resolved_at__isnull=False)
                    & ~models.Q(resolution_note="")
                ),
                name="resolved_alert_documented",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} ({self.get_status_display()})"

    @property
    def is_urgent(self) -> bool:
        """Urgent (tell the on-call clinician now) rather than a review before the next dose."""
        return self.reason not in REVIEW_REASONS


class SafetyAlertContactAttempt(TimeStampedModel):
    """One attempt to reach the patient about an open safety alert (a call, a voicemail, a
    message), recorded by whoever made it. It does not resolve the alert: that stays a
    prescriber's assessment. Rows are never changed: a wrong entry is followed by a correct one."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    alert = models.ForeignKey(
        SafetyAlert, on_delete=models.PROTECT, related_name="contact_attempts"
    )
    outcome = models.CharField(max_length=20, choices=ContactOutcome.choices)
    note = models.TextField(blank=True)
    attempted_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["attempted_at", "id"]
        indexes = [models.Index(fields=["alert", "attempted_at"], name="alert_contact_timeline")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(outcome__in=ContactOutcome.values),
                name="alert_contact_outcome_known",
            )
        ]

    def __str__(self) -> str:
        return self.get_outcome_display()


class ProgressSummary(models.Model):
    """One patient's series on one instrument, summed up: its baseline, previous and latest
    completed scores, whether it is worsening, and whether the patient's conditions call for the
    instrument at all (then a series with no score yet is "never done").

    Kept up to date by `clinic.assessments.summaries` whenever a response is completed or
    withdrawn and whenever the instruments a patient answers change, so that the clinical
    dashboard reads a bounded, indexed list instead of every response of every patient. It holds
    nothing that is not derived from the responses: `manage.py rebuild_progress_summaries`
    recomputes it from them."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.CASCADE, related_name="progress_summaries"
    )
    instrument_code = models.CharField(max_length=20)
    # The patient's conditions call for it (and it is repeated): it can fall due.
    required = models.BooleanField(default=False)
    responses = models.PositiveIntegerField(default=0)
    baseline_total = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    baseline_taken_at = models.DateTimeField(null=True, blank=True)
    previous_total = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    previous_taken_at = models.DateTimeField(null=True, blank=True)
    latest_total = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    latest_taken_at = models.DateTimeField(null=True, blank=True)
    latest_severity = models.CharField(max_length=30, blank=True)
    worsening = models.BooleanField(default=False)
    # The lowest score after baseline, and whether that fall met the instrument's response rule
    # (what a possible relapse is measured from: clinic.assessments.relapse).
    best_total = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    best_taken_at = models.DateTimeField(null=True, blank=True)
    responded = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "instrument_code"], name="one_summary_per_patient_instrument"
            )
        ]
        indexes = [
            # Each dashboard list is its index read in order until the page is full: the
            # worsening and relapsing series newest first, the due and overdue oldest first
            # (never-answered series first, then the longest unanswered), whatever the number of patients.
            models.Index(
                fields=["worsening", "-latest_taken_at", "-id"], name="summary_worsening_recent"
            ),
            models.Index(
                fields=["responded", "-latest_taken_at", "-id"], name="summary_responded_recent"
            ),
            models.Index(fields=["required", "latest_taken_at", "id"], name="summary_due"),
        ]

    def __str__(self) -> str:
        return f"{self.instrument_code} summary of patient {self.patient_id}"

    @property
    def instrument(self):
        return INSTRUMENTS.get(self.instrument_code)
