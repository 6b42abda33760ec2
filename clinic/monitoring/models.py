"""Monitoring protocols: the medical director's vital-sign limits and reading schedule per route."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from clinic.core.choices import Route
from clinic.core.models import TimeStampedModel
from clinic.monitoring.limits import Limits


class MonitoringProtocol(TimeStampedModel):
    """How a session by one route is monitored: the limits every reading is checked against, the
    readings due after dosing, the minimum observation time and the discharge threshold. Defaults
    and their sources: `clinic.monitoring.limits` and `discharge` (several UNVERIFIED: settings)."""

    route = models.CharField(max_length=12, choices=Route.choices, unique=True)
    pre_dose_systolic_max = models.PositiveSmallIntegerField(
        default=140, validators=[MinValueValidator(90), MaxValueValidator(220)]
    )
    pre_dose_diastolic_max = models.PositiveSmallIntegerField(
        default=90, validators=[MinValueValidator(50), MaxValueValidator(140)]
    )
    systolic_max = models.PositiveSmallIntegerField(
        default=180, validators=[MinValueValidator(100), MaxValueValidator(250)]
    )
    diastolic_max = models.PositiveSmallIntegerField(
        default=100, validators=[MinValueValidator(60), MaxValueValidator(160)]
    )
    heart_rate_max = models.PositiveSmallIntegerField(
        default=110, validators=[MinValueValidator(60), MaxValueValidator(200)]
    )
    heart_rate_min = models.PositiveSmallIntegerField(
        default=50, validators=[MinValueValidator(30), MaxValueValidator(100)]
    )
    spo2_min = models.PositiveSmallIntegerField(
        default=92, validators=[MinValueValidator(80), MaxValueValidator(100)]
    )
    respiratory_rate_min = models.PositiveSmallIntegerField(
        default=10, validators=[MinValueValidator(4), MaxValueValidator(20)]
    )
    baseline_rise_percent = models.PositiveSmallIntegerField(
        default=30, validators=[MinValueValidator(5), MaxValueValidator(100)]
    )
    # Low blood pressure, a fall from the pre-dose baseline, fast breathing (see limits.Limits
    # for each default and its source; UNVERIFIED clinic policy where no source fixes it).
    systolic_min_mmhg = models.PositiveSmallIntegerField(
        default=90, validators=[MinValueValidator(60), MaxValueValidator(120)]
    )
    baseline_fall_percent = models.PositiveSmallIntegerField(
        default=20, validators=[MinValueValidator(5), MaxValueValidator(60)]
    )
    respiratory_rate_max_per_min = models.PositiveSmallIntegerField(
        default=24, validators=[MinValueValidator(16), MaxValueValidator(40)]
    )
    # Stop-level breaches: the alert needs a prescriber's acknowledgement, and the supervising
    # clinician is told at once (UNVERIFIED clinic policy: no primary source gives numeric
    # "stop the ketamine" limits; see limits.Limits).
    stop_systolic_mmhg = models.PositiveSmallIntegerField(
        default=180, validators=[MinValueValidator(120), MaxValueValidator(260)]
    )
    stop_diastolic_mmhg = models.PositiveSmallIntegerField(
        default=100, validators=[MinValueValidator(70), MaxValueValidator(160)]
    )
    stop_spo2_below_pct = models.PositiveSmallIntegerField(
        default=90, validators=[MinValueValidator(70), MaxValueValidator(100)]
    )
    stop_consciousness = models.CharField(
        max_length=20,
        choices=[
            ("voice", "Responds to voice or less"),
            ("pain", "Responds to pain or less"),
            ("unresponsive", "Unresponsive"),
        ],
        default="pain",
    )
    # An alert left open this long re-alerts (escalated on the page and the sessions board).
    alert_escalation_minutes = models.PositiveSmallIntegerField(
        default=5, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    # Discharge: vital signs "stable at a safe level" (see limits.Limits; UNVERIFIED defaults).
    discharge_systolic_max = models.PositiveSmallIntegerField(
        default=160, validators=[MinValueValidator(100), MaxValueValidator(220)]
    )
    discharge_diastolic_max = models.PositiveSmallIntegerField(
        default=100, validators=[MinValueValidator(60), MaxValueValidator(140)]
    )
    discharge_heart_rate_max = models.PositiveSmallIntegerField(
        default=100, validators=[MinValueValidator(60), MaxValueValidator(160)]
    )
    # Minutes after dosing when a reading is due (0 = just before dosing).
    reading_schedule_minutes = models.JSONField(default=list)
    minimum_observation_minutes = models.PositiveSmallIntegerField(default=60)
    # A blood pressure this many minutes after dosing is required before discharge (esketamine:
    # "at about 40 minutes", Spravato US prescribing information §2 and the REMS Patient
    # Monitoring Form); blank: no such reading is required. A reading counts when taken within
    # the window either side [clinic policy, UNVERIFIED: the label says "approximately"].
    blood_pressure_check_minutes = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(5), MaxValueValidator(240)]
    )
    blood_pressure_check_window_minutes = models.PositiveSmallIntegerField(
        default=10, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    discharge_aldrete_threshold = models.PositiveSmallIntegerField(
        default=9, validators=[MinValueValidator(5), MaxValueValidator(10)]
    )
    source = models.TextField()

    class Meta:
        ordering = ["route"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(systolic_max__gt=models.F("pre_dose_systolic_max")),
                name="protocol_stop_above_pre_dose_systolic",
            ),
            models.CheckConstraint(
                condition=models.Q(systolic_max__gt=models.F("systolic_min_mmhg")),
                name="protocol_systolic_range",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    respiratory_rate_max_per_min__gt=models.F("respiratory_rate_min")
                ),
                name="protocol_respiratory_rate_range",
            ),
            models.CheckConstraint(
                condition=models.Q(heart_rate_max__gt=models.F("heart_rate_min")),
                name="protocol_heart_rate_range",
            ),
            models.CheckConstraint(
                condition=models.Q(discharge_systolic_max__lte=models.F("systolic_max")),
                name="protocol_discharge_within_stop_limit",
            ),
        ]

    def __str__(self) -> str:
        return f"Monitoring: {self.get_route_display()}"

    def limits(self):

        return Limits(
            pre_dose_systolic_max=self.pre_dose_systolic_max,
            pre_dose_diastolic_max=self.pre_dose_diastolic_max,
            systolic_max=self.systolic_max,
            diastolic_max=self.diastolic_max,
            heart_rate_max=self.heart_rate_max,
            heart_rate_min=self.heart_rate_min,
            spo2_min=self.spo2_min,
            respiratory_rate_min=self.respiratory_rate_min,
            baseline_rise_percent=self.baseline_rise_percent,
            discharge_systolic_max=self.discharge_systolic_max,
            discharge_diastolic_max=self.discharge_diastolic_max,
            discharge_heart_rate_max=self.discharge_heart_rate_max,
            systolic_min_mmhg=self.systolic_min_mmhg,
            baseline_fall_percent=self.baseline_fall_percent,
            respiratory_rate_max_per_min=self.respiratory_rate_max_per_min,
            stop_systolic_mmhg=self.stop_systolic_mmhg,
            stop_diastolic_mmhg=self.stop_diastolic_mmhg,
            stop_spo2_below_pct=self.stop_spo2_below_pct,
            stop_consciousness=self.stop_consciousness,
            alert_escalation_minutes=self.alert_escalation_minutes,
        )
