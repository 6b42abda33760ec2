"""The physiologically possible range of each vital sign, written once.

A value outside its range is a typing slip or a unit mix-up (1200 mmHg, 9.8 °C), never a
patient's reading: forms, the monitor API, the model's validators and the database's check
constraints all refuse it with the same numbers. These are plausibility limits, not alert
thresholds; the alerts are the monitoring protocol's (docs/clinical-rules.md)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from clinic.core.fields import WEIGHT_RANGE_KG


@dataclass(frozen=True)
class PlausibleRange:
    low: int | Decimal
    high: int | Decimal
    unit: str

    @property
    def message(self) -> str:
        return (
            f"Enter a value between {self.low} and {self.high} {self.unit}; "
            "check the reading and the unit."
        )

    def validators(self) -> list:
        # Django formats a validator's message with %-placeholders: a literal % is doubled.
        message = self.message.replace("%", "%%")
        return [
            MinValueValidator(self.low, message=message),
            MaxValueValidator(self.high, message=message),
        ]

    def holds(self, field: str) -> models.Q:
        """The check constraint: the field is empty or within the range."""
        return models.Q(**{f"{field}__isnull": True}) | models.Q(
            **{f"{field}__gte": self.low, f"{field}__lte": self.high}
        )


PLAUSIBLE: dict[str, PlausibleRange] = {
    "systolic_mmhg": PlausibleRange(40, 300, "mmHg"),
    "diastolic_mmhg": PlausibleRange(20, 200, "mmHg"),
    "heart_rate_bpm": PlausibleRange(20, 250, "beats/min"),
    "respiratory_rate_per_min": PlausibleRange(2, 70, "breaths/min"),
    "spo2_pct": PlausibleRange(50, 100, "%"),
    "temperature_c": PlausibleRange(Decimal("30.0"), Decimal("45.0"), "°C"),
    # The same range the height-and-weight form fields check, in whatever unit was typed.
    "weight_kg": PlausibleRange(*WEIGHT_RANGE_KG, "kg"),
}
