"""Protocol templates (the medical director's allowed ranges) and each patient's treatment plan,
kept as signed versions so that its history is always visible."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from clinic.core.choices import Condition, Route
from clinic.core.models import TimeStampedModel
from clinic.treatment.choices import (
    ChangeReason,
    DoseUnit,
    PlanDraftStatus,
    PlanStatus,
    WeightBasis,
)
from clinic.treatment.rules import MINIMUM_GAP_DAYS


class ProtocolTemplate(TimeStampedModel):
    """A protocol for one indication and route, with its default dose, allowed range, schedule and
    source. Edited by the medical director; a plan outside the range needs a documented override."""

    name = models.CharField(max_length=120, unique=True)
    indication = models.CharField(max_length=30, choices=Condition.choices)
    route = models.CharField(max_length=12, choices=Route.choices)
    dose_unit = models.CharField(
        max_length=10, choices=DoseUnit.choices, default=DoseUnit.MG_PER_KG
    )
    default_dose = models.DecimalField(
        max_digits=6, decimal_places=3, validators=[MinValueValidator(Decimal("0.001"))]
    )
    minimum_dose = models.DecimalField(
        max_digits=6, decimal_places=3, validators=[MinValueValidator(Decimal("0.001"))]
    )
    maximum_dose = models.DecimalField(
        max_digits=6, decimal_places=3, validators=[MinValueValidator(Decimal("0.001"))]
    )
    infusion_minutes = models.PositiveSmallIntegerField(null=True, blank=True, help_text="IV only.")
    # The infusion limits a plan is checked against (IV only; empty = not checked). The seeded
    # values and their sources are in the 0004 migration and each protocol's source text.
    minimum_infusion_minutes = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(1440)]
    )
    maximum_infusion_minutes = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(1440)]
    )
    maximum_mg_per_kg_per_hour = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text="Ceiling on the infusion rate, mg per kg of actual weight per hour.",
    )
    maximum_bolus_mg_per_kg = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text="Ceiling on a bolus, mg per kg of actual weight.",
    )
    bolus_up_to_minutes = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text="A dose given over this many minutes or less is a bolus.",
    )
    # "Completed: full dose given" is accepted from the plan's infusion minutes less this many
    # (the pump's own timing and a bag's overfill make the end vary a little). No source fixes
    # it: clinic policy, UNVERIFIED, edited by the medical director.
    infusion_completion_tolerance_minutes = models.PositiveSmallIntegerField(
        default=5,
        validators=[MaxValueValidator(60)],
        help_text=(
            "IV: 'Completed' is accepted from the plan's infusion minutes less this many "
            "(clinic policy, UNVERIFIED)."
        ),
    )
    # What the nurse draws up and dilutes (pump settings are worked from these).
    stock_concentration_mg_per_ml = models.DecimalField(
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.1"))],
        help_text="Strength of the vial the dose is drawn from (IV).",
    )
    bag_volume_ml = models.DecimalField(
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("1"))],
        help_text="Volume of the bag the dose is added to (IV), as prepared.",
    )
    # Fixed-dose devices (esketamine nasal spray).
    device_mg = models.DecimalField(
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.1"))],
        help_text="Fixed-dose products: mg per device; a dose is a whole number of devices.",
    )
    allowed_doses_mg = models.JSONField(
        default=list, blank=True, help_text="Fixed-dose products: the doses allowed, in mg."
    )
    first_session_dose_mg = models.DecimalField(
        max_digits=5, decimal_places=1, null=True, blank=True
    )
    older_adult_from_age_years = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="From this age the older-adult doses below apply instead (empty: no difference).",
    )
    older_adult_allowed_doses_mg = models.JSONField(default=list, blank=True)
    older_adult_first_session_dose_mg = models.DecimalField(
        max_digits=5, decimal_places=1, null=True, blank=True
    )
    induction_sessions = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(30)]
    )
    induction_sessions_per_week = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    maintenance_interval_days = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(180)]
    )
    observation_minutes = models.PositiveSmallIntegerField(
        default=60, help_text="Minimum monitoring after dosing."
    )
    # The floor between doses, checked before dosing (the sessions' interval gate) and warned of
    # at booking. No source gives a minimum in hours for any route; these are calendar days in the
    # clinic's zone and a count over any 7 consecutive days [clinic policy, UNVERIFIED: inferred
    # from the most frequent schedules studied - IV ketamine for depression 2 or 3 times a week
    # (Singh et al., Am J Psychiatry 2016;173:816-826), infusions on alternate days; esketamine
    # twice a week in weeks 1-4 (Spravato US prescribing information, 2019); daily infusions for
    # CRPS (Cohen et al., Reg Anesth Pain Med 2018;43:521-546)]. The seeded values are in the
    # 0006 migration.
    minimum_days_between_doses = models.PositiveSmallIntegerField(
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=(
            "Calendar days from one dose to the next (2: never on consecutive days; 1: daily "
            "allowed). A second dose on the same day is never given."
        ),
    )
    maximum_doses_per_7_days = models.PositiveSmallIntegerField(
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(7)],
        help_text="Most doses in any 7 consecutive days (today and the 6 days before).",
    )
    instruments = models.JSONField(
        default=list, blank=True, help_text="Instrument codes to repeat."
    )
    # In maintenance, how often the patient is asked between visits whether they have side
    # effects (clinic.treatment.side_effect_checks). Long-term effects (bladder, memory,
    # dissociation, misuse) are what the labels ask to be followed over a course (Ketalar, Spravato
    # prescribing information); no source fixes the interval [clinic policy, UNVERIFIED: monthly].
    side_effect_check_days = models.PositiveSmallIntegerField(
        "side-effect check every (days)",
        null=True,
        blank=True,
        default=28,
        validators=[MinValueValidator(7), MaxValueValidator(180)],
        help_text="In maintenance, ask the patient about side effects this often between visits "
        "(empty: never). Clinic policy, UNVERIFIED.",
    )
    source = models.TextField()
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["indication", "route", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(minimum_dose__lte=models.F("default_dose"))
                & models.Q(default_dose__lte=models.F("maximum_dose")),
                name="protocol_default_within_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        errors = {}
        per_week, most = self.induction_sessions_per_week, self.maximum_doses_per_7_days
        if per_week and most and per_week > most:
            errors["maximum_doses_per_7_days"] = (
                f"The induction schedule has {per_week} sessions a week, more than the {most} "
                "doses allowed in 7 days: raise the limit or lower the sessions per week."
            )
        gap = self.minimum_days_between_doses
        proposed_gap = MINIMUM_GAP_DAYS.get(per_week)
        if gap and proposed_gap and gap > proposed_gap:
            errors["minimum_days_between_doses"] = (
                f"At {per_week} sessions a week the induction dates are {proposed_gap} day(s) "
                f"apart, less than the {gap} days required between doses."
            )
        # With a gap of g days, at most 1 + 6 // g doses fit in 7 consecutive days.
        if gap and most and most > 1 + 6 // gap:
            errors["maximum_doses_per_7_days"] = (
                f"With {gap} days between doses at most {1 + 6 // gap} fit in 7 days; "
                f"a limit of {most} would never be reached."
            )
        if errors:
            raise ValidationError(errors)


class TreatmentPlan(TimeStampedModel):
    """A patient's course of ketamine treatment; its content lives in signed versions."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="treatment_plans"
    )
    location = models.ForeignKey("core.Location", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=PlanStatus.choices, default=PlanStatus.ACTIVE)
    evaluation = models.ForeignKey(
        "evaluation.Evaluation", on_delete=models.PROTECT, related_name="plans"
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient"],
                condition=models.Q(status="active"),
                name="one_active_plan_per_patient",
            )
        ]

    def __str__(self) -> str:
        return f"Plan for patient {self.patient_id} ({self.get_status_display()})"


