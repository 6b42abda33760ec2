"""Retention: the team's attempts to reach patients who dropped off mid-induction or missed a
session (the drop-off list, `clinic.outcomes.retention`). Appended, never changed."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

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
        return f"Outreach to {self.patient_id} on {self.made_at:%Y-%m-%d}"
