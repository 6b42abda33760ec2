"""The clinic's assessment settings and its instruments as configured (e.g. the PCL-5 cut-off)."""

from __future__ import annotations

from clinic.assessments.instruments import INSTRUMENTS, Instrument, get_instrument
from clinic.assessments.instruments.pcl5 import with_cutoff
from clinic.assessments.models import AssessmentPolicy, InstrumentAssignment

# Defaults seeded for a new clinic (editable in the admin): depression → PHQ-9 and the C-SSRS
# screen, anxiety → GAD-7, PTSD → PCL-5, OCD → Y-BOCS, bipolar depression adds the MDQ, chronic pain
# → NRS and BPI-SF (issue 3; clinical-reference §§1–6).
DEFAULT_ASSIGNMENTS = {
    "trd": ["phq9", "cssrs_screen"],
    "anxiety": ["gad7"],
    "ptsd": ["pcl5", "phq9"],
    "bipolar_depression": ["phq9", "mdq", "cssrs_screen"],
    "ocd": ["ybocs"],
    "chronic_pain": ["pain_nrs", "bpi_sf"],
    "neuropathic_pain": ["pain_nrs", "bpi_sf"],
    "fibromyalgia": ["pain_nrs", "bpi_sf"],
    "crps": ["pain_nrs", "bpi_sf"],
    "other": ["phq9"],
}


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


def patient_answered(codes: list[str]) -> list[str]:
    """Of these instrument codes, those the patient answers (not clinician-rated), in order."""
    return [
        code for code in codes if code in INSTRUMENTS and INSTRUMENTS[code].respondent == "patient"
    ]
