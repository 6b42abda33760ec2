"""GAD-7, Generalized Anxiety Disorder 7-item scale (Spitzer, Kroenke, Williams & Löwe, Arch Intern
Med 2006;166:1092). Public-domain Pfizer wording. Sum 0–21; bands 0–4 minimal, 5–9 mild, 10–14
moderate, 15–21 severe (CamCOPS `gad7.py`; awell-score). LOINC panel 69737-5, total 70274-6
(MII PRO IG ObservationDefinition); item codes 1–3 seen paired with their text (HL7 PHR GAD-7
example), 4–7 from an implementation's ordered list [SECONDARY: check against LOINC].
Outcome: response ≥ 50 % reduction and remission < 5, the convention carried over from the PHQ-9
(e.g. Toussaint et al., J Affect Disord 2020) [SECONDARY]; MCID 4 points (Toussaint 2020)
[SECONDARY].
"""

from clinic.assessments.instruments.base import (
    FREQUENCY_LAST_TWO_WEEKS,
    Band,
    Instrument,
    Item,
    Outcome,
    sum_rule,
)

FREQUENCY = FREQUENCY_LAST_TWO_WEEKS
ITEMS = (
    ("1", "Feeling nervous, anxious, or on edge", "69725-0"),
    ("2", "Not being able to stop or control worrying", "68509-9"),
    ("3", "Worrying too much about different things", "69733-4"),
    ("4", "Trouble relaxing", "69734-2"),
    ("5", "Being so restless that it is hard to sit still", "69735-9"),
    ("6", "Becoming easily annoyed or irritable", "69689-8"),
    ("7", "Feeling afraid, as if something awful might happen", "69736-7"),
)

GAD7 = Instrument(
    code="gad7",
    name="Generalized Anxiety Disorder-7",
    short_name="GAD-7",
    purpose="Anxiety severity",
    instructions="Over the last 2 weeks, how often have you been bothered by the following problems?",
    items=tuple(Item(f"gad7_{n}", n, text, FREQUENCY, loinc) for n, text, loinc in ITEMS),
    bands=(
        Band(0, 4, "minimal", "Minimal"),
        Band(5, 9, "mild", "Mild"),
        Band(10, 14, "moderate", "Moderate"),
        Band(15, 21, "severe", "Severe"),
    ),
    min_total=0,
    max_total=21,
    rule=sum_rule(),
    loinc_panel="69737-5",
    loinc_total="70274-6",
    outcome=Outcome(
        response_reduction_percent=50,
        remission_below=5,
        meaningful_change_points=4,
        source="Response ≥ 50 % and remission < 5 by analogy with the PHQ-9; MCID 4: Toussaint 2020 [SECONDARY].",
    ),
    source="Spitzer RL, Kroenke K, Williams JBW, Löwe B. A brief measure for assessing generalized anxiety disorder: the GAD-7. Arch Intern Med 2006;166(10):1092–1097.",
    copyright_note="Public domain (Pfizer); no permission required.",
    recall="the last 2 weeks",
)
