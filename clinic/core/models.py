"""The organisation that runs this installation, the places where it treats patients, and the
documents (PDF reports, letters) drawn in the background for the people who ask for them."""

from __future__ import annotations

import uuid
import zoneinfo
from functools import cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from clinic.core.choices import DocumentStatus


@cache
def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"“{value}” is not a known time zone (for example America/New_York).")


class TimeStampedModel(models.Model):
    """Every row knows when it was entered and last changed (UTC)."""

    created_at = models.DateTimeField(auto_now_add=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True, editable=False)

    class Meta:
        abstract = True


class Organisation(TimeStampedModel):
    """The clinic that runs this installation: one row per installation."""

    name = models.CharField(max_length=200)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    website = models.URLField(blank=True)
    # Prefix of medical record numbers (MRN), e.g. "KC" gives KC-000123.
    mrn_prefix = models.CharField(max_length=6, default="KC")
    # The last MRN number handed out; incremented under a row lock (see patients.services).
    last_mrn_number = models.PositiveIntegerField(default=0, editable=False)
    # Always True and unique: the database itself allows one organisation per installation.
    singleton = models.BooleanField(default=True, unique=True, editable=False)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(singleton=True), name="organisation_singleton"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Location(TimeStampedModel):
    """A site where the clinic sees patients; the partition key of all patient data."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="locations"
    )
    name = models.CharField(max_length=120, unique=True)
    address_line1 = models.CharField("address", max_length=200)
    address_line2 = models.CharField("address (line 2)", max_length=200, blank=True)
    city = models.CharField(max_length=100)
    region = models.CharField("state or region", max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=2, default="US", help_text="ISO 3166 two-letter code")
    phone = models.CharField(max_length=40)
    # Shown to patients on every page and e-mail beside the phone number (clinic policy).
    opening_hours = models.CharField(
        max_length=200,
        blank=True,
        help_text="When the phone is answered, as patients read it, e.g. Mon–Fri 8 am–6 pm.",
    )
    time_zone = models.CharField(
        max_length=64,
        validators=[validate_time_zone],
        help_text="IANA time zone name, e.g. America/New_York. Times are shown in this zone.",
    )
    is_active = models.BooleanField(default=True)
    # Where urgent safety alerts for this location's patients are e-mailed (a shared on-call inbox).
    on_call_email = models.EmailField(
        blank=True, help_text="Urgent safety alerts for this location's patients are e-mailed here."
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def address_lines(self) -> list[str]:
        city_line = " ".join(part for part in [self.city, self.region, self.postal_code] if part)
        return [line for line in [self.address_line1, self.address_line2, city_line] if line]

    def contact_text(self, clinic_name: str) -> str:
        """The clinic's address, phone and hours, as the foot of an e-mail to a patient."""
        lines = [f"{clinic_name}, {self.name}", *self.address_lines, f"Phone: {self.phone}"]
        if self.opening_hours:
            lines.append(f"Hours: {self.opening_hours}")
        return "\n".join(lines)


def get_organisation() -> Organisation | None:
    return Organisation.objects.first()


class GeneratedDocument(models.Model):
    """A document drawn in the background (a PDF report, a letter) for the person who asked.

    Each kind of document is registered by the app that owns its data (clinic.core.documents):
    its template, how its data is read again from `parameters`, who besides the person who asked
    may download it, and the audit event its request and downloads are recorded under. The PDF's
    bytes are kept here with their SHA-256, so the file handed out is the file that was made.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=60)
    title = models.CharField(max_length=200)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField()
    # The location whose data it shows (who else may download it, and the audit row's location);
    # none for a document across locations, which only the person who asked and those who see
    # every location may download.
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The patient it is about, for the audit trail (a plain id, as in the audit log: this app
    # sits below the patient record).
    patient_id = models.BigIntegerField(null=True, blank=True)
    # What the kind needs to read its data again (dates, public ids): never the data itself.
    parameters = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        max_length=8, choices=DocumentStatus.choices, default=DocumentStatus.QUEUED
    )
    failure_message = models.CharField(max_length=300, blank=True)
    filename = models.CharField(max_length=120)
    content = models.BinaryField(null=True, blank=True, editable=False)
    size_bytes = models.PositiveIntegerField(null=True, blank=True)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [
            models.Index(fields=["requested_by", "-requested_at"], name="document_requester_time")
        ]
        constraints = [
            models.CheckConstraint(
                name="document_ready_has_content",
                condition=models.Q(
                    status=DocumentStatus.QUEUED, content__isnull=True, completed_at__isnull=True
                )
                | models.Q(
                    status=DocumentStatus.READY,
                    content__isnull=False,
                    completed_at__isnull=False,
                    size_bytes__isnull=False,
                )
                & ~models.Q(sha256="")
                | models.Q(
                    status=DocumentStatus.FAILED, content__isnull=True, completed_at__isnull=False
                )
                & ~models.Q(failure_message=""),
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_status_display()})"

    @property
    def is_ready(self) -> bool:
        return self.status == DocumentStatus.READY
