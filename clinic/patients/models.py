"""The patient record: who the patient is, how to reach them, and where they stand in care."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models

from clinic.core.dates import show_datetime
from clinic.core.models import TimeStampedModel
from clinic.core.phone import PhoneNumberField
from clinic.core.validators import age_in_years
from clinic.patients.ages import AGE_OF_MAJORITY_YEARS, is_minor
from clinic.patients.choices import (
    Consciousness,
    CourseEvent,
    GuardianAuthorityProof,
    GuardianRelationship,
    NoPregnancyPotentialReason,
    PatientStatus,
    PregnancyPotential,
    Sex,
    VitalSignsContext,
)
from clinic.patients.ranges import PLAUSIBLE


class Patient(TimeStampedModel):
    """A person registered with the clinic, from their first contact to discharge."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Medical record number, unique in the installation, e.g. KC-000123.
    mrn = models.CharField("MRN", max_length=20, unique=True, editable=False)
    # The partition key of patient data (a chain can later shard by it).
    location = models.ForeignKey(
        "core.Location",
        on_delete=models.PROTECT,
        related_name="patients",
        verbose_name="home location",
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="patient",
        help_text="The patient's portal account, if they have one.",
    )
    legal_first_name = models.CharField(max_length=100)
    legal_last_name = models.CharField(max_length=100)
    preferred_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=10, choices=Sex.choices)
    pronouns = models.CharField(max_length=40, blank=True)

    email = models.EmailField(blank=True)
    phone = PhoneNumberField()
    # Text messages (reminders, "a reply is waiting"): sent only after the patient said yes, and
    # never after they texted STOP (or said no) later than that.
    sms_opted_in_at = models.DateTimeField(null=True, blank=True, editable=False)
    sms_opted_out_at = models.DateTimeField(null=True, blank=True, editable=False)
    address_line1 = models.CharField("address", max_length=200, blank=True)
    address_line2 = models.CharField("address (line 2)", max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    region = models.CharField("state or region", max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)

    emergency_contact_name = models.CharField(max_length=150, blank=True)
    emergency_contact_relationship = models.CharField(max_length=60, blank=True)
    emergency_contact_phone = PhoneNumberField(blank=True)

    referring_provider_name = models.CharField(max_length=150, blank=True)
    referring_provider_practice = models.CharField(max_length=150, blank=True)
    referring_provider_phone = PhoneNumberField(blank=True)
    referring_provider_email = models.EmailField(blank=True)
    referring_provider_fax = PhoneNumberField(blank=True)
    # Where progress letters are posted: the practice's address as it goes on an envelope.
    referring_provider_address = models.TextField(max_length=400, blank=True)

    # Condition codes from clinic.core.choices.Condition.
    primary_conditions = models.JSONField(default=list, blank=True)
    other_condition = models.CharField(max_length=200, blank=True)

    height_cm = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    weight_kg = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    # When height and weight were last measured or reported.
    measurements_taken_at = models.DateTimeField(null=True, blank=True)

    # Whether the patient could be pregnant (asked before the first dose, kept for the next ones):
    # the pre-dose pregnancy gate reads this, not `sex`, which is for dose calculations.
    pregnancy_potential = models.CharField(
        max_length=16, choices=PregnancyPotential.choices, blank=True, default=""
    )
    pregnancy_potential_reason = models.CharField(
        max_length=20, choices=NoPregnancyPotentialReason.choices, blank=True
    )
    pregnancy_potential_note = models.CharField(max_length=200, blank=True)
    pregnancy_potential_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    pregnancy_potential_recorded_at = models.DateTimeField(null=True, blank=True)

    status = models.CharField(
        max_length=20,
        choices=PatientStatus.choices,
        default=PatientStatus.PROSPECTIVE,
        db_index=True,
    )
    status_changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["legal_last_name", "legal_first_name", "id"]
        indexes = [
            models.Index(
                fields=["location", "legal_last_name", "legal_first_name"], name="patient_loc_name"
            ),
            models.Index(fields=["date_of_birth"], name="patient_birth_date"),
            # The dashboard's count by status (answered from the index alone) and its newest
            # patients (the first rows of the index): neither reads the whole table.
            models.Index(fields=["location", "status"], name="patient_location_status"),
            models.Index(fields=["location", "-created_at"], name="patient_recent"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(height_cm__isnull=True)
                | models.Q(height_cm__gte=Decimal("50.0"), height_cm__lte=Decimal("250.0")),
                name="patient_height_cm_physiological",
            ),
            models.CheckConstraint(
                condition=models.Q(weight_kg__isnull=True)
                | models.Q(weight_kg__gte=Decimal("20.0"), weight_kg__lte=Decimal("350.0")),
                name="patient_weight_kg_physiological",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=PatientStatus.values), name="patient_status_valid"
            ),
            # "Cannot be pregnant" always says why; "another reason" says which.
            models.CheckConstraint(
                condition=~models.Q(pregnancy_potential="not_possible")
                | (
                    ~models.Q(pregnancy_potential_reason="")
                    & (
                        ~models.Q(pregnancy_potential_reason="other")
                        | ~models.Q(pregnancy_potential_note="")
                    )
                ),
                name="patient_no_pregnancy_potential_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.mrn})"

    @property
    def legal_name(self) -> str:
        return f"{self.legal_first_name} {self.legal_last_name}"

    @property
    def may_be_texted(self) -> bool:
        """The patient said yes to text messages and has not said STOP since."""
        return bool(
            self.phone
            and self.sms_opted_in_at
            and (self.sms_opted_out_at is None or self.sms_opted_out_at < self.sms_opted_in_at)
        )

    @property
    def display_name(self) -> str:
        """The name staff call the patient by, with the legal name kept for identity checks."""
        if self.preferred_name and self.preferred_name != self.legal_first_name:
            return f"{self.preferred_name} {self.legal_last_name}"
        return self.legal_name

    def age_on(self, on: date) -> int:
        return age_in_years(self.date_of_birth, on)

    def is_minor_on(self, on: date) -> bool:
        """Under the age of majority on that day (clinic.patients.ages): needs a guardian."""
        return is_minor(self.date_of_birth, on)

    @property
    def bmi(self) -> Decimal | None:
        """Body-mass index, kg/m² (WHO definition), to one decimal."""
        if not self.height_cm or not self.weight_kg:
            return None
        height_m = self.height_cm / Decimal(100)
        return (self.weight_kg / (height_m * height_m)).quantize(Decimal("0.1"))


class PatientStatusChange(models.Model):
    """One step of a patient's course of care: from which status to which, by whom and why."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="status_changes")
    location = models.ForeignKey("core.Location", on_delete=models.PROTECT, related_name="+")
    from_status = models.CharField(max_length=20, choices=PatientStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=PatientStatus.choices)
    reason = models.CharField(max_length=500, blank=True)
    # The event of care that made the change by itself (blank: changed by hand), with `reason`
    # saying it in words ("session 1 was dosed").
    course_event = models.CharField(max_length=30, choices=CourseEvent.choices, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_from_status_display() or 'Registered'} → {self.get_to_status_display()}"


class VitalSigns(models.Model):
    """One set of vital signs taken at one moment, in any context (evaluation baseline, before
    dosing, during a session, before discharge). The one vital-signs table every app refers to;
    units are in the field names and physiological ranges are enforced by the database."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="vital_signs")
    location = models.ForeignKey("core.Location", on_delete=models.PROTECT, related_name="+")
    context = models.CharField(max_length=20, choices=VitalSignsContext.choices)
    # When the reading was taken (not when it was typed in: that is created_at).
    taken_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    systolic_mmhg = models.PositiveSmallIntegerField(
        "systolic blood pressure (mmHg)",
        null=True,
        blank=True,
        validators=PLAUSIBLE["systolic_mmhg"].validators(),
    )
    diastolic_mmhg = models.PositiveSmallIntegerField(
        "diastolic blood pressure (mmHg)",
        null=True,
        blank=True,
        validators=PLAUSIBLE["diastolic_mmhg"].validators(),
    )
    heart_rate_bpm = models.PositiveSmallIntegerField(
        "heart rate (beats/min)",
        null=True,
        blank=True,
        validators=PLAUSIBLE["heart_rate_bpm"].validators(),
    )
    respiratory_rate_per_min = models.PositiveSmallIntegerField(
        "respiratory rate (breaths/min)",
        null=True,
        blank=True,
        validators=PLAUSIBLE["respiratory_rate_per_min"].validators(),
    )
    spo2_pct = models.PositiveSmallIntegerField(
        "SpO₂ (%)", null=True, blank=True, validators=PLAUSIBLE["spo2_pct"].validators()
    )
    temperature_c = models.DecimalField(
        "temperature (°C)",
        max_digits=3,
        decimal_places=1,
        null=True,
        blank=True,
        validators=PLAUSIBLE["temperature_c"].validators(),
    )
    consciousness = models.CharField(max_length=20, choices=Consciousness.choices, blank=True)
    on_supplemental_oxygen = models.BooleanField(default=False)
    weight_kg = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)

    class Meta:
        ordering = ["-taken_at", "-id"]
        verbose_name_plural = "vital signs"
        indexes = [
            models.Index(fields=["patient", "context", "-taken_at"], name="vitals_patient_context")
        ]
        constraints = [
            # Physiologically possible values only: a typo such as 1200 mmHg never reaches the chart.
            models.CheckConstraint(
                condition=PLAUSIBLE["systolic_mmhg"].holds("systolic_mmhg"),
                name="vitals_systolic_mmhg_range",
            ),
            models.CheckConstraint(
                condition=PLAUSIBLE["diastolic_mmhg"].holds("diastolic_mmhg"),
                name="vitals_diastolic_mmhg_range",
            ),
            models.CheckConstraint(
                condition=PLAUSIBLE["heart_rate_bpm"].holds("heart_rate_bpm"),
                name="vitals_heart_rate_bpm_range",
            ),
            models.CheckConstraint(
                condition=PLAUSIBLE["respiratory_rate_per_min"].holds("respiratory_rate_per_min"),
                name="vitals_respiratory_rate_range",
            ),
            models.CheckConstraint(
                condition=PLAUSIBLE["spo2_pct"].holds("spo2_pct"), name="vitals_spo2_pct_range"
            ),
            models.CheckConstraint(
                condition=PLAUSIBLE["temperature_c"].holds("temperature_c"),
                name="vitals_temperature_c_range",
            ),
            models.CheckConstraint(
                condition=PLAUSIBLE["weight_kg"].holds("weight_kg"),
                name="vitals_weight_kg_range",
            ),
            models.CheckConstraint(
                condition=models.Q(systolic_mmhg__isnull=True)
                | models.Q(diastolic_mmhg__isnull=True)
                | models.Q(systolic_mmhg__gt=models.F("diastolic_mmhg")),
                name="vitals_systolic_above_diastolic",
            ),
        ]

    def __str__(self) -> str:
        return f"Vitals {show_datetime(self.taken_at)} ({self.get_context_display()})"

    def clean(self) -> None:
        """The checks the constraints above make, as messages beside the field (the field
        validators cover the ranges; services then skip the one-query-per-constraint check)."""
        errors = {}
        weight = PLAUSIBLE["weight_kg"]
        if self.weight_kg is not None and not weight.low <= self.weight_kg <= weight.high:
            errors["weight_kg"] = (
                f"Enter a weight between {weight.low:.0f} and {weight.high:.0f} kg."
            )
        if (
            self.systolic_mmhg is not None
            and self.diastolic_mmhg is not None
            and self.systolic_mmhg <= self.diastolic_mmhg
        ):
            errors["diastolic_mmhg"] = "The diastolic pressure must be below the systolic."
        if errors:
            raise ValidationError(errors)

    @property
    def blood_pressure(self) -> str:
        if self.systolic_mmhg is None or self.diastolic_mmhg is None:
            return ""
        return f"{self.systolic_mmhg}/{self.diastolic_mmhg}"


class PatientPolicy(TimeStampedModel):
    """Who the clinic registers and what a guardian's portal account shows (one row, edited by the
    medical director in the admin)."""

    # 18, the age of majority in most US states, or lower for a clinic that sees minors (state
    # law decides who may consent) [UNVERIFIED clinic policy]. At most 18: an adult is always
    # accepted, so registering one never reads this row.
    minimum_age_years = models.PositiveSmallIntegerField(
        default=18,
        validators=[MaxValueValidator(18)],
        help_text=(
            "Youngest age (years) the consultation form and registration accept. Below 18 the "
            "clinic treats minors: each needs a guardian's consent and their own assent."
        ),
    )
    # A young person's questionnaire answers (mood, suicidal thoughts, substance use) are theirs:
    # by default a guardian's portal account does not show them (clinic policy, UNVERIFIED;
    # state minor-confidentiality laws differ).
    guardians_see_questionnaire_answers = models.BooleanField(
        default=False,
        help_text=(
            "Whether a guardian's portal account may open the patient's own questionnaires "
            "(and so see their answers)."
        ),
    )
    singleton = models.BooleanField(default=True, unique=True, editable=False)

    class Meta:
        verbose_name_plural = "patient policy"

    def __str__(self) -> str:
        return "Registration and guardian policy"

    @property
    def allows_minors(self) -> bool:
        return self.minimum_age_years < AGE_OF_MAJORITY_YEARS


class Guardian(TimeStampedModel):
    """A minor patient's legal representative: the person who consents to treatment for them
    (beside the patient's own assent) and who may have a portal account to follow their care.
    Never deleted: a guardianship that ends keeps its row with `ended_at` and the reason."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="guardians")
    full_name = models.CharField("full legal name", max_length=150)
    relationship = models.CharField(max_length=24, choices=GuardianRelationship.choices)
    # Stored in E.164 (+15551234567), checked with the phonenumbers library.
    phone = models.CharField(max_length=20)
    email = models.EmailField("e-mail address", blank=True)
    authority_proof = models.CharField(
        "proof of authority", max_length=24, choices=GuardianAuthorityProof.choices
    )
    authority_proof_note = models.CharField(
        "proof noted",
        max_length=300,
        help_text="What was seen, e.g. “birth certificate seen at the front desk, copy scanned”.",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # The guardian's portal account (one account may be the guardian of several patients).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="guardianships",
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["full_name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(relationship__in=GuardianRelationship.values),
                name="guardian_relationship_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(ended_at__isnull=True) | ~models.Q(end_reason=""),
                name="guardian_end_has_reason",
            ),
            models.UniqueConstraint(
                fields=["patient", "user"],
                condition=models.Q(user__isnull=False),
                name="guardian_account_once_per_patient",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.get_relationship_display()})"

    @property
    def is_current(self) -> bool:
        return self.ended_at is None
