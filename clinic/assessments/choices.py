from django.db import models


class AssessmentContext(models.TextChoices):
    """Why the questionnaire was given."""

    # Before treatment: the reference every later score is compared with.
    BASELINE = "baseline", "Baseline (evaluation)"
    # Shortly before a treatment session.
    PRE_SESSION = "pre_session", "Before a session"
    # After dosing, in the session (clinician-rated dissociation).
    POST_DOSE = "post_dose", "After dosing"
    # At a follow-up or reassessment.
    FOLLOW_UP = "follow_up", "Follow-up"
    # Any other time (a check-in between visits).
    CHECK_IN = "check_in", "Check-in"


class ResponseMode(models.TextChoices):
    """How the answers reached the record."""

    # The patient answered through a secure link.
    PATIENT_LINK = "patient_link", "Patient, by secure link"
    # The patient answered signed in to the portal.
    PATIENT_PORTAL = "patient_portal", "Patient, in the portal"
    # The patient answered on the clinic's tablet, handed over by a member of staff (signed in)
    # after the patient confirmed their date of birth.
    CLINIC_TABLET = "clinic_tablet", "Patient, on the clinic tablet"
    # Staff typed in the patient's paper answers on their behalf.
    STAFF_ENTERED = "staff_entered", "Paper, entered by staff"
    # A clinician rated the patient (e.g. the dissociation scale).
    CLINICIAN_RATED = "clinician_rated", "Clinician-rated"


class ResponseStatus(models.TextChoices):
    """FHIR QuestionnaireResponse status words."""

    IN_PROGRESS = "in-progress", "In progress"
    COMPLETED = "completed", "Completed"
    # Recorded by mistake (wrong patient, wrong form): kept, but excluded from scores and charts.
    ENTERED_IN_ERROR = "entered-in-error", "Entered in error"


class RequestStatus(models.TextChoices):
    OPEN = "open", "Waiting for the patient"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


class AlertReason(models.TextChoices):
    """Why an urgent safety alert was raised."""

    # PHQ-9 item 9 above 0 (thoughts of being better off dead or of self-harm).
    PHQ9_ITEM9 = "phq9_item9", "PHQ-9 item 9: thoughts of death or self-harm"
    # C-SSRS screen at moderate risk.
    CSSRS_MODERATE = "cssrs_moderate", "C-SSRS screen: moderate suicide risk"
    # C-SSRS screen at high risk.
    CSSRS_HIGH = "cssrs_high", "C-SSRS screen: high suicide risk"


class AlertStatus(models.TextChoices):
    OPEN = "open", "Open"
    RESOLVED = "resolved", "Resolved"


class AlertAction(models.TextChoices):
    """What a clinician did about a safety alert."""

    ASSESSMENT = "assessment", "Clinical risk assessment done"
    SAFETY_PLAN = "safety_plan", "Safety plan made or reviewed"
    REFERRAL = "referral", "Referred (crisis team, psychiatry, emergency department)"
    EMERGENCY_SERVICES = "emergency_services", "Emergency services called"
    FOLLOW_UP_BOOKED = "follow_up_booked", "Urgent follow-up booked"
    NO_RISK_FOUND = "no_risk_found", "Assessed: no current risk"


# Flags from scoring that raise an urgent alert, with the reason recorded.
ALERTING_FLAGS = {
    "self_harm_risk": AlertReason.PHQ9_ITEM9,
    "suicide_risk_moderate": AlertReason.CSSRS_MODERATE,
    "suicide_risk_high": AlertReason.CSSRS_HIGH,
}
