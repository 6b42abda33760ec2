from django.db import models


class EvaluationStatus(models.TextChoices):
    """FHIR-style lifecycle of a clinical document."""

    IN_PROGRESS = "in-progress", "In progress"
    # Signed with a suitability decision: locked; corrections are addenda.
    COMPLETED = "completed", "Signed"
    # Signed, and at least one addendum has been added since.
    AMENDED = "amended", "Signed, with addenda"
    ENTERED_IN_ERROR = "entered-in-error", "Entered in error"


class Decision(models.TextChoices):
    SUITABLE = "suitable", "Suitable for ketamine treatment"
    NOT_SUITABLE = "not_suitable", "Not suitable"
    NEEDS_MORE_INFORMATION = "needs_more_information", "Needs more information"
    REFERRAL = "referral", "Refer for specialist opinion"


class Presence(models.TextChoices):
    # The default: an unasked question never screens clean.
    NOT_ASKED = "not_asked", "Not asked"
    NONE = "none", "None"
    PAST = "past", "In the past"
    CURRENT = "current", "Current"


class Control(models.TextChoices):
    # The default: an unasked question never screens clean.
    NOT_ASKED = "not_asked", "Not asked"
    NONE = "none", "None"
    CONTROLLED = "controlled", "Present, controlled"
    UNCONTROLLED = "uncontrolled", "Present, poorly controlled"


class Severity4(models.TextChoices):
    # The default: an unasked question never screens clean.
    NOT_ASKED = "not_asked", "Not asked"
    NONE = "none", "None"
    MILD = "mild", "Mild"
    MODERATE = "moderate", "Moderate"
    SEVERE = "severe", "Severe"


class SleepApnoea(models.TextChoices):
    # The default: an unasked question never screens clean.
    NOT_ASKED = "not_asked", "Not asked"
    NONE = "none", "None"
    TREATED = "treated", "Present, treated (e.g. CPAP)"
    UNTREATED = "untreated", "Present, untreated"


class RuleSeverity(models.TextChoices):
    # Do not treat (the software still only warns: the clinician decides and documents).
    ABSOLUTE = "absolute", "Absolute"
    # Treat only with caution and a documented reason.
    RELATIVE = "relative", "Relative"


class RuleOperator(models.TextChoices):
    IS_TRUE = "is_true", "is yes"
    EQUALS = "equals", "equals"
    IN = "in", "is one of"
    AT_LEAST = "gte", "is at least"
    MORE_THAN = "gt", "is more than"
    LESS_THAN = "lt", "is less than"


class RuleSetStatus(models.TextChoices):
    DRAFT = "draft", "Draft (being edited)"
    ACTIVE = "active", "Active (used for new decisions)"
    RETIRED = "retired", "Retired"


class InteractionKind(models.TextChoices):
    BLUNTS_RESPONSE = "blunts_response", "May blunt the antidepressant response"
    RAISES_BLOOD_PRESSURE = "raises_blood_pressure", "Raises blood pressure or heart rate"
    SEDATION = "sedation", "Adds sedation or respiratory depression"


class ConsentSigner(models.TextChoices):
    """Who signed: an adult patient's consent; for a minor, the patient's own assent and, beside
    it, a guardian's consent (permission) — both are needed (American Academy of Pediatrics,
    Pediatrics 2016;138:e20161484)."""

    PATIENT = "patient", "Patient"
    GUARDIAN = "guardian", "Guardian"


class ConsentChannel(models.TextChoices):
    PORTAL = "portal", "Patient portal"
    TABLET = "tablet", "Clinic tablet"


class AllergySeverity(models.TextChoices):
    MILD = "mild", "Mild"
    MODERATE = "moderate", "Moderate"
    SEVERE = "severe", "Severe (e.g. anaphylaxis)"
    UNKNOWN = "unknown", "Not known"


class EducationPhase(models.TextChoices):
    """Where in the course of treatment an education page helps (the order the library shows)."""

    PREPARING = "preparing", "Preparing for treatment"
    SESSION = "session", "The session"
    AFTERWARDS = "afterwards", "Afterwards"
    SIDE_EFFECTS = "side_effects", "Side effects"
    DRIVING = "driving", "Driving and travel"
    WHEN_TO_CALL = "when_to_call", "When to call us"
