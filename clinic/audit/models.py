"""The append-only audit trail of every access to and change of patient data."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from clinic.audit.choices import AuditEventType, AuditOutcome
from clinic.core.dates import show_datetime


class AuditLogIsAppendOnlyError(Exception):
    pass


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditLogIsAppendOnlyError("Audit events cannot be changed.")

    def delete(self):
        raise AuditLogIsAppendOnlyError("Audit events cannot be deleted.")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AuditLogIsAppendOnlyError("Audit events cannot be changed.")


class AuditEvent(models.Model):
    """One thing a person (or the public) did to or with patient data, as it happened.

    Rows are only ever inserted, by `record_audit_event()`. The model, its queryset, the admin and
    database triggers (clinic.core.guards) all refuse updates, deletes and TRUNCATE, and each row
    is chained to the one before it (chain_sha256). Patient and location are plain ids, not foreign keys: the trail
    must outlive anything it mentions and must not depend on the apps above it.
    """

    # Set by record_audit_event() before the row is sealed (auto_now_add would overwrite it after
    # the chain hash was computed).
    occurred_at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
    )
    # Snapshots at the time of the event: a later rename or role change must not rewrite history.
    actor_label = models.CharField(max_length=254, blank=True)
    actor_role = models.CharField(max_length=20, blank=True)
    event_type = models.PositiveSmallIntegerField(choices=AuditEventType.choices, db_index=True)
    outcome = models.CharField(
        max_length=10, choices=AuditOutcome.choices, default=AuditOutcome.SUCCESS
    )
    patient_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    location_id = models.BigIntegerField(null=True, blank=True)
    # What was touched: "app_label.model" and its primary key.
    target_type = models.CharField(max_length=100, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    details = models.JSONField(default=dict, blank=True)
    # The chain: rows are numbered 1, 2, 3 … in the order they were written, and each row's
    # chain_sha256 is an HMAC-SHA-256 (keyed by settings.CLINIC_AUDIT_KEY) of its own content
    # and of the previous row's chain_sha256. A row removed, inserted or changed by anyone who
    # does not hold the key breaks the chain that `manage.py verify_records` walks.
    chain_position = models.BigIntegerField(unique=True)
    chain_sha256 = models.CharField(max_length=64)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["patient_id", "-occurred_at"], name="audit_patient_time"),
            models.Index(fields=["actor", "-occurred_at"], name="audit_actor_time"),
        ]

    def __str__(self) -> str:
        return f"{show_datetime(self.occurred_at)} {self.get_event_type_display()}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AuditLogIsAppendOnlyError("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditLogIsAppendOnlyError("Audit events cannot be deleted.")
