"""Pain: the 0–10 Numeric Rating Scale and the Brief Pain Inventory short form.

NRS: LOINC 72514-3 (pain severity 0–10 verbal numeric rating, reported). 0 = no pain … 10 = worst pain imaginable, average over the last 24 hours as IMMPACT recommends
for chronic-pain trials (Dworkin et al., J Pain 2008;9:105; Farrar 2001). Bands 0 none, 1–4 mild, 5–6 moderate, 7–10 severe: Serlin et al., Pain 1995;61:277
(cut-points derived for the BPI worst-pain item, widely applied to the NRS) [SECONDARY; a setting to
confirm]. Outcome (IMMPACT, bandolier.org.uk table of Dworkin 2008): ≥ 30 % reduction = moderately important
("response" here), ≥ 50 % = substantial; about 2 points ≈ moderate change [SECONDARY].

BPI-SF (Cleeland & Ryan, Ann Acad Med Singapore 1994;23:129): items 3–6 pain worst, least, average,
now (0–10); item 8 relief 0–100 %; item 9 A–G interference (0–10). Severity = mean of items 3–6;
interference = mean of 9A–9G, computed only if at least 4 of the 7 are answered [UNVERIFIED: BPI
User Guide convention, not retrieved]. `total` is the severity score.
The BPI is copyrighted by Charles S. Cleeland (MD Anderson): a licence is needed for clinical use.
"""

from decimal import Decimal

from clinic.assessments.instruments.base import (
    LOINC_NOT_CHECKED,
    AnswerOption,
    Band,
    Instrument,
    Item,
    Outcome,
    ScoreResult,
    mean,
    required_answer,
    scale,
)

PAIN = scale(0, 10, "No pain", "Pain as bad as you can imagine")
INTERFERENCE = scale(0, 10, "Does not interfere", "Completely interferes")
RELIEF = tuple(
    AnswerOption(
        value,
        f"{value}%"
        + (" – No relief" if value == 0 else " – Complete relief" if value == 100 else ""),
    )
    for value in range(0, 101, 10)
)
SERLIN_BANDS = (
    Band(Decimal("0"), Decimal("0"), "none", "No pain"),
    Band(Decimal("0.01"), Decimal("4.99"), "mild", "Mild"),
    Band(Decimal("5"), Decimal("6.99"), "moderate", "Moderate"),
    Band(Decimal("7"), Decimal("10"), "severe", "Severe"),
)
PAIN_OUTCOME = Outcome(
    response_reduction_percent=30,
    meaningful_change_points=2,
    source="IMMPACT (Dworkin 2008): ≥ 30 % reduction moderately important, ≥ 50 % substantial; ~2 points [SECONDARY].",
)


def score_nrs(instrument: Instrument, answers: dict[str, int | None]) -> ScoreResult:
    total = required_answer(answers, "pain_nrs_1")
    return ScoreResult(total=total, severity=instrument.band_for(Decimal(total)).code)


PAIN_NRS = Instrument(
    code="pain_nrs",
    name="Pain Numeric Rating Scale",
    short_name="Pain NRS",
    purpose="Pain intensity",
    instructions="Please choose the number that best describes your pain on average over the last 24 hours.",
    items=(
        Item("pain_nrs_1", "1", "Your pain on average over the last 24 hours", PAIN, "72514-3"),
    ),
    bands=SERLIN_BANDS,
    min_total=0,
    max_total=10,
    rule=score_nrs,
    loinc_total="72514-3",
    outcome=PAIN_OUTCOME,
    source="Farrar JT et al., Pain 2001;94:149–158; Dworkin RH et al. (IMMPACT), J Pain 2008;9:105–121; bands: Serlin RC et al., Pain 1995;61:277–284.",
    copyright_note="The 0–10 NRS is in the public domain.",
    recall="the last 24 hours",
)

SEVERITY_ITEMS = ("bpi_3", "bpi_4", "bpi_5", "bpi_6")
INTERFERENCE_ITEMS = tuple(f"bpi_9{letter}" for letter in "abcdefg")
INTERFERENCE_MINIMUM_ANSWERED = 4


def score_bpi(instrument: Instrument, answers: dict[str, int | None]) -> ScoreResult:
    severity = mean([required_answer(answers, link_id) for link_id in SEVERITY_ITEMS])
    answered = [value for link_id in INTERFERENCE_ITEMS if (value := answers[link_id]) is not None]
    if len(answered) < INTERFERENCE_MINIMUM_ANSWERED:
        raise ValueError(
            f"BPI-SF item 9: answer at least {INTERFERENCE_MINIMUM_ANSWERED} of the 7 interference questions "
            f"(only {len(answered)} answered)."
        )
    interference = mean(answered)
    return ScoreResult(
        total=severity,
        severity=instrument.band_for(severity).code,
        subscales={"severity": severity, "interference": interference},
        details={"relief_percent": answers["bpi_8"], "interference_items_answered": len(answered)},
    )


def _pain_item(number: str, when: str) -> Item:
    return Item(
        f"bpi_{number}",
        number,
        f"Please rate your pain by choosing the one number that best describes your pain {when}.",
        PAIN,
    )


BPI_SF = Instrument(
    code="bpi_sf",
    name="Brief Pain Inventory (Short Form)",
    short_name="BPI-SF",
    purpose="Pain severity and how pain interferes with life",
    instructions="Throughout our lives, most of us have had pain from time to time. These questions are about your pain over the last 24 hours.",
    items=(
        _pain_item("3", "at its worst in the last 24 hours"),
        _pain_item("4", "at its least in the last 24 hours"),
        _pain_item("5", "on the average"),
        _pain_item("6", "right now"),
        Item(
            "bpi_8",
            "8",
            "In the last 24 hours, how much relief have pain treatments or medications provided? Please choose the one percentage that most shows how much relief you have received.",
            RELIEF,
            scored=False,
            required=False,
        ),
    )
    + tuple(
        Item(
            f"bpi_9{letter}",
            f"9{letter.upper()}",
            f"During the past 24 hours, how much has pain interfered with your {what}?",
            INTERFERENCE,
            required=False,
            group="interference",
        )
        for letter, what in zip(
            "abcdefg",
            (
                "general activity",
                "mood",
                "walking ability",
                "normal work (includes both work outside the home and housework)",
                "relations with other people",
                "sleep",
                "enjoyment of life",
            ),
            strict=True,
        )
    ),
    bands=SERLIN_BANDS,
    min_total=0,
    max_total=10,
    rule=score_bpi,
    outcome=PAIN_OUTCOME,
    source="Cleeland CS, Ryan KM. Pain assessment: global use of the Brief Pain Inventory. Ann Acad Med Singapore 1994;23:129–138.",
    copyright_note="© Charles S. Cleeland; licence required for clinical use (MD Anderson).",
    recall="the last 24 hours",
    loinc_note=LOINC_NOT_CHECKED,
)
