"""ASRM, Altman Self-Rating Mania Scale (Altman EG, Hedeker D, Peterson JL, Davis JM. Biol
Psychiatry 1997;42:948–955; PMID 9359982). Five groups of five statements about the past week:
positive mood, self-confidence, sleep (less need), speech, activity. Each group scored 0–4 (the
first statement 0 … the fifth 4); total 0–20. A total of 6 or more = probable mania or hypomania
(sensitivity 85.5 %, specificity 87.3 %, Altman 1997): it raises the review flag `possible_mania`,
which holds the next ketamine dose until a clinician has reviewed it. A plan for bipolar
depression asks the ASRM before every session (`before_each_session`), not only at baseline, so
that a switch into mania between doses is caught before the next one [UNVERIFIED: clinic policy;
the medical director may take it out of the bipolar set]. Every item must be answered:
some copies prorate one missing item, but they score 1–5 per item, inconsistent with the 0–20
range, so an incomplete form is not scored.

Wording: the statements are not reproduced. Copies disagree on who holds the copyright (Dr Altman;
Elsevier / the American Psychiatric Association) and on whether software may reproduce them, so
each option is a faithful short label of its statement, in the instrument's frequency words
("occasionally" = once or twice, "often" = several times or more, "frequently" = most of the time).
Give the patient the licensed form's wording before go-live if the clinic holds a licence.
"""

from clinic.assessments.instruments.base import (
    LOINC_NOT_CHECKED,
    Band,
    Instrument,
    Item,
    options,
    sum_rule,
    total_at_least,
)

CUTOFF = 6


def _frequency(what: str, extreme: str) -> tuple:
    return options(
        f"Not {what} than usual",
        f"Occasionally {what} than usual",
        f"Often {what} than usual",
        f"Frequently {what} than usual",
        extreme,
    )


ITEMS = (
    (
        "1",
        "Positive mood: feeling happier or more cheerful than usual",
        _frequency(
            "happier or more cheerful", "Happier or more cheerful than usual all of the time"
        ),
    ),
    (
        "2",
        "Self-confidence: feeling more self-confident than usual",
        _frequency("more self-confident", "Extremely self-confident all of the time"),
    ),
    (
        "3",
        "Sleep: needing less sleep than usual",
        _frequency(
            "needing less sleep", "Can go all day and night without sleep and not feel tired"
        ),
    ),
    (
        "4",
        "Speech: talking more than usual",
        _frequency("talking more", "Talking constantly and cannot be interrupted"),
    ),
    (
        "5",
        "Activity: being more active (socially, sexually, at work, home or school) than usual",
        _frequency("more active", "Constantly more active or on the go, all the time"),
    ),
)

ASRM = Instrument(
    code="asrm",
    name="Altman Self-Rating Mania Scale",
    short_name="ASRM",
    purpose="Mania check before a session (bipolar depression)",
    instructions=(
        "For each of the five topics, choose the one answer that best describes the way you have "
        "been feeling for the past week. “Occasionally” means once or twice; “often” means several "
        "times or more; “frequently” means most of the time."
    ),
    items=tuple(Item(f"asrm_{n}", n, text, choices) for n, text, choices in ITEMS),
    bands=(
        Band(0, CUTOFF - 1, "below_cutoff", f"Below the cut-off ({CUTOFF})"),
        Band(CUTOFF, 20, "possible_mania", f"At or above the cut-off ({CUTOFF}): possible mania"),
    ),
    min_total=0,
    max_total=20,
    rule=sum_rule(flag_rules=[total_at_least(CUTOFF, "possible_mania")]),
    recall="the past week",
    source="Altman EG, Hedeker D, Peterson JL, Davis JM. The Altman Self-Rating Mania Scale. Biol Psychiatry 1997;42(10):948–955.",
    copyright_note=(
        "© Altman et al. (copies also name Elsevier / the APA). Statement wording not reproduced: "
        "short labels only."
    ),
    loinc_note=LOINC_NOT_CHECKED,
    before_each_session=True,
)
