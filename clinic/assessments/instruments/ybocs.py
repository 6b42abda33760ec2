"""Y-BOCS, Yale-Brown Obsessive Compulsive Scale, severity items 1–10 (Goodman, Price, Rasmussen et al.,
Arch Gen Psychiatry 1989;46:1006). Items 0–4; obsessions = items 1–5 (0–20), compulsions = items
6–10 (0–20), total 0–40 (CamCOPS `ybocs.py`). Bands
0–7 subclinical, 8–15 mild, 16–23 moderate, 24–31 severe, 32–40 extreme are a widely cited
convention, not from Goodman 1989 [SECONDARY]. Y-BOCS-II (0–50) has other bands: not mixed here.
Outcome: response ≥ 35 % reduction, remission ≤ 12 (Mataix-Cols et al., World Psychiatry
2016;15:80, expert consensus, as restated by Ramakrishnan et al. 2024 and Elsner et al. 2020; the
consensus adds CGI-I ≤ 2 to response and CGI-S ≤ 2 to remission, which this form does not ask).
Remission is counted only when the baseline was above 12.
Here in its self-rated form (the interview's questions, answered by the patient).
"""

from clinic.assessments.instruments.base import (
    LOINC_NOT_CHECKED,
    AnswerOption,
    Band,
    Instrument,
    Item,
    Outcome,
    sum_rule,
)


def _options(*labels: str) -> tuple[AnswerOption, ...]:
    return tuple(AnswerOption(value, label) for value, label in enumerate(labels))


TIME = (
    "None",
    "Less than 1 hour a day, or occasional",
    "1 to 3 hours a day, or frequent",
    "More than 3 and up to 8 hours a day, or very frequent",
    "More than 8 hours a day, or nearly constant",
)
INTERFERENCE = (
    "None",
    "Slight interference with social or other activities, but overall performance not impaired",
    "Definite interference with social or occupational performance, but still manageable",
    "Causes substantial impairment in social or occupational performance",
    "Incapacitating",
)
RESISTANCE = (
    "I try to resist all the time",
    "I try to resist most of the time",
    "I make some effort to resist",
    "I yield to all of them without attempting to control them, but with some reluctance",
    "I completely and willingly yield to all of them",
)
CONTROL = ("Complete control", "Much control", "Moderate control", "Little control", "No control")

ITEMS = (
    ("1", "How much of your time is occupied by obsessive thoughts?", TIME),
    (
        "2",
        "How much do your obsessive thoughts interfere with your social or work (or role) functioning?",
        INTERFERENCE,
    ),
    (
        "3",
        "How much distress do your obsessive thoughts cause you?",
        (
            "None",
            "Not too disturbing",
            "Disturbing, but still manageable",
            "Very disturbing",
            "Near constant and disabling distress",
        ),
    ),
    ("4", "How much of an effort do you make to resist the obsessive thoughts?", RESISTANCE),
    ("5", "How much control do you have over your obsessive thoughts?", CONTROL),
    ("6", "How much time do you spend performing compulsive behaviors?", TIME),
    (
        "7",
        "How much do your compulsive behaviors interfere with your social or work (or role) functioning?",
        INTERFERENCE,
    ),
    (
        "8",
        "How would you feel if prevented from performing your compulsion(s)?",
        (
            "I would not feel anxious",
            "Only slightly anxious",
            "Anxiety would mount but remain manageable",
            "Prominent and very disturbing increase in anxiety",
            "Incapacitating anxiety",
        ),
    ),
    ("9", "How much of an effort do you make to resist the compulsions?", RESISTANCE),
    (
        "10",
        "How strong is the drive to perform the compulsive behavior; how much control do you have over it?",
        CONTROL,
    ),
)

YBOCS = Instrument(
    code="ybocs",
    name="Yale-Brown Obsessive Compulsive Scale",
    short_name="Y-BOCS",
    purpose="Obsessive-compulsive symptom severity",
    instructions="These questions are about your obsessions (unwanted thoughts, images or urges) and compulsions (things you feel driven to do) over the past week.",
    items=tuple(
        Item(
            f"ybocs_{n}",
            n,
            text,
            _options(*labels),
            group="obsessions" if int(n) <= 5 else "compulsions",
        )
        for n, text, labels in ITEMS
    ),
    bands=(
        Band(0, 7, "subclinical", "Subclinical"),
        Band(8, 15, "mild", "Mild"),
        Band(16, 23, "moderate", "Moderate"),
        Band(24, 31, "severe", "Severe"),
        Band(32, 40, "extreme", "Extreme"),
    ),
    min_total=0,
    max_total=40,
    rule=sum_rule(
        subscales={
            "obsessions": [f"ybocs_{n}" for n in range(1, 6)],
            "compulsions": [f"ybocs_{n}" for n in range(6, 11)],
        }
    ),
    outcome=Outcome(
        response_reduction_percent=35,
        remission_below=13,
        meaningful_change_points=None,
        source="Response ≥ 35 % reduction, remission ≤ 12: Mataix-Cols 2016 consensus [SECONDARY].",
    ),
    source="Goodman WK, Price LH, Rasmussen SA, et al. The Yale-Brown Obsessive Compulsive Scale. Arch Gen Psychiatry 1989;46:1006–1011.",
    copyright_note="© Goodman et al.; free for clinical use, permission needed for commercial distribution.",
    recall="the past week",
    loinc_note=LOINC_NOT_CHECKED,
)
