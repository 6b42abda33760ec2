"""The comprehensive evaluation, the screen against contraindication rules, the clinician's signed
suitability decision, and informed consent."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models

from clinic.core.dates import show_date
from clinic.core.models import TimeStampedModel
from clinic.evaluation.choices import (
    AllergySeverity,
    ConsentChannel,
    ConsentSigner,
    Control,
    Decision,
    EducationPhase,
    EvaluationStatus,
    InteractionKind,
    Presence,
    RuleOperator,
    RuleSetStatus,
    RuleSeverity,
    Severity4,
    SleepApnoea,
)


class ContraindicationRuleSet(TimeStampedModel):
    """A version of the clinic's contraindication rules. Exactly one is active; a decision records
    the version it was screened with, so a later edit never rewrites why a past decision was made."""

    version = models.PositiveIntegerField(unique=True)
    status = models.CharField(
        max_length=10, choices=RuleSetStatus.choices, default=RuleSetStatus.DRAFT
    )
    notes = models.TextField(blank=True, help_text="What changed in this version and why.")
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["status"], condition=models.Q(status="active"), name="one_active_rule_set"
            ),
        ]

    def __str__(self) -> str:
        return f"Screening rules v{self.version} ({self.get_status_display()})"


class ContraindicationRule(models.Model):
    """One rule: if the recorded history matches, the screen shows it with its severity and source."""

    rule_set = models.ForeignKey(
        ContraindicationRuleSet, on_delete=models.PROTECT, related_name="rules"
    )
    code = models.SlugField(max_length=60)
    label = models.CharField(max_length=200)
    severity = models.CharField(max_length=10, choices=RuleSeverity.choices)
    field = models.CharField(max_length=60, help_text="The evaluation field the rule reads.")
    operator = models.CharField(max_length=10, choices=RuleOperator.choices)
    value = models.JSONField(
        null=True, blank=True, help_text="Compared with the field (not needed for “is yes”)."
    )
    advice = models.TextField(
        blank=True, help_text="What the clinician should consider when it fires."
    )
    source = models.TextField()
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["rule_set", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["rule_set", "code"], name="rule_code_unique_in_set")
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.severity})"


class MedicationInteraction(TimeStampedModel):
    """A medicine (or class) worth flagging with ketamine, matched against the medication list."""

    name = models.CharField(max_length=100, unique=True)
    match_terms = models.JSONField(
        help_text="Lower-case names that identify it in a medication list."
    )
    kind = models.CharField(max_length=30, choices=InteractionKind.choices)
    effect = models.TextField()
    source = models.TextField()
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


# A yes/no screening question: None until it is asked, so an unasked question never reads as "no".
ASKED: dict[str, Any] = {"null": True, "blank": True, "default": None}


class Evaluation(TimeStampedModel):
    """A clinician's comprehensive evaluation of a patient before ketamine treatment, ending in a
    signed suitability decision. Once signed it is locked: corrections are addenda."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="evaluations"
    )
    location = models.ForeignKey("core.Location", on_delete=models.PROTECT, related_name="+")
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        max_length=20,
        choices=EvaluationStatus.choices,
        default=EvaluationStatus.IN_PROGRESS,
        db_index=True,
    )

    presenting_conditions = models.JSONField(default=list, blank=True)
    presenting_history = models.TextField("history of the presenting problem", blank=True)
    # Psychiatric history
    psychosis = models.CharField(
        "psychosis", max_length=10, choices=Presence.choices, default=Presence.NOT_ASKED
    )
    mania = models.CharField(
        "mania or hypomania", max_length=10, choices=Presence.choices, default=Presence.NOT_ASKED
    )
    suicide_attempts_lifetime = models.PositiveSmallIntegerField(
        "suicide attempts (lifetime)",
        null=True,
        blank=True,
        default=None,
        validators=[MaxValueValidator(100)],
    )
    suicide_attempt_past_year = models.BooleanField("a suicide attempt in the past year", **ASKED)
    # Substance use
    substance_use_disorder = models.CharField(
        max_length=10, choices=Severity4.choices, default=Severity4.NOT_ASKED
    )
    ketamine_misuse_history = models.BooleanField("past misuse of ketamine", **ASKED)
    recent_nonprescribed_psychoactive_use = models.BooleanField(
        "recent non-prescribed psychoactive drug use", **ASKED
    )
    # Medical history
    cardiovascular_disease = models.CharField(
        max_length=15, choices=Control.choices, default=Control.NOT_ASKED
    )
    hypertension = models.CharField(
        max_length=15, choices=Control.choices, default=Control.NOT_ASKED
    )
    significant_arrhythmia = models.BooleanField(**ASKED)
    aneurysm_or_avm = models.BooleanField(
        "aneurysmal vascular disease or arteriovenous malformation", **ASKED
    )
    intracerebral_haemorrhage = models.BooleanField("history of intracerebral haemorrhage", **ASKED)
    raised_intracranial_pressure = models.BooleanField(**ASKED)
    raised_intraocular_pressure = models.BooleanField(
        "raised intraocular pressure (e.g. glaucoma)", **ASKED
    )
    liver_disease = models.CharField(
        max_length=10, choices=Severity4.choices, default=Severity4.NOT_ASKED
    )
    seizure_disorder = models.CharField(
        max_length=15, choices=Control.choices, default=Control.NOT_ASKED
    )
    pregnant = models.BooleanField(**ASKED)
    breastfeeding = models.BooleanField(**ASKED)
    sleep_apnoea = models.CharField(
        max_length=10, choices=SleepApnoea.choices, default=SleepApnoea.NOT_ASKED
    )
    ketamine_hypersensitivity = models.BooleanField(
        "hypersensitivity to ketamine or esketamine", **ASKED
    )
    # Medicines
    current_medications = models.TextField(
        blank=True, help_text="One per line, with dose, e.g. “sertraline 100 mg daily”."
    )
    no_current_medications = models.BooleanField(
        "takes no medicines", default=False, help_text="Tick when the patient takes none."
    )
    # Free-text allergies of evaluations recorded before allergies were structured (Allergy rows).
    allergies = models.TextField(blank=True)
    no_known_allergies = models.BooleanField("no known allergies", default=False)
    # Treatments tried
    adequate_antidepressant_trials = models.PositiveSmallIntegerField(
        default=0, validators=[MaxValueValidator(50)]
    )
    prior_ect = models.BooleanField("electroconvulsive therapy (ECT)", default=False)
    prior_tms = models.BooleanField("transcranial magnetic stimulation (TMS)", default=False)
    prior_ketamine_or_esketamine = models.BooleanField(default=False)
    other_treatments = models.TextField(blank=True)
    # Baseline measurements
    baseline_vitals = models.ForeignKey(
        "patients.VitalSigns", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    height_cm = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    weight_kg = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    clinical_summary = models.TextField(blank=True)

    # The suitability decision, signed with the evaluation.
    decision = models.CharField(max_length=30, choices=Decision.choices, blank=True)
    decision_reasoning = models.TextField(blank=True)
    rule_set = models.ForeignKey(
        ContraindicationRuleSet, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The screen and interaction findings as they were when signed.
    screen_findings = models.JSONField(default=list, blank=True)
    # Each finding the clinician accepted when deciding "suitable", with their note on why.
    accepted_findings = models.JSONField(default=list, blank=True)
    interaction_findings = models.JSONField(default=list, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    content_sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="in-progress")
                | models.Q(status="entered-in-error")
                | (
                    ~models.Q(decision="")
                    & models.Q(signed_by__isnull=False)
                    & models.Q(signed_at__isnull=False)
                    & ~models.Q(content_sha256="")
                ),
                name="signed_evaluation_has_signature",
            ),
        ]

    def __str__(self) -> str:
        return f"Evaluation of patient {self.patient_id} ({self.get_status_display()})"

    @property
    def is_locked(self) -> bool:
        return self.status != EvaluationStatus.IN_PROGRESS


