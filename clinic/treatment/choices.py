from django.db import models


class WeightBasis(models.TextChoices):
    """Which weight the dose is calculated on: a recorded choice, since the APA consensus
    (Sanacora et al., JAMA Psychiatry 2017;74:399) does not settle it for obese patients."""

    ACTUAL = "actual", "Actual body weight"
    IDEAL = "ideal", "Ideal body weight (Devine)"
    ADJUSTED = "adjusted", "Adjusted body weight (ideal + 0.4 × excess)"


class DoseUnit(models.TextChoices):
    # Weight-based total dose per session (IV, IM, oral/sublingual).
    MG_PER_KG = "mg_per_kg", "mg/kg"
    # A fixed dose (esketamine nasal devices: 28 mg each).
    FIXED_MG = "fixed_mg", "mg (fixed)"


class PlanStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    COMPLETED = "completed", "Completed"
    STOPPED = "stopped", "Stopped"


class ChangeReason(models.TextChoices):
    """Why a plan version was written."""

    INITIAL = "initial", "First plan"
    RESPONSE = "response", "Response to treatment"
    SIDE_EFFECTS = "side_effects", "Side effects"
    PATIENT_PREFERENCE = "patient_preference", "Patient preference"
    WEIGHT_CHANGE = "weight_change", "Weight changed"
    MAINTENANCE = "maintenance", "Moving to maintenance"
    OTHER = "other", "Other"


class PlanDraftStatus(models.TextChoices):
    """Where a drafted next plan version stands (it is never signed for the prescriber)."""

    # Waiting for a prescriber to check it on the plan page and sign it.
    OPEN = "open", "Waiting to be checked and signed"
    # Signed as a plan version (the version is linked).
    SIGNED = "signed", "Signed as a plan version"
    # Replaced by a newer draft, or set aside by a prescriber.
    SET_ASIDE = "set_aside", "Set aside"


class GoalStatus(models.TextChoices):
    """How far a treatment goal is met (clinic.treatment.goals), read from the latest value."""

    # The latest value meets the target.
    MET = "met", "Met"
    # The latest value does not meet it yet.
    NOT_YET = "not_yet", "Not yet"
    # A measured goal with no value since it was set.
    NO_DATA = "no_data", "No data yet"
    # A goal in the patient's own words: nothing measures it.
    NOT_MEASURED = "not_measured", "In the patient's words"
