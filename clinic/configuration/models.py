"""Configuration changes: the medical director's proposed values for a protocol, a set of
monitoring limits or a policy, from draft through review to publication, kept as history."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from clinic.configuration.choices import ChangeStatus, TargetKind


class ConfigurationChange(models.Model):
    """One proposed change to one configured row (a protocol, a route's monitoring limits, a
    policy): the values it proposes, the live values it was drafted against, and who drafted,
    reviewed, published or discarded it. Nothing live changes until it is published."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    target_kind = models.CharField(max_length=20, choices=TargetKind.choices)
    # The configured row: its primary key, its route (monitoring), its condition (a questionnaire
    # set) or "clinic" (a policy's one row), as clinic.configuration.targets names it.
    target_key = models.CharField(max_length=40)
    # What the row is called when the draft was made ("IV ketamine for depression").
    target_label = models.CharField(max_length=200)
    # Field name → value, as JSON (decimals as text so that none is rounded).
    proposed_values = models.JSONField()
    based_on_values = models.JSONField()
    reason = models.CharField(max_length=500, blank=True)
    status = models.CharField(
        max_length=10, choices=ChangeStatus.choices, default=ChangeStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    # The author reviewed their own draft (the clinic had one medical director) and attested
    # that they checked the values against their sources.
    self_review_attested = models.BooleanField(default=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    discarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    discarded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["target_kind", "target_key", "-created_at"], name="config_change_target"
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(target_kind__in=TargetKind.values),
                name="config_change_kind_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=ChangeStatus.values),
                name="config_change_status_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="reviewed") | models.Q(reviewed_at__isnull=False),
                name="config_change_reviewed_has_reviewer",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="published")
                | (models.Q(reviewed_at__isnull=False) & models.Q(published_at__isnull=False)),
                name="config_change_published_was_reviewed",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.get_target_kind_display()}: {self.target_label} ({self.get_status_display()})"
        )


class ClinicPolicyAcceptance(models.Model):
    """The medical director reviewed a value no primary source fixes (a clinic policy listed in
    clinic.configuration.unverified) and accepted it for this clinic, as it then read. A later
    acceptance of the same value is a new row; the latest is the one shown."""

    # The registry's key ("monitoring-stop-levels").
    key = models.CharField(max_length=80)
    # What the value read when it was accepted: [[row, value in words], …].
    accepted_values = models.JSONField()
    note = models.CharField(max_length=500, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    accepted_at = models.DateTimeField()

    class Meta:
        ordering = ["-accepted_at", "-id"]
        indexes = [models.Index(fields=["key", "-accepted_at"], name="policy_acceptance_latest")]

    def __str__(self) -> str:
        return f"Clinic policy {self.key} accepted"
