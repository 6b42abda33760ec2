"""Follow-up reviews: a clinician's review of how treatment is going and what to do next, signed
like the evaluation (in progress → signed → addenda), and the clinic's review settings."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from clinic.core.dates import show_date
from clinic.core.models import TimeStampedModel
from clinic.reviews.choices import ReviewDecision, ReviewKind, ReviewStatus


class ReviewPolicy(TimeStampedModel):
    """When the next follow-up review falls due (one row, edited by the medical director). No
    retrieved source fixes these intervals for ketamine care: each is clinic policy
    [UNVERIFIED]."""

    # After the last session of an induction series: the review that decides on maintenance.
    review_after_induction_days = models.PositiveSmallIntegerField(
        default=1,
        validators=[MaxValueValidator(28)],
        help_text=(
            "Days after the last induction session that the review falls due "
            "(clinic policy, UNVERIFIED)."
        ),
    )
    # In maintenance, from each signed review to the next.
    maintenance_review_interval_weeks = models.PositiveSmallIntegerField(
        default=8,
        validators=[MinValueValidator(1), MaxValueValidator(52)],
        help_text="Weeks from one review to the next in maintenance (clinic policy, UNVERIFIED).",
    )
    # After an urgent safety alert (the alert itself is handled at once by the on-call
    # clinician; this is the review of the course of care that follows it).
    review_after_urgent_alert_days = models.PositiveSmallIntegerField(
        default=1,
        validators=[MaxValueValidator(14)],
        help_text=(
            "Days after an urgent safety alert that a review falls due (clinic policy, UNVERIFIED)."
        ),
    )
    singleton = models.BooleanField(default=True, unique=True, editable=False)

    class Meta:
        verbose_name_plural = "review policy"

    def __str__(self) -> str:
        return "Follow-up review policy"


class FollowUpReview(TimeStampedModel):
    """One follow-up review of a patient's course of care. While in progress its facts are read
    from the record each time it is shown; signing freezes them (`facts`) with the assessment
    and the decision under one SHA-256, and the row is sealed by a database trigger."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="follow_up_reviews"
    )
    location = models.ForeignKey("core.Location", on_delete=models.PROTECT, related_name="+")
    # The due follow-up it was opened from (None when opened from the chart).
    follow_up = models.ForeignKey(
        "scheduling.FollowUp",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reviews",
    )
    kind = models.CharField(max_length=10, choices=ReviewKind.choices, default=ReviewKind.IN_PERSON)
    status = models.CharField(
        max_length=12, choices=ReviewStatus.choices, default=ReviewStatus.IN_PROGRESS
    )
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # The facts cover the time from the previous signed review (None: from the start of care).
    since = models.DateTimeField(null=True, blank=True)
    # What the patient says worries them, typed by the clinician.
    concerns = models.TextField(blank=True)
    assessment = models.TextField(blank=True)
    decision = models.CharField(max_length=20, choices=ReviewDecision.choices, blank=True)
    decision_reason = models.TextField(blank=True)
    # The decision's values (those it needs; the others stay empty).
    new_dose = models.DecimalField(
        max_digits=6,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.001"))],
        help_text="Adjust the dose: mg/kg for a weight-based plan, mg for a fixed dose.",
    )
    new_infusion_minutes = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(1440)]
    )
    new_interval_days = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(180)]
    )
    booster_sessions = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(6)]
    )
    # Frozen at signing: what the facts selector read from the record (clinic.reviews.selectors).
    facts = models.JSONField(null=True, blank=True)
    # The drafted plan version the decision opened, and the review that now falls due.
    plan_draft = models.ForeignKey(
        "treatment.TreatmentPlanDraft",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    next_review_due_on = models.DateField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    content_sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["patient", "-signed_at"], name="review_patient_signed")]
        constraints = [
            models.UniqueConstraint(
                fields=["patient"],
                condition=models.Q(status=ReviewStatus.IN_PROGRESS),
                name="one_open_review_per_patient",
            ),
            models.CheckConstraint(
                condition=models.Q(status=ReviewStatus.IN_PROGRESS)
                | (
                    models.Q(signed_by__isnull=False)
                    & models.Q(signed_at__isnull=False)
                    & models.Q(facts__isnull=False)
                    & ~models.Q(decision="")
                    & ~models.Q(content_sha256="")
                ),
                name="signed_review_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"Follow-up review {self.public_id} ({self.get_status_display()})"

    @property
    def is_locked(self) -> bool:
        return self.status != ReviewStatus.IN_PROGRESS


class FollowUpReviewAddendum(models.Model):
    """A signed correction or addition to a signed review."""

    review = models.ForeignKey(FollowUpReview, on_delete=models.PROTECT, related_name="addenda")
    location = models.ForeignKey("core.Location", on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField()
    content_sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["signed_at", "id"]

    def __str__(self) -> str:
        return f"Addendum of {show_date(self.signed_at)}"
