"""MDQ, Mood Disorder Questionnaire (Hirschfeld, Williams, Spitzer et al., Am J Psychiatry
2000;157:1873). A screen for bipolar-spectrum disorder, used at evaluation before ketamine for
bipolar depression. Positive only if all three: ≥ 7 "yes" among the 13 symptom items, "yes" to
several happening in the same period, and a moderate or serious problem (NINDS Common Data
Elements MDQ page). `total` = number of "yes" in part 1 (0–13); severity `positive` /
`negative`; flag `bipolar_screen_positive`.
"""

from clinic.assessments.instruments.base import (
    LOINC_NOT_CHECKED,
    YES_NO,
    AnswerOption,
    Band,
    Instrument,
    Item,
    ScoreResult,
    required_answer,
)

SYMPTOM_THRESHOLD = 7
PROBLEM = (
    AnswerOption(0, "No problem"),
    AnswerOption(1, "Minor problem"),
    AnswerOption(2, "Moderate problem"),
    AnswerOption(3, "Serious problem"),
)
STEM = "Has there ever been a period of time when you were not your usual self and…"
ITEMS = (
    "…you felt so good or so hyper that other people thought you were not your normal self, or you were so hyper that you got into trouble?",
    "…you were so irritable that you shouted at people or started fights or arguments?",
    "…you felt much more self-confident than usual?",
    "…you got much less sleep than usual and found you didn't really miss it?",
    "…you were much more talkative or spoke much faster than usual?",
    "…thoughts raced through your head or you couldn't slow your mind down?",
    "…you were so easily distracted by things around you that you had trouble concentrating or staying on track?",
    "…you had much more energy than usual?",
    "…you were much more active or did many more things than usual?",
    "…you were much more social or outgoing than usual, for example, you telephoned friends in the middle of the night?",
    "…you were much more interested in sex than usual?",
    "…you did things that were unusual for you or that other people might have thought were excessive, foolish, or risky?",
    "…spending money got you or your family into trouble?",
)


def score_mdq(instrument: Instrument, answers: dict[str, int | None]) -> ScoreResult:
    yes_count = sum(required_answer(answers, f"mdq_1{letter}") for letter in "abcdefghijklm")
    positive = (
        yes_count >= SYMPTOM_THRESHOLD
        and answers["mdq_2"] == 1
        and required_answer(answers, "mdq_3") >= 2
    )
    return ScoreResult(
        total=yes_count,
        severity="positive" if positive else "negative",
        flags=frozenset({"bipolar_screen_positive"}) if positive else frozenset(),
        details={"same_period": answers["mdq_2"] == 1, "problem": answers["mdq_3"]},
    )


MDQ = Instrument(
    charted=False,
    repeated=False,
    code="mdq",
    name="Mood Disorder Questionnaire",
    short_name="MDQ",
    purpose="Screen for bipolar-spectrum disorder",
    instructions=STEM,
    items=tuple(
        Item(f"mdq_1{letter}", f"1{letter}", text, YES_NO, group="symptoms")
        for letter, text in zip("abcdefghijklm", ITEMS, strict=True)
    )
    + (
        Item(
            "mdq_2",
            "2",
            "If you answered yes to more than one of the above, have several of these ever happened during the same period of time?",
            YES_NO,
        ),
        Item(
            "mdq_3",
            "3",
            "How much of a problem did any of these cause you — like being unable to work; having family, money or legal troubles; getting into arguments or fights?",
            PROBLEM,
        ),
    ),
    bands=(Band(0, 13, "negative", "Negative screen"), Band(0, 13, "positive", "Positive screen")),
    min_total=0,
    max_total=13,
    rule=score_mdq,
    source="Hirschfeld RMA, Williams JBW, Spitzer RL, et al. Development and validation of a screening instrument for bipolar spectrum disorder: the MDQ. Am J Psychiatry 2000;157:1873–1875.",
    copyright_note="© 2000 Robert M.A. Hirschfeld; may be used for clinical purposes.",
    recall="ever (lifetime)",
    loinc_note=LOINC_NOT_CHECKED,
)
