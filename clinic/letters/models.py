"""Progress letters to the patient's referring provider: each signed letter is a version of its
own, its content kept as it was signed (with its SHA-256), with who sent it, how and when."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from clinic.letters.choices import SentVia


class ProgressLetter(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="progress_letters"
    )
    location = models.ForeignKey("core.Location", on_delete=models.PROTECT, related_name="+")
    # The patient's letters are numbered 1, 2, 3 … in the order they were signed.
    number = models.PositiveIntegerField()
    # What the letter says, as signed: the recipient, the indication, the plan, the sessions, the
    # scores, side effects and alerts, and the next steps (`selectors.letter_content`).
    content = models.JSONField()
    content_sha256 = models.CharField(max_length=64)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField()
    sent_via = models.CharField(max_length=10, choices=SentVia.choices, blank=True)
    sent_to = models.CharField(max_length=400, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["patient", "number"], name="letter_number_per_patient"),
            models.CheckConstraint(
                condition=models.Q(sent_at__isnull=True)
                | (models.Q(sent_by__isnull=False) & ~models.Q(sent_via="")),
                name="sent_letter_says_by_whom_and_how",
            ),
        ]

    def __str__(self) -> str:
        return f"Progress letter {self.number}"
