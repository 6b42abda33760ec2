"""The one table of the interop app: the bearer tokens that open the FHIR API.

A token belongs to a member of staff (its owner): it reads exactly what the owner may see on the
pages (the medical director every location, other staff their own locations), for as long as the
owner's account is active and the token neither expired nor was revoked. Only its SHA-256 is
stored, so it is shown once, when issued."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class FhirApiToken(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # What the token is for, e.g. "Referral hospital EHR import".
    name = models.CharField(max_length=80)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="fhir_api_tokens"
    )
    token_sha256 = models.CharField(max_length=64, unique=True, editable=False)
    # The first characters of the token (its prefix and a few more), so that the list can say
    # which token is which without storing the token.
    token_hint = models.CharField(max_length=12, editable=False)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("issued_at")),
                name="fhir_token_expires_after_issue",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.token_hint}…)"

    def is_usable(self, now) -> bool:
        return self.revoked_at is None and now < self.expires_at and self.owner.is_active

    @property
    def audit_label(self) -> str:
        return f"fhir-token:{self.name}"[:254]
