from django.db import models


class PatientStatus(models.TextChoices):
    """Where a person stands in their course of care."""

    # Registered, not yet evaluated (e.g. converted from a consultation request).
    PROSPECTIVE = "prospective", "Prospective"
    # Comprehensive evaluation booked or under way; no treatment yet.
    IN_EVALUATION = "in_evaluation", "In evaluation"
    # In an induction series or otherwise receiving active treatment.
    ACTIVE = "active", "Active treatment"
    # Induction finished; on a maintenance schedule.
    MAINTENANCE = "maintenance", "Maintenance"
    # No longer under the clinic's care (finished, declined, unsuitable or moved away).
    DISCHARGED = "discharged", "Discharged"


# Which status may follow which: a course of care moves forward, may be discharged at any point,
# and a discharged patient may be referred again (back to evaluation).
ALLOWED_STATUS_CHANGES: dict[str, frozenset[str]] = {
    PatientStatus.PROSPECTIVE: frozenset({PatientStatus.IN_EVALUATION, PatientStatus.DISCHARGED}),
    PatientStatus.IN_EVALUATION: frozenset(
        {PatientStatus.PROSPECTIVE, PatientStatus.ACTIVE, PatientStatus.DISCHARGED}
    ),
    PatientStatus.ACTIVE: frozenset({PatientStatus.MAINTENANCE, PatientStatus.DISCHARGED}),
    PatientStatus.MAINTENANCE: frozenset({PatientStatus.ACTIVE, PatientStatus.DISCHARGED}),
    PatientStatus.DISCHARGED: frozenset({PatientStatus.IN_EVALUATION}),
}


class CourseEvent(models.TextChoices):
    """An event of the course of care that moves a patient's status on by itself
    (clinic.patients.rules.status_after_course_event); recorded on the status change it made."""

    # A clinician opened a comprehensive evaluation.
    EVALUATION_STARTED = "evaluation_started", "Evaluation started"
    # The evaluation and its suitability decision were signed (whatever the decision).
    EVALUATION_SIGNED = "evaluation_signed", "Evaluation signed"
    # A treatment plan version was signed (not one moving to maintenance).
    PLAN_SIGNED = "plan_signed", "Treatment plan signed"
    # A plan version "moving to maintenance" was signed.
    MAINTENANCE_STARTED = "maintenance_started", "Maintenance plan signed"
    # A session's dose was given (the infusion started, the spray or injection given).
    SESSION_DOSED = "session_dosed", "Session dosed"
    # The treatment plan was ended, completed or stopped.
    COURSE_ENDED = "course_ended", "Treatment plan ended"


class Sex(models.TextChoices):
    """Sex recorded for clinical calculations (e.g. ideal body weight); FHIR AdministrativeGender."""

    FEMALE = "female", "Female"
    MALE = "male", "Male"
    OTHER = "other", "Other"
    UNKNOWN = "unknown", "Unknown"


class PregnancyPotential(models.TextChoices):
    """Whether the patient could be pregnant, recorded by a member of the care team: screening
    follows anatomy and pregnancy potential, never the recorded sex (Fricke et al., urine
    pregnancy screening for patients with and without the capacity for pregnancy, INAHTA; ASA
    statement on pregnancy testing prior to anesthesia, 2016, amended 2021)."""

    NOT_ASKED = "", "Not asked"
    POSSIBLE = "possible", "Could be pregnant"
    NOT_POSSIBLE = "not_possible", "Cannot be pregnant"


class NoPregnancyPotentialReason(models.TextChoices):
    """Why a patient cannot be pregnant (the reason the record gives for "cannot")."""

    POST_MENOPAUSAL = "post_menopausal", "Post-menopausal"
    HYSTERECTOMY = "hysterectomy", "Hysterectomy"
    NO_UTERUS = "no_uterus", "No uterus (anatomy)"
    OTHER = "other", "Another reason (say which)"


class VitalSignsContext(models.TextChoices):
    """Where a set of vital signs was taken."""

    EVALUATION = "evaluation", "Evaluation (baseline)"
    PRE_DOSE = "pre_dose", "Before dosing"
    MONITORING = "monitoring", "During the session"
    DISCHARGE = "discharge", "Before discharge"
    OTHER = "other", "Other"


class Consciousness(models.TextChoices):
    """ACVPU, as NEWS2 scores it (RCP 2017)."""

    ALERT = "alert", "Alert"
    NEW_CONFUSION = "new_confusion", "New confusion"
    VOICE = "voice", "Responds to voice"
    PAIN = "pain", "Responds to pain"
    UNRESPONSIVE = "unresponsive", "Unresponsive"


class GuardianRelationship(models.TextChoices):
    """Who a minor's legal representative is to them."""

    # A parent with parental responsibility (birth or adoptive).
    PARENT = "parent", "Parent"
    # A guardian appointed by a court.
    LEGAL_GUARDIAN = "legal_guardian", "Legal guardian (court-appointed)"
    # Another person with legal authority to consent for the minor (e.g. a custodian named in a
    # custody order, a state agency's representative); the proof says which.
    OTHER_REPRESENTATIVE = "other_representative", "Other legal representative"


class GuardianAuthorityProof(models.TextChoices):
    """The document the clinic saw showing that the guardian may consent for the minor."""

    BIRTH_CERTIFICATE = "birth_certificate", "Birth certificate naming the parent"
    ADOPTION_ORDER = "adoption_order", "Adoption order"
    COURT_ORDER = "court_order", "Court order (guardianship or custody)"
    OTHER_DOCUMENT = "other_document", "Another document (described in the note)"
