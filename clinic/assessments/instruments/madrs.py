"""MADRS, Montgomery–Åsberg Depression Rating Scale (Montgomery SA, Åsberg M. Br J Psychiatry
1979;134:382–389), rated by a clinician from an interview. Ten items, each 0–6, with anchors
described at 0, 2, 4 and 6 (1, 3 and 5 lie between them); total 0–60.

Bands (Snaith et al. 1986, as reproduced by McDowell): 0–6 normal/absent, 7–19 mild, 20–34
moderate, 35–60 severe (alternative cut-points 12/24/35 exist; Müller et al. 2003 found 31 best
separates moderate from severe). Response ≥ 50 % reduction from baseline (the standard in ketamine
trials, e.g. Talati et al. 2019). Remission: ≤ 10 in an IV ketamine cohort (Tan et al., Front
Psychiatry 2025;16:1498952), ≤ 12 in the esketamine programme (SUSTAIN-3, CNS Drugs 2023;37:715).
The clinic's cut-off is the assessment policy's `madrs_remission_at_most` (default 10, for IV
ketamine) [UNVERIFIED default choice]. This is the standard MADRS; the 24-hour-recall version
(Johnson et al., J Clin Psychiatry) is a different instrument and its scores are not compared with
these.

Wording: the item definitions and anchor descriptions are not reproduced (© the authors / Royal
College of Psychiatrists, published in the British Journal of Psychiatry); each item is its
published name and each anchor a short label.
"""

from dataclasses import replace

from clinic.assessments.choices import Respondent
from clinic.assessments.instruments.base import (
    LOINC_NOT_CHECKED,
    AnswerOption,
    Band,
    Instrument,
    Item,
    Outcome,
    sum_rule,
)

DEFAULT_REMISSION_AT_MOST = 10


def _anchors(none: str, mild: str, moderate: str, severe: str) -> tuple[AnswerOption, ...]:
    labels = {0: none, 2: mild, 4: moderate, 6: severe}
    return tuple(
        AnswerOption(
            value, f"{value} – {labels[value]}" if value in labels else f"{value} – between"
        )
        for value in range(7)
    )


ITEMS = (
    (
        "1",
        "Apparent sadness",
        _anchors(
            "No sadness",
            "Looks dispirited but brightens without difficulty",
            "Appears sad and unhappy most of the time",
            "Looks miserable all the time, extremely despondent",
        ),
    ),
    (
        "2",
        "Reported sadness",
        _anchors(
            "Occasional sadness in keeping with circumstances",
            "Sad or low but brightens without difficulty",
            "Pervasive sadness or gloominess",
            "Continuous or unvarying sadness, misery or despondency",
        ),
    ),
    (
        "3",
        "Inner tension",
        _anchors(
            "Placid, only fleeting inner tension",
            "Occasional edginess and ill-defined discomfort",
            "Continuous inner tension or intermittent panic, mastered with some difficulty",
            "Unrelenting dread or anguish, overwhelming panic",
        ),
    ),
    (
        "4",
        "Reduced sleep",
        _anchors(
            "Sleeps as usual",
            "Slight difficulty dropping off, or slightly reduced, light or fitful sleep",
            "Sleep reduced or broken by at least 2 hours",
            "Less than 2 or 3 hours' sleep",
        ),
    ),
    (
        "5",
        "Reduced appetite",
        _anchors(
            "Normal or increased appetite",
            "Slightly reduced appetite",
            "No appetite, food is tasteless",
            "Needs persuasion to eat at all",
        ),
    ),
    (
        "6",
        "Concentration difficulties",
        _anchors(
            "No difficulties in concentrating",
            "Occasional difficulties in collecting one's thoughts",
            "Difficulties concentrating and sustaining thought that reduce the ability to read or hold a conversation",
            "Unable to read or converse without great difficulty",
        ),
    ),
    (
        "7",
        "Lassitude",
        _anchors(
            "Hardly any difficulty getting started, no sluggishness",
            "Difficulties in starting activities",
            "Difficulties in starting simple routine activities, carried out with effort",
            "Complete lassitude, unable to do anything without help",
        ),
    ),
    (
        "8",
        "Inability to feel",
        _anchors(
            "Normal interest in the surroundings and in other people",
            "Reduced ability to enjoy usual interests",
            "Loss of interest in the surroundings, loss of feelings for friends and acquaintances",
            "Emotionally paralysed, unable to feel anger, grief or pleasure, complete failure to feel for close relatives and friends",
        ),
    ),
    (
        "9",
        "Pessimistic thoughts",
        _anchors(
            "No pessimistic thoughts",
            "Fluctuating ideas of failure, self-reproach or self-depreciation",
            "Persistent self-accusations, or definite but still rational ideas of guilt or sin; increasingly pessimistic about the future",
            "Delusions of ruin, remorse or unredeemable sin; self-accusations that are absurd and unshakable",
        ),
    ),
    (
        "10",
        "Suicidal thoughts",
        _anchors(
            "Enjoys life or takes it as it comes",
            "Weary of life; only fleeting suicidal thoughts",
            "Probably better off dead; suicidal thoughts are common and suicide is considered a possible solution, but no specific plans or intention",
            "Explicit plans for suicide when there is an opportunity; active preparations for suicide",
        ),
    ),
)


def outcome_for(remission_at_most: int) -> Outcome:
    return Outcome(
        response_reduction_percent=50,
        remission_below=remission_at_most + 1,
        source=(
            f"Response ≥ 50 % reduction (ketamine trials, e.g. Talati 2019); remission ≤ "
            f"{remission_at_most} (IV ketamine ≤ 10, Tan 2025; esketamine ≤ 12, SUSTAIN-3 2023)."
        ),
    )


MADRS = Instrument(
    code="madrs",
    name="Montgomery–Åsberg Depression Rating Scale",
    short_name="MADRS",
    purpose="Depression severity (clinician-rated)",
    instructions="Rate each item from the interview and your observation, 0–6 (anchors at 0, 2, 4 and 6).",
    items=tuple(Item(f"madrs_{n}", n, text, anchors) for n, text, anchors in ITEMS),
    bands=(
        Band(0, 6, "normal", "Normal / symptom absent"),
        Band(7, 19, "mild", "Mild"),
        Band(20, 34, "moderate", "Moderate"),
        Band(35, 60, "severe", "Severe"),
    ),
    min_total=0,
    max_total=60,
    rule=sum_rule(),
    respondent=Respondent.CLINICIAN,
    outcome=outcome_for(DEFAULT_REMISSION_AT_MOST),
    recall="at the interview (the standard MADRS, not the 24-hour-recall version)",
    source="Montgomery SA, Åsberg M. A new depression scale designed to be sensitive to change. Br J Psychiatry 1979;134:382–389; bands: Snaith RP et al. 1986 (via McDowell).",
    copyright_note="© the authors / Br J Psychiatry; item definitions not reproduced: published item names and short anchor labels only.",
    loinc_note=LOINC_NOT_CHECKED,
)


def with_remission_at_most(remission_at_most: int) -> Instrument:
    """The MADRS with the clinic's remission cut-off (10 for IV ketamine, 12 for esketamine)."""
    if not 0 <= remission_at_most <= 20:
        raise ValueError(f"A MADRS remission cut-off of {remission_at_most} is not plausible.")
    return replace(MADRS, outcome=outcome_for(remission_at_most))