class TreatmentPlanVersion(models.Model):
    """One signed version of a plan: what is to be given, how often, and why it changed."""

    plan = models.ForeignKey(TreatmentPlan, on_delete=models.PROTECT, related_name="versions")
    location = models.ForeignKey("core.Location", on_delete=models.PROTECT, related_name="+")
    number = models.PositiveSmallIntegerField()
    protocol = models.ForeignKey(ProtocolTemplate, on_delete=models.PROTECT, related_name="+")
    indications = models.JSONField()
    route = models.CharField(max_length=12, choices=Route.choices)
    dose_unit = models.CharField(max_length=10, choices=DoseUnit.choices)
    # mg/kg for weight-based routes, mg for a fixed dose.
    dose = models.DecimalField(max_digits=6, decimal_places=3)
    weight_basis = models.CharField(max_length=10, choices=WeightBasis.choices, blank=True)
    weight_kg = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    height_cm = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    basis_weight_kg = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    dose_mg = models.DecimalField(max_digits=6, decimal_places=1)
    infusion_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    induction_sessions = models.PositiveSmallIntegerField()
    induction_sessions_per_week = models.PositiveSmallIntegerField()
    maintenance_interval_days = models.PositiveSmallIntegerField()
    start_date = models.DateField()
    proposed_dates = models.JSONField(
        help_text="ISO dates of the proposed sessions (booked in scheduling)."
    )
    target_outcomes = models.TextField()
    instruments = models.JSONField(default=list)
    # Outside the protocol's range only with an explicit, documented override.
    dose_outside_range = models.BooleanField(default=False)
    override_reason = models.TextField(blank=True)
    # Each way the plan fell outside the protocol when it was signed (what the override covers).
    # Nullable without a default so that adding it leaves signed rows untouched (no table rewrite).
    protocol_problems = models.JSONField(null=True, blank=True)
    # The product and bag the pump settings are worked from, as the protocol had them at signing.
    stock_concentration_mg_per_ml = models.DecimalField(
        max_digits=5, decimal_places=1, null=True, blank=True
    )
    bag_volume_ml = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    # The patient's goals (clinic.treatment.goals.clean_goal: the patient's words, what measures
    # each, the target and its date). Nullable without a default so that adding it leaves signed
    # rows untouched; signed with the rest of the version.
    goals = models.JSONField(null=True, blank=True)
    change_reason = models.CharField(max_length=20, choices=ChangeReason.choices)
    change_details = models.TextField(blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField()
    content_sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["plan", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="plan_version_number_unique"),
            models.CheckConstraint(
                condition=models.Q(dose_outside_range=False) | ~models.Q(override_reason=""),
                name="plan_override_documented",
            ),
            models.CheckConstraint(
                condition=models.Q(dose__gt=0) & models.Q(dose_mg__gt=0), name="plan_dose_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"Plan v{self.number}"


class TreatmentPlanDraft(TimeStampedModel):
    """The next version of a patient's plan as something else proposed it (a follow-up review's
    decision): the plan page opens with these values, and the prescriber checks, previews and
    signs it like any version. Nothing here is prescribed until it is signed."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="plan_drafts"
    )
    location = models.ForeignKey("core.Location", on_delete=models.PROTECT, related_name="+")
    # The version it changes.
    based_on = models.ForeignKey(
        TreatmentPlanVersion, on_delete=models.PROTECT, related_name="drafts"
    )
    # The plan form's values: protocol (id), indications, dose (text), weight_basis,
    # infusion_minutes, induction_sessions, induction_sessions_per_week,
    # maintenance_interval_days, start_date (ISO), target_outcomes, change_reason, change_details.
    values = models.JSONField()
    # What proposed it, in words shown on the plan page ("Follow-up review of Dec 1, 2026").
    origin = models.CharField(max_length=200)
    status = models.CharField(
        max_length=10, choices=PlanDraftStatus.choices, default=PlanDraftStatus.OPEN
    )
    signed_version = models.OneToOneField(
        TreatmentPlanVersion,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="from_draft",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient"],
                condition=models.Q(status="open"),
                name="one_open_plan_draft_per_patient",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="signed") | models.Q(signed_version__isnull=False),
                name="signed_plan_draft_names_version",
            ),
        ]

    def __str__(self) -> str:
        return f"Draft of the next plan version ({self.get_status_display()})"


# --- Esketamine REMS -----------------------------------------------------------------------
# Spravato (esketamine) is dispensed in the US only under a Risk Evaluation and Mitigation
# Strategy (21 U.S.C. 355-1; the Spravato REMS, FDA): an outpatient healthcare setting is certified
# (its authorised representative enrols it, and re-certifies when the representative changes) and
# each patient is enrolled before the first treatment. Both are kept as rows, never edited: the
# latest is the one in force, the earlier ones stay as its history.
class RemsSettingCertification(TimeStampedModel):
    """A location's Spravato REMS healthcare-setting certification, as the REMS issued it."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    location = models.ForeignKey(
        "core.Location", on_delete=models.PROTECT, related_name="rems_certifications"
    )
    certification_number = models.CharField("REMS certification number", max_length=40)
    authorised_representative = models.CharField(max_length=150)
    certified_on = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-certified_on", "-created_at", "-id"]
        indexes = [
            models.Index(fields=["location", "-certified_on"], name="rems_cert_location_latest")
        ]

    def __str__(self) -> str:
        return f"REMS certification {self.certification_number}"


class RemsPatientEnrolment(TimeStampedModel):
    """A patient's enrolment in the Spravato REMS (patient and prescriber signed the form)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="rems_enrolments"
    )
    patient_rems_id = models.CharField("patient REMS ID", max_length=40)
    enrolled_on = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-enrolled_on", "-created_at", "-id"]
        indexes = [
            models.Index(fields=["patient", "-enrolled_on"], name="rems_enrol_patient_latest")
        ]

    def __str__(self) -> str:
        return f"REMS enrolment {self.patient_rems_id}"
