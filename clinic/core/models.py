"""The organisation that runs this installation and the places where it treats patients."""

from __future__ import annotations

import uuid
import zoneinfo
from functools import cache

from django.core.exceptions import ValidationError
from django.db import models


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


def get_organisation() -> Organisation | None:
    return Organisation.objects.first()
