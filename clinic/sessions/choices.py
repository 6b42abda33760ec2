from django.db import models


class SessionStatus(models.TextChoices):
    """A session's lifecycle (FHIR Procedure.status words where they fit)."""

    # Checked in: checklist, pre-dose vitals and dose verification under way.
    PREPARATION = "preparation", "Preparing"
    # Dose given (or infusion started): monitoring.
    IN_PROGRESS = "in-progress", "Dosed, monitoring"
    # Discharged from the chair; the record waits for the nurse's and clinician's signatures.
    DISCHARGED = "discharged", "Discharged, awaiting signatures"
    # Both signed: immutable; corrections are addenda.
    SIGNED = "signed", "Signed"
    # Stopped before any dose was given (gate not passed, patient unwell …), with the reason.
    NOT_DONE = "not_done", "Not done"


OPEN_STATUSES = (SessionStatus.PREPARATION, SessionStatus.IN_PROGRESS)
EDITABLE_STATUSES = (SessionStatus.PREPARATION, SessionStatus.IN_PROGRESS, SessionStatus.DISCHARGED)


class PregnancyTest(models.TextChoices):
    NOT_RECORDED = "", "Not recorded"
    NEGATIVE = "negative", "Negative"
    POSITIVE = "positive", "Positive"
    # Not of child-bearing potential, or not applicable for another documented reason.
    NOT_APPLICABLE = "not_applicable", "Not applicable"


class Gate(models.TextChoices):
    """Everything that must hold before a dose is given (the pre-treatment check of the APA consensus, Sanacora et al. 2017)."""

    IDENTITY = "identity", "Identity confirmed"
    CONSENT = "consent", "Consent signed for this route"
    PLAN = "plan", "Active plan covers this session"
    FASTING = "fasting", "Fasting as instructed"
    ESCORT = "escort", "Escort or driver arranged"
    PREGNANCY = "pregnancy", "Pregnancy excluded"
    QUESTIONNAIRES = "questionnaires", "Pre-session questionnaires done"
    SAFETY = "safety", "No open safety flag"
    # Every side effect the patient reported between visits is read by a clinician before the
    # next dose (a positive urinary symptom must never wait behind a good mood score).
    SIDE_EFFECTS = "side_effects", "Side effects reported since the last visit reviewed"
    VITALS = "vitals", "Pre-dose vital signs and weight"
    BLOOD_PRESSURE = "blood_pressure", "Blood pressure within the pre-dose limit"
    # No other dose the same calendar day, by any route, given or confirmed in another session.
    SAME_DAY = "same_day", "No other dose today"
    # The protocol's days between doses and its most doses in any 7 days.
    DOSE_INTERVAL = "dose_interval", "Days since the last dose"
    # Esketamine at a US location: the setting is REMS-certified and the patient REMS-enrolled
    # (Spravato REMS, FDA). Never overridden: the REMS allows no dose outside it.
    REMS = "rems", "Esketamine REMS: setting certified, patient enrolled"
    # Shown for a minor only: a current guardian, and no esketamine under 18.
    MINOR = "minor", "A minor: guardian recorded, route allowed at this age"


# A clinician may document an override for these; the others must simply be met. The protocol's
# days between doses and its weekly count are clinic policy no source fixes (the defaults are
# inferred from the schedules studied), so a prescriber may document why a dose comes a day early
# (a session moved for a holiday, a daily pain course); a second dose on the same day is never
# overridden: no source describes same-day repeat dosing, and a careful clinician would not give
# one.
OVERRIDABLE_GATES = frozenset(
    {Gate.FASTING, Gate.ESCORT, Gate.QUESTIONNAIRES, Gate.BLOOD_PRESSURE, Gate.DOSE_INTERVAL}
)


class ReadingSource(models.TextChoices):
    MANUAL = "manual", "Entered by hand"
    DEVICE = "device", "Monitor"


class AlertStatus(models.TextChoices):
    OPEN = "open", "Open"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"


class InfusionEventKind(models.TextChoices):
    # For IV the infusion starts; for IM, intranasal and oral routes this is the dose being given.
    START = "start", "Dose given / infusion started"
    RATE_CHANGE = "rate_change", "Rate changed"
    PAUSE = "pause", "Paused"
    RESUME = "resume", "Resumed"
    STOP = "stop", "Stopped"
    COMPLETE = "complete", "Completed"


class DissociationMoment(models.TextChoices):
    """When a CADSS-6 rating was taken. The patient is monitored "until sedation, dissociation and
    respiratory depression resolve" (Spravato REMS goals, FDA, updated 12/31/2024), so the rating
    at its height and the one before discharge (that it has resolved) are both kept; the CADSS-6
    was rated across repeated infusions (Rodrigues et al., J Affect Disord 2021;282:160-164)."""

    PEAK = "peak", "At its height (during or soon after the dose)"
    BEFORE_DISCHARGE = "before_discharge", "Before discharge"
    OTHER = "other", "Another time (a change in the patient)"


class SideEffectKind(models.TextChoices):
    """Common acute effects of ketamine (Sanacora et al., JAMA Psychiatry 2017; Spravato US prescribing information, Warnings and Precautions)."""

    NAUSEA_VOMITING = "nausea_vomiting", "Nausea or vomiting"
    DIZZINESS = "dizziness", "Dizziness"
    RAISED_BP = "raised_bp", "Raised blood pressure"
    RAISED_HR = "raised_hr", "Raised heart rate"
    DISSOCIATION = "dissociation", "Dissociation"
    HALLUCINATIONS = "hallucinations", "Hallucinations"
    ANXIETY = "anxiety", "Anxiety or agitation"
    HEADACHE = "headache", "Headache"
    SEDATION = "sedation", "Sedation"
    OTHER = "other", "Other"


class Severity(models.TextChoices):
    MILD = "mild", "Mild"
    MODERATE = "moderate", "Moderate"
    SEVERE = "severe", "Severe"


class Intervention(models.TextChoices):
    NONE = "none", "None needed"
    REASSURANCE = "reassurance", "Reassurance"
    ENVIRONMENT = "environment", "Environment changed (light, music, eye mask)"
    RATE_REDUCED = "rate_reduced", "Infusion rate reduced"
    PAUSED = "paused", "Infusion paused"
    STOPPED = "stopped", "Infusion stopped"
    ANTIEMETIC = "antiemetic", "Antiemetic given"
    BENZODIAZEPINE = "benzodiazepine", "Benzodiazepine given"
    ANTIHYPERTENSIVE = "antihypertensive", "Antihypertensive given"
    OXYGEN = "oxygen", "Oxygen given"
    CLINICIAN_CALLED = "clinician_called", "Clinician called to the chair"
    OTHER = "other", "Other"


class Outcome(models.TextChoices):
    RESOLVED = "resolved", "Resolved"
    IMPROVING = "improving", "Improving"
    ONGOING = "ongoing", "Ongoing"
    ESCALATED = "escalated", "Escalated"


class SignatureRole(models.TextChoices):
    NURSE = "nurse", "Nurse"
    CLINICIAN = "clinician", "Supervising clinician"