class Allergy(models.Model):
    """One allergy or intolerance recorded in an evaluation; frozen with it when it is signed."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.PROTECT, related_name="allergy_set")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey("core.Location", on_delete=models.PROTECT, related_name="+")
    substance = models.CharField(max_length=200)
    reaction = models.CharField(max_length=300, blank=True)
    severity = models.CharField(
        max_length=10, choices=AllergySeverity.choices, default=AllergySeverity.UNKNOWN
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["substance", "id"]
        verbose_name_plural = "allergies"

    def __str__(self) -> str:
        return self.substance

    @property
    def as_text(self) -> str:
        severity = "" if self.severity == AllergySeverity.UNKNOWN else self.severity
        details = ", ".join(part for part in (self.reaction, severity) if part)
        return f"{self.substance} ({details})" if details else self.substance


class EvaluationAddendum(models.Model):
    """A signed correction or addition to a signed evaluation; the original stays as it was."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.PROTECT, related_name="addenda")
    location = models.ForeignKey("core.Location", on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField()
    content_sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["signed_at", "id"]
        verbose_name_plural = "evaluation addenda"

    def __str__(self) -> str:
        return f"Addendum {show_date(self.signed_at)}"


class ConsentDocument(TimeStampedModel):
    """A version of an informed-consent document for one or more routes. A new active version
    needs a new signature from every patient treated by those routes."""

    code = models.SlugField(
        max_length=60, help_text="Stable name across versions, e.g. ketamine-infusion."
    )
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    routes = models.JSONField(help_text="Route codes this consent covers.")
    body = models.TextField(
        help_text="Plain-language text, as the patient reads it. Paragraphs separated by blank lines."
    )
    status = models.CharField(
        max_length=10, choices=RuleSetStatus.choices, default=RuleSetStatus.DRAFT
    )
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="consent_code_version_unique"),
            models.UniqueConstraint(
                fields=["code"],
                condition=models.Q(status="active"),
                name="one_active_consent_per_code",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"


class ConsentSignature(models.Model):
    """A signature on one exact version of a consent document: the patient's, or for a minor
    patient a guardian's beside the patient's own assent."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="consent_signatures"
    )
    location = models.ForeignKey("core.Location", on_delete=models.PROTECT, related_name="+")
    document = models.ForeignKey(
        ConsentDocument, on_delete=models.PROTECT, related_name="signatures"
    )
    typed_full_name = models.CharField(max_length=200)
    signed_on = models.DateField(help_text="The date the patient wrote beside their name.")
    signed_at = models.DateTimeField()
    channel = models.CharField(max_length=10, choices=ConsentChannel.choices)
    witnessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    # The SHA-256 of the document text the patient saw.
    document_sha256 = models.CharField(max_length=64)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    # The patient's own signature (consent; for a minor, their assent) or a guardian's consent
    # for a minor (then `guardian` names them).
    signed_as = models.CharField(
        max_length=10, choices=ConsentSigner.choices, default=ConsentSigner.PATIENT
    )
    guardian = models.ForeignKey(
        "patients.Guardian",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="consent_signatures",
    )

    class Meta:
        ordering = ["-signed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "document", "signed_as"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="one_signature_per_document",
            ),
            models.CheckConstraint(
                condition=models.Q(signed_as="patient", guardian__isnull=True)
                | models.Q(signed_as="guardian", guardian__isnull=False),
                name="consent_guardian_signs_as_guardian",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.typed_full_name} signed {self.document}"


class EducationPage(TimeStampedModel):
    """A version of one page of the patient education library, for one route or for every route
    (no routes), in one phase of treatment. Written and published by the medical director like a
    consent document: a published version never changes, a change is a new version."""

    code = models.SlugField(
        max_length=60, help_text="Stable name across versions, e.g. iv-the-session."
    )
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    phase = models.CharField(max_length=20, choices=EducationPhase.choices)
    routes = models.JSONField(
        default=list, blank=True, help_text="Route codes this page is for; empty: every route."
    )
    body = models.TextField(
        help_text="Plain-language text, as the patient reads it. Paragraphs separated by blank lines."
    )
    status = models.CharField(
        max_length=10, choices=RuleSetStatus.choices, default=RuleSetStatus.DRAFT
    )
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "version"], name="education_code_version_unique"
            ),
            models.UniqueConstraint(
                fields=["code"],
                condition=models.Q(status="active"),
                name="one_active_education_page_per_code",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"

    @property
    def paragraphs(self) -> list[str]:
        return [part.strip() for part in self.body.split("\n\n") if part.strip()]


class EducationPageOpened(models.Model):
    """A patient opened one exact version of an education page (the record of what they were
    given to read before and during treatment)."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="education_pages_opened"
    )
    page = models.ForeignKey(EducationPage, on_delete=models.PROTECT, related_name="openings")
    opened_at = models.DateTimeField()

    class Meta:
        ordering = ["-opened_at", "-id"]
        indexes = [models.Index(fields=["patient", "-opened_at"], name="education_opened_by_pt")]

    def __str__(self) -> str:
        return f"{self.page} opened {show_date(self.opened_at)}"


class MedicineList(models.Model):
    """The patient's medicines as a clinician recorded them after the evaluation (at a follow-up,
    or whenever they change), one a line with dose and frequency. The evaluation's list is the
    first; each of these is the list from then on. Written once, never changed: a correction is a
    new list."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="medicine_lists"
    )
    location = models.ForeignKey("core.Location", on_delete=models.PROTECT, related_name="+")
    medicines = models.TextField(
        blank=True, help_text="One per line, with dose, e.g. “oxycodone 10 mg twice daily”."
    )
    no_medicines = models.BooleanField("takes no medicines", default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-recorded_at", "-id"]
        indexes = [models.Index(fields=["patient", "recorded_at"], name="medicine_list_patient")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(no_medicines=True, medicines="")
                | (models.Q(no_medicines=False) & ~models.Q(medicines="")),
                name="medicine_list_given_or_none",
            )
        ]

    def __str__(self) -> str:
        return f"Medicine list of {show_date(self.recorded_at)}"
