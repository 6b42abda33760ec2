"""Requests for a first consultation, made by the public on the clinic's website."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from clinic.core.dates import show_datetime
from clinic.core.models import TimeStampedModel
from clinic.core.phone import PhoneNumberField
from clinic.intake.choices import ConsultationStatus, ContactMethod, DeclineReason


class ConsultationRequest(TimeStampedModel):
    """A person asking to be contacted about treatment: what they told us, and what the front desk
    did with it."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # The partition key of patient data: the location the person chose (or the clinic's first).
    location = models.ForeignKey(
        "core.Location", on_delete=models.PROTECT, related_name="consultation_requests"
    )
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    preferred_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField()
    email = models.EmailField()
    phone = PhoneNumberField()
    preferred_contact_method = models.CharField(max_length=10, choices=ContactMethod.choices)
    # ContactTime codes.
    preferred_contact_times = models.JSONField(default=list)
    # Condition codes from clinic.core.choices.Condition.
    conditions = models.JSONField(default=list)
    other_condition = models.CharField(max_length=200, blank=True)
    treatments_tried = models.TextField(blank=True)
    message = models.TextField(blank=True)
    consent_to_contact = models.BooleanField()
    # The wording the person agreed to, kept as shown (it may change on the site later).
    consent_text = models.TextField()
    submitted_ip = models.GenericIPAddressField(null=True, blank=True)

    status = models.CharField(
        max_length=20,
        choices=ConsultationStatus.choices,
        default=ConsultationStatus.NEW,
        db_index=True,
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decline_reason = models.CharField(max_length=20, choices=DeclineReason.choices, blank=True)
    decline_details = models.CharField(max_length=500, blank=True)
    patient = models.OneToOneField(
        "patients.Patient",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="consultation_request",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["location", "status", "-created_at"], name="consult_queue")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(consent_to_contact=True), name="consult_consent_given"
            ),
            models.CheckConstraint(
                condition=~models.Q(status=ConsultationStatus.CONVERTED)
                | models.Q(patient__isnull=False),
                name="consult_converted_has_patient",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=ConsultationStatus.DECLINED)
                | ~models.Q(decline_reason=""),
                name="consult_declined_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.get_status_display()})"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class ConsultationActivity(models.Model):
    """One entry in a request's history: a status change or a note, by whom and when."""

    request = models.ForeignKey(
        ConsultationRequest, on_delete=models.PROTECT, related_name="activities"
    )
    location = models.ForeignKey("core.Location", on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    from_status = models.CharField(max_length=20, choices=ConsultationStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=ConsultationStatus.choices, blank=True)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "consultation activities"

    def __str__(self) -> str:
        return f"{show_datetime(self.created_at)} {self.get_to_status_display() or 'Note'}"
