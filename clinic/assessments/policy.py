"""The clinic's assessment settings and its instruments as configured (e.g. the PCL-5 cut-off)."""

from __future__ import annotations

from clinic.assessments.choices import Respondent
from clinic.assessments.instruments import INSTRUMENTS, Instrument, get_instrument
from clinic.assessments.instruments.madrs import DEFAULT_REMISSION_AT_MOST, with_remission_at_most
from clinic.assessments.instruments.pcl5 import with_cutoff
from clinic.assessments.models import AssessmentPolicy, InstrumentAssignment
from clinic.core.exceptions import ClinicError

# Defaults seeded for a new clinic (editable in the admin). Every set includes the C-SSRS screen:
# the ketamine consent warns of suicidal thoughts whatever the indication, and PHQ-9 item 9 alone
# is not a suicide-risk screen (a "yes" there calls for a structured screen such as the C-SSRS:
# MII PRO IG PHQ-9 page; Posner et al., Am J Psychiatry 2011;168:1266). Depression sets add the
# QIDS-SR16, whose 7-day recall follows change between twice-weekly sessions (a 2-week PHQ-9
# repeated sooner than 14 days counts the same days twice; Rush et al., Biol Psychiatry
# 2003;54:573; http://ids-qids.org/administration.html). Bipolar depression adds the ASRM before
# each session, a mania check (Altman et al., Biol Psychiatry 1997;42:948). The pairing of
# conditions and instruments is clinic policy [UNVERIFIED], edited by the medical director.
DEFAULT_ASSIGNMENTS = {
    "trd": ["phq9", "qids_sr16", "cssrs_screen"],
    "anxiety": ["gad7", "cssrs_screen"],
    "ptsd": ["pcl5", "phq9", "cssrs_screen"],
    "bipolar_depression": ["phq9", "qids_sr16", "mdq", "asrm", "cssrs_screen"],
    "ocd": ["ybocs", "cssrs_screen"],
    "chronic_pain": ["pain_nrs", "bpi_sf", "cssrs_screen"],
    "neuropathic_pain": ["pain_nrs", "bpi_sf", "cssrs_screen"],
    "fibromyalgia": ["pain_nrs", "bpi_sf", "cssrs_screen"],
    "crps": ["pain_nrs", "bpi_sf", "cssrs_screen"],
    "other": ["phq9", "cssrs_screen"],
}
# The instruments that count as a suicide-risk screen in a condition's set.
SUICIDE_RISK_SCREENS = frozenset({"cssrs_screen"})


def check_assignment(instrument_codes: list[str], omitted_reason: str) -> None:
    """A condition's set names known instruments, at least one, and a suicide-risk screen unless
    a reason for leaving it out is stated. Raises ClinicError naming the field."""
    if not instrument_codes:
        raise ClinicError("Choose at least one instrument.", field="instrument_codes")
    unknown = [code for code in instrument_codes if code not in INSTRUMENTS]
    if unknown:
        raise ClinicError(f"Unknown instrument(s): {', '.join(unknown)}.", field="instrument_codes")
    if not SUICIDE_RISK_SCREENS & set(instrument_codes) and not omitted_reason.strip():
        raise ClinicError(
            "This set has no suicide-risk screen (C-SSRS). Add it, or state why it is left out.",
            field="suicide_screen_omitted_reason",
        )


def get_policy() -> AssessmentPolicy:
    policy = AssessmentPolicy.objects.filter(singleton=True).first()
    return policy if policy is not None else AssessmentPolicy()


def clinic_instrument(code: str, policy: AssessmentPolicy | None = None) -> Instrument:
    """The instrument as this clinic scores it."""
    instrument = get_instrument(code)
    if code == "pcl5":
        cutoff = (policy or get_policy()).pcl5_cutoff
        if cutoff != 33:
            return with_cutoff(cutoff)
    if code == "madrs":
        at_most = (policy or get_policy()).madrs_remission_at_most
        if at_most != DEFAULT_REMISSION_AT_MOST:
            return with_remission_at_most(at_most)
    return instrument


def instruments_for_conditions(
    conditions: list[str], rules: dict[str, list[str]] | None = None
) -> list[str]:
    """The instrument codes a patient with these conditions answers, in registry order. `rules`
    (condition → codes, the medical director's assignments) when the caller loaded them all."""
    if rules is None:
        rules = {
            rule.condition: rule.instrument_codes
            for rule in InstrumentAssignment.objects.filter(condition__in=conditions)
        }
    wanted: set[str] = set()
    for condition in conditions:
        wanted.update(rules.get(condition, DEFAULT_ASSIGNMENTS.get(condition, [])))
    return [code for code in INSTRUMENTS if code in wanted]


def checks_before_each_session(
    conditions: list[str], rules: dict[str, list[str]] | None = None
) -> list[str]:
    """The instruments of these conditions' sets that are asked before every dose (the ASRM for
    bipolar depression), in registry order: a treatment plan repeats them whatever its protocol
    repeats. A set the medical director changed to leave one out leaves it out here too."""
    return [
        code
        for code in instruments_for_conditions(conditions, rules)
        if INSTRUMENTS[code].before_each_session
    ]


def patient_answered(codes: list[str]) -> list[str]:
    """Of these instrument codes, those the patient answers (not clinician-rated), in order."""
    return [
        code
        for code in codes
        if code in INSTRUMENTS and INSTRUMENTS[code].respondent == Respondent.PATIENT
    ]
