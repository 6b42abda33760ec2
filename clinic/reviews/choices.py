from django.db import models


class ReviewKind(models.TextChoices):
    """How the clinician and the patient met for the review."""

    # In the clinic, face to face.
    IN_PERSON = "in_person", "In person"
    # A video call (the clinic's telehealth).
    VIDEO = "video", "Video call"
    # A telephone call.
    PHONE = "phone", "Telephone"


class ReviewStatus(models.TextChoices):
    # Being written: the facts are recomputed from the record each time it is shown.
    IN_PROGRESS = "in-progress", "In progress"
    # Signed: the facts, the assessment and the decision are frozen and sealed.
    SIGNED = "signed", "Signed"
    # Signed, with one or more signed addenda.
    AMENDED = "amended", "Signed, with addenda"


class ReviewDecision(models.TextChoices):
    """What the clinician decides about the course of care."""

    # Keep the plan as it is.
    CONTINUE = "continue", "Continue the plan as it is"
    # A new dose (mg/kg, or mg for a fixed dose) or a new infusion duration: drafts a plan version.
    ADJUST_DOSE = "adjust_dose", "Adjust the dose or infusion rate"
    # A new maintenance interval: drafts a plan version.
    CHANGE_INTERVAL = "change_interval", "Change the interval between sessions"
    # Induction is over: drafts a maintenance version (one session, then every N days).
    TO_MAINTENANCE = "to_maintenance", "Move from induction to maintenance"
    # One or a few extra sessions soon: drafts a plan version with them.
    BOOSTER = "booster", "Booster session(s)"
    # Stop giving sessions for now, without ending care (the record has no paused status, so
    # nothing else changes; the next review falls due at the maintenance interval).
    PAUSE = "pause", "Pause treatment"
    # End the course of care: the patient's status becomes "Discharged".
    END_TREATMENT = "end_treatment", "End treatment"


# The decisions that change what is prescribed: each opens a draft of the next plan version.
PLAN_CHANGING_DECISIONS = frozenset(
    {
        ReviewDecision.ADJUST_DOSE,
        ReviewDecision.CHANGE_INTERVAL,
        ReviewDecision.TO_MAINTENANCE,
        ReviewDecision.BOOSTER,
    }
)
