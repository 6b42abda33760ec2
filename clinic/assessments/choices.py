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
    # C-SSRS screen at low risk: a "yes" to wish to be dead (Q1) or to non-specific active
    # suicidal thoughts (Q2) only. Columbia's screener triage puts this below the emergent levels
    # (a behavioural-health review, not an immediate referral): a review flag, not an urgent alert.
    CSSRS_LOW = "cssrs_low", "C-SSRS screen: wish to be dead or suicidal thoughts (review)"
    # ASRM total at or above its cut-off (probable mania or hypomania, Altman et al. 1997).
    ASRM_MANIA = "asrm_mania", "ASRM: possible mania or hypomania (review)"
    # A side effect the patient reported between visits that needs a clinician now
    # (clinic.assessments.side_effects gives the sources).
    REPORT_SELF_HARM = "report_self_harm", "Side-effect report: thoughts of self-harm"
    REPORT_URINARY = "report_urinary", "Side-effect report: blood in urine or pain passing urine"
    REPORT_CHEST_PAIN = "report_chest_pain", "Side-effect report: chest pain"
    REPORT_FAINTING = "report_fainting", "Side-effect report: fainting"


class SideEffectCheckAnswer(models.TextChoices):
    """How the patient answered a scheduled side-effect check."""

    # Open: sent, not answered yet.
    OPEN = "open", "Waiting for the patient"
    NOTHING = "nothing", "Nothing to report"
    REPORTED = "reported", "Side effects reported"


class SideEffectSeverity(models.TextChoices):
    """How bad the patient says a side effect is, in the words of the usual patient-rated scale
    (mild / moderate / severe, as CTCAE's patient-reported version asks)."""

    MILD = "mild", "Mild: I notice it, but it does not get in the way"
    MODERATE = "moderate", "Moderate: it gets in the way of some things I do"
    SEVERE = "severe", "Severe: I cannot do my usual things"


class AlertStatus(models.TextChoices):
    OPEN = "open", "Open"
    RESOLVED = "resolved", "Resolved"


class ContactOutcome(models.TextChoices):
    """How one attempt to reach the patient about an open safety alert went."""

    # Spoke with the patient (or the emergency contact).
    REACHED = "reached", "Reached"
    NO_ANSWER = "no_answer", "Called – no answer"
    VOICEMAIL = "voicemail", "Left voicemail"
    # A text, e-mail or portal message asking the patient to call back.
    MESSAGE_SENT = "message_sent", "Message sent"


class AlertAction(models.TextChoices):
    """What a clinician did about a safety alert."""

    ASSESSMENT = "assessment", "Clinical risk assessment done"
    SAFETY_PLAN = "safety_plan", "Safety plan made or reviewed"
    REFERRAL = "referral", "Referred (crisis team, psychiatry, emergency department)"
    EMERGENCY_SERVICES = "emergency_services", "Emergency services called"
    FOLLOW_UP_BOOKED = "follow_up_booked", "Urgent follow-up booked"
    NO_RISK_FOUND = "no_risk_found", "Assessed: no current risk"
    # A review flag (C-SSRS low risk, ASRM at its cut-off) cleared for the next dose.
    CLEARED_FOR_DOSING = "cleared_for_dosing", "Reviewed: fit for the next dose"


# Flags from scoring that raise a safety alert, with the reason recorded. Every one of them can
# only be raised, never withdrawn, by further answers (an item's value, a "yes", a lower bound on a
# sum), so they are acted on the moment an answer is saved, before the form is submitted.
ALERTING_FLAGS = {
    "self_harm_risk": AlertReason.PHQ9_ITEM9,
    "suicide_risk_moderate": AlertReason.CSSRS_MODERATE,
    "suicide_risk_high": AlertReason.CSSRS_HIGH,
    "suicide_risk_low": AlertReason.CSSRS_LOW,
    "possible_mania": AlertReason.ASRM_MANIA,
}
# Every flag an instrument's scoring can raise, as staff read it (the codes never reach a screen).
FLAG_LABELS = {
    **{flag: reason.label for flag, reason in ALERTING_FLAGS.items()},
    "provisional_ptsd_dsm5": "PCL-5: provisional PTSD (DSM-5 symptom criteria met)",
    "bipolar_screen_positive": "MDQ: positive screen for bipolar spectrum disorder",
}


def flag_label(flag: str) -> str:
    return FLAG_LABELS.get(flag, flag.replace("_", " ").capitalize())


# Reasons that hold dosing for a clinician's review but are not emergent: shown apart from the
# urgent alerts and not sent to the on-call clinician. Open, they still block the session's "no
# open safety flag" gate like any open alert.
REVIEW_REASONS = frozenset({AlertReason.CSSRS_LOW, AlertReason.ASRM_MANIA})


class RemissionStatus(models.TextChoices):
    """Where a series of scores stands against its instrument's remission cut-off
    (clinic.assessments.progress; the cut-offs: docs/clinical-rules.md)."""

    # The latest follow-up score is at or below the cut-off.
    REMISSION = "remission", "In remission"
    # The latest follow-up score is above the cut-off.
    NO_REMISSION = "no_remission", "Not in remission"
    # The baseline was already at or below the cut-off: remission cannot be read from the change.
    STARTED_BELOW = "started_below", "Started below the cut-off"


class Respondent(models.TextChoices):
    """Who answers an instrument's items."""

    # The patient (self-report): sent to the portal or handed over on the clinic tablet.
    PATIENT = "patient", "Patient"
    # The clinician (a rating scale such as the MADRS or the CADSS-6): entered by staff.
    CLINICIAN = "clinician", "Clinician"
