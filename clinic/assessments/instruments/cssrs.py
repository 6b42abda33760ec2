"""C-SSRS screener, Columbia-Suicide Severity Rating Scale, screen version, past month (Posner et al.,
Am J Psychiatry 2011;168:1266; Columbia Lighthouse Project screener triage guidelines). Skip logic: if question 2 is "no", questions 3–5 are not asked; question 6b ("within the
past 3 months?") only follows a "yes" to 6.

Triage (the 2021 screener's colours): Q4 or Q5 "yes", or behaviour in the past 3 months → high;
Q3 "yes", or behaviour more than 3 months ago → moderate; Q1 or Q2 only → low; otherwise none.
Moderate and high raise an urgent safety alert (flags `suicide_risk_moderate`, `suicide_risk_high`);
low (a "yes" to Q1 wish to be dead or Q2 non-specific active thoughts, nothing more) raises the
review flag `suicide_risk_low`: not emergent in Columbia's triage, but a clinician reviews it before
the next ketamine dose.
`total` counts "yes" answers to questions 1–6 (a tally, not a validated score; the risk level is
what counts).
"""

from clinic.assessments.instruments.base import (
    LOINC_NOT_CHECKED,
    YES_NO,
    Band,
    Instrument,
    Item,
    ScoreResult,
)

YES = frozenset({1})

ITEMS = (
    Item(
        "cssrs_1",
        "1",
        "In the past month, have you wished you were dead or wished you could go to sleep and not wake up?",
        YES_NO,
    ),
    Item(
        "cssrs_2",
        "2",
        "In the past month, have you actually had any thoughts of killing yourself?",
        YES_NO,
    ),
    Item(
        "cssrs_3",
        "3",
        "Have you been thinking about how you might do this?",
        YES_NO,
        enabled_when=("cssrs_2", YES),
    ),
    Item(
        "cssrs_4",
        "4",
        "Have you had these thoughts and had some intention of acting on them?",
        YES_NO,
        enabled_when=("cssrs_2", YES),
    ),
    Item(
        "cssrs_5",
        "5",
        "Have you started to work out or worked out the details of how to kill yourself? Do you intend to carry out this plan?",
        YES_NO,
        enabled_when=("cssrs_2", YES),
    ),
    Item(
        "cssrs_6",
        "6",
        "Have you ever done anything, started to do anything, or prepared to do anything to end your life?",
        YES_NO,
    ),
    Item(
        "cssrs_6b",
        "6b",
        "Was this within the past 3 months?",
        YES_NO,
        enabled_when=("cssrs_6", YES),
    ),
)


def score_cssrs(instrument: Instrument, answers: dict[str, int | None]) -> ScoreResult:
    def yes(link_id: str) -> bool:
        return answers.get(link_id) == 1

    if yes("cssrs_4") or yes("cssrs_5") or (yes("cssrs_6") and yes("cssrs_6b")):
        risk = "high"
    elif yes("cssrs_3") or yes("cssrs_6"):
        risk = "moderate"
    elif yes("cssrs_1") or yes("cssrs_2"):
        risk = "low"
    else:
        risk = "none"
    total = sum(1 for n in ("1", "2", "3", "4", "5", "6") if yes(f"cssrs_{n}"))
    flags = {
        "low": {"suicide_risk_low"},
        "moderate": {"suicide_risk_moderate"},
        "high": {"suicide_risk_high"},
    }.get(risk, set())
    return ScoreResult(total=total, severity=risk, flags=frozenset(flags))


CSSRS_SCREEN = Instrument(
    charted=False,
    code="cssrs_screen",
    name="Columbia-Suicide Severity Rating Scale (screener)",
    short_name="C-SSRS screen",
    purpose="Suicide risk screen",
    instructions="Ask (or answer) each question. These are about the past month unless the question says otherwise.",
    items=ITEMS,
    bands=(
        Band(0, 6, "none", "No risk identified"),
        Band(0, 6, "low", "Low risk"),
        Band(0, 6, "moderate", "Moderate risk"),
        Band(0, 6, "high", "High risk"),
    ),
    min_total=0,
    max_total=6,
    rule=score_cssrs,
    source="Posner K, Brown GK, Stanley B, et al. The Columbia-Suicide Severity Rating Scale. Am J Psychiatry 2011;168:1266–1277; Columbia Lighthouse Project screener triage guidelines.",
    copyright_note="© The Research Foundation for Mental Hygiene; free for clinical use.",
    recall="the past month (question 6: lifetime, then the past 3 months)",
    loinc_note=LOINC_NOT_CHECKED,
)
