"""Every instrument is scored exactly as published, at every band boundary.

Each table below cites the primary source whose published scoring it reproduces. No database is touched: scoring is pure.
"""

from __future__ import annotations

from contextlib import contextmanager
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clinic.assessments.instruments import (
    INSTRUMENTS,
    AnswerError,
    all_instruments,
    get_instrument,
)

ALL_CODES = [instrument.code for instrument in all_instruments()]
BPI_INTERFERENCE = tuple(f"bpi_9{letter}" for letter in "abcdefg")
BPI_INTERFERENCE_MINIMUM = 4


def spread(total: int, items: int, item_max: int) -> list[int]:
    """`items` answers summing to `total`, filling from the first item up to `item_max` each."""
    assert 0 <= total <= items * item_max
    answers = []
    for _ in range(items):
        value = min(item_max, total)
        answers.append(value)
        total -= value
    return answers


@contextmanager
def refused_naming(link_id: str, match: str = ""):
    """A refused answer names its item as people read it ("PHQ-9 item 5"), never by its code;
    the code is kept on the error for the API."""
    with pytest.raises(AnswerError, match=rf"item \w+\b.*{match}") as raised:
        yield raised
    assert raised.value.link_id == link_id
    assert link_id not in str(raised.value)


# --- PHQ-9 ---------------------------------------------------------------------------------------

# Source: [VERIFIED] — Kroenke 2001 via CamCOPS phq9.py: 0–4 minimal,
# 5–9 mild, 10–14 moderate, 15–19 moderately severe, 20–27 severe.
PHQ9_BOUNDARIES = [
    (0, "minimal"),
    (4, "minimal"),
    (5, "mild"),
    (9, "mild"),
    (10, "moderate"),
    (14, "moderate"),
    (15, "moderately_severe"),
    (19, "moderately_severe"),
    (20, "severe"),
    (27, "severe"),
]


@pytest.mark.parametrize(("total", "severity"), PHQ9_BOUNDARIES)
def test_given_phq9_answers_summing_to_a_boundary_when_scored_then_the_published_band(
    total, severity
):
    result = get_instrument("phq9").score(spread(total, 9, 3))

    assert result.total == total
    assert result.severity == severity


# Source: [VERIFIED] — item 10 (difficulty, LOINC 69722-7) is not scored.
@pytest.mark.parametrize("difficulty", [None, 0, 1, 2, 3])
@pytest.mark.parametrize("total", [0, 4, 5, 14, 15, 27])
def test_given_any_phq9_difficulty_answer_when_scored_then_the_total_is_unchanged(
    difficulty, total
):
    items = spread(total, 9, 3)
    without = get_instrument("phq9").score(items)

    with_difficulty = get_instrument("phq9").score([*items, difficulty])

    assert with_difficulty.total == without.total == total
    assert with_difficulty.severity == without.severity


def test_given_the_interface_example_when_scored_then_total_10_moderate_without_flags():
    result = get_instrument("phq9").score([1, 2, 0, 3, 1, 0, 2, 1, 0])

    assert result.total == 10
    assert result.severity == "moderate"
    assert result.subscales == {}
    assert result.flags == frozenset()


# Source: [VERIFIED — MII PRO IG PHQ-9; calcipedia]: any item-9 score > 0 is
# clinically significant regardless of the total; the flag cannot be silenced by a low total.
@pytest.mark.parametrize(
    ("answers", "total", "severity"),
    [
        ([0, 0, 0, 0, 0, 0, 0, 0, 1], 1, "minimal"),
        ([0, 0, 0, 0, 0, 0, 0, 0, 2], 2, "minimal"),
        ([0, 0, 0, 0, 0, 0, 0, 0, 3], 3, "minimal"),
        ([1, 1, 1, 1, 1, 0, 0, 0, 1], 6, "mild"),
        ([3, 3, 3, 3, 3, 3, 3, 3, 3], 27, "severe"),
    ],
)
def test_given_phq9_item_9_at_least_1_when_scored_then_self_harm_risk_is_flagged(
    answers, total, severity
):
    result = get_instrument("phq9").score(answers)

    assert result.total == total
    assert result.severity == severity
    assert result.flags == frozenset({"self_harm_risk"})


@pytest.mark.parametrize(
    "answers",
    [
        [0, 0, 0, 0, 0, 0, 0, 0, 0],
        [3, 3, 3, 3, 3, 3, 3, 3, 0],
        [3, 3, 3, 3, 3, 3, 3, 3, 0, 3],
    ],
)
def test_given_phq9_item_9_is_0_when_scored_then_no_self_harm_flag(answers):
    assert "self_harm_risk" not in get_instrument("phq9").score(answers).flags


def test_given_phq9_answers_keyed_by_link_id_when_scored_then_same_as_the_list():
    answers = [1, 2, 0, 3, 1, 0, 2, 1, 0, 2]
    keyed = {f"phq9_{n}": value for n, value in enumerate(answers, start=1)}

    assert get_instrument("phq9").score(keyed) == get_instrument("phq9").score(answers)


# --- GAD-7 ---------------------------------------------------------------------------------------

# Source: [VERIFIED] — Spitzer 2006 via CamCOPS gad7.py / awell-score:
# 0–4 minimal, 5–9 mild, 10–14 moderate, 15–21 severe.
GAD7_BOUNDARIES = [
    (0, "minimal"),
    (4, "minimal"),
    (5, "mild"),
    (9, "mild"),
    (10, "moderate"),
    (14, "moderate"),
    (15, "severe"),
    (21, "severe"),
]


@pytest.mark.parametrize(("total", "severity"), GAD7_BOUNDARIES)
def test_given_gad7_answers_summing_to_a_boundary_when_scored_then_the_published_band(
    total, severity
):
    result = get_instrument("gad7").score(spread(total, 7, 3))

    assert result.total == total
    assert result.severity == severity
    assert result.flags == frozenset()


# --- PCL-5 ---------------------------------------------------------------------------------------

# Source: [VERIFIED — CamCOPS pcl5.py; NCPTSD guidance]: 20 items 0–4, total
# 0–80; cut-off 31–33 "appears reasonable", this clinic uses 33 (≥ 33 = probable PTSD).
PCL5_BOUNDARIES = [
    (0, "below_cutoff"),
    (32, "below_cutoff"),
    (33, "probable_ptsd"),
    (80, "probable_ptsd"),
]


@pytest.mark.parametrize(("total", "severity"), PCL5_BOUNDARIES)
def test_given_pcl5_answers_summing_to_a_boundary_when_scored_then_the_cutoff_band(total, severity):
    result = get_instrument("pcl5").score(spread(total, 20, 4))

    assert result.total == total
    assert result.severity == severity


# Source: Weathers et al., PCL-5 (National Center for PTSD, 2013): clusters B intrusion 1–5, C avoidance 6–7, D negative
# cognition/mood 8–14, E arousal/reactivity 15–20; cluster severity = sum of its items.
# Each cluster sums differently, so an item assigned to the wrong cluster changes two sums.
PCL5_CLUSTER_VECTOR = [1, 1, 1, 1, 1, 3, 3, 0, 0, 0, 0, 0, 0, 0, 2, 2, 2, 2, 2, 2]


def test_given_a_pcl5_vector_when_scored_then_each_cluster_is_the_sum_of_its_items():
    result = get_instrument("pcl5").score(PCL5_CLUSTER_VECTOR)

    assert result.subscales == {"B": 5, "C": 6, "D": 0, "E": 12}
    assert result.total == 23


def test_given_items_at_cluster_edges_when_scored_then_they_fall_in_the_right_cluster():
    # Items 5|6, 7|8 and 14|15 are the cluster edges; each edge item gets a distinct value.
    answers = [0] * 20
    answers[4], answers[5], answers[6], answers[7], answers[13], answers[14] = 1, 2, 3, 4, 2, 4

    result = get_instrument("pcl5").score(answers)

    assert result.subscales == {"B": 1, "C": 5, "D": 6, "E": 4}


def pcl5(endorsed: dict[int, int]) -> list[int]:
    """A PCL-5 vector with the given item numbers (1–20) set to the given values, others 0."""
    answers = [0] * 20
    for number, value in endorsed.items():
        answers[number - 1] = value
    return answers


# Source: PCL-5 scoring, method 2 (the DSM-5 diagnostic rule; National Center for PTSD): an item rated ≥ 2 is an endorsed symptom;
# provisional PTSD needs ≥ 1 B, ≥ 1 C, ≥ 2 D and ≥ 2 E.
MINIMAL_DSM5 = {1: 2, 6: 2, 8: 2, 9: 2, 15: 2, 16: 2}


@pytest.mark.parametrize(
    ("answers", "flagged"),
    [
        pytest.param(pcl5(MINIMAL_DSM5), True, id="minimal-positive"),
        pytest.param(pcl5({**MINIMAL_DSM5, 1: 0}), False, id="no-B"),
        pytest.param(pcl5({**MINIMAL_DSM5, 1: 1}), False, id="B-rated-1-does-not-count"),
        pytest.param(pcl5({**MINIMAL_DSM5, 6: 0}), False, id="no-C"),
        pytest.param(pcl5({**MINIMAL_DSM5, 6: 1}), False, id="C-rated-1-does-not-count"),
        pytest.param(pcl5({**MINIMAL_DSM5, 9: 0}), False, id="one-D-only"),
        pytest.param(pcl5({**MINIMAL_DSM5, 9: 1}), False, id="second-D-rated-1"),
        pytest.param(pcl5({**MINIMAL_DSM5, 16: 0}), False, id="one-E-only"),
        pytest.param(pcl5({**MINIMAL_DSM5, 16: 1}), False, id="second-E-rated-1"),
        pytest.param(pcl5({5: 2, 7: 2, 13: 2, 14: 2, 19: 2, 20: 2}), True, id="last-items"),
        pytest.param(pcl5(dict.fromkeys(range(1, 21), 1)), False, id="all-rated-1"),
        pytest.param(pcl5(dict.fromkeys(range(1, 21), 4)), True, id="all-rated-4"),
    ],
)
def test_given_pcl5_symptoms_when_scored_then_dsm5_flag_only_when_every_cluster_is_met(
    answers, flagged
):
    result = get_instrument("pcl5").score(answers)

    assert ("provisional_ptsd_dsm5" in result.flags) is flagged


def test_given_the_minimal_dsm5_pattern_when_scored_then_below_cutoff_yet_flagged():
    result = get_instrument("pcl5").score(pcl5(MINIMAL_DSM5))

    assert result.total == 12
    assert result.severity == "below_cutoff"
    assert result.flags == frozenset({"provisional_ptsd_dsm5"})


def test_given_a_high_pcl5_total_without_a_c_symptom_then_probable_ptsd_but_no_dsm5_flag():
    # The cut-off and the DSM-5 rule are two readings of the same answers: both are reported,
    # and they can disagree.
    answers = pcl5({**dict.fromkeys(range(1, 21), 4), 6: 1, 7: 1})

    result = get_instrument("pcl5").score(answers)

    assert result.total == 74
    assert result.severity == "probable_ptsd"
    assert "provisional_ptsd_dsm5" not in result.flags


# --- Pain NRS ------------------------------------------------------------------------------------

# Source: (NRS 0–10, Farrar 2001) and pain.py's cited Serlin 1995 bands:
# 0 none, 1–4 mild, 5–6 moderate, 7–10 severe.
PAIN_NRS_BANDS = [
    (0, "none"),
    (1, "mild"),
    (4, "mild"),
    (5, "moderate"),
    (6, "moderate"),
    (7, "severe"),
    (10, "severe"),
]


@pytest.mark.parametrize(("rating", "severity"), PAIN_NRS_BANDS)
def test_given_a_pain_rating_when_scored_then_the_serlin_band(rating, severity):
    result = get_instrument("pain_nrs").score([rating])

    assert result.total == rating
    assert result.severity == severity


@pytest.mark.parametrize("rating", [-1, 11])
def test_given_a_pain_rating_off_the_0_to_10_scale_when_scored_then_rejected(rating):
    with refused_naming("pain_nrs_1"):
        get_instrument("pain_nrs").score([rating])


# --- BPI short form ------------------------------------------------------------------------------


def bpi(severity, interference=(0, 0, 0, 0, 0, 0, 0), relief=None) -> dict[str, int | None]:
    """BPI-SF answers keyed by link_id: items 3–6, item 8 (relief %) and 9A–9G (None = blank)."""
    answers: dict[str, int | None] = dict(
        zip(("bpi_3", "bpi_4", "bpi_5", "bpi_6"), severity, strict=True)
    )
    answers["bpi_8"] = relief
    answers.update(zip(BPI_INTERFERENCE, interference, strict=True))
    return answers


# Source: [UNVERIFIED — BPI User Guide convention]: severity = mean of items
# 3–6; bands on that mean per Serlin 1995 (0 none, < 5 mild, 5–< 7 moderate, ≥ 7 severe).
BPI_SEVERITY = [
    ((0, 0, 0, 0), "0.00", "none"),
    ((1, 0, 0, 0), "0.25", "mild"),
    ((5, 4, 5, 5), "4.75", "mild"),
    ((5, 5, 5, 5), "5.00", "moderate"),
    ((7, 6, 7, 7), "6.75", "moderate"),
    ((7, 7, 7, 7), "7.00", "severe"),
    ((10, 4, 7, 7), "7.00", "severe"),
    ((10, 10, 10, 10), "10.00", "severe"),
]


@pytest.mark.parametrize(("items", "mean", "severity"), BPI_SEVERITY)
def test_given_bpi_pain_items_when_scored_then_severity_is_their_mean_to_two_places(
    items, mean, severity
):
    result = get_instrument("bpi_sf").score(bpi(items))

    assert isinstance(result.total, Decimal)
    assert result.total == Decimal(mean)
    assert result.total.as_tuple().exponent == -2
    assert result.subscales["severity"] == result.total
    assert result.severity == severity


# Source: [UNVERIFIED — BPI User Guide]: interference = mean of 9A–9G,
# computed only if ≥ 4 of the 7 are answered (the mean is of the answered items).
BPI_INTERFERENCE_CASES = [
    ((1, 2, 3, 4, None, None, None), "2.50"),
    ((None, None, None, 4, 4, 4, 4), "4.00"),
    ((1, 1, 1, 1, 1, 0, None), "0.83"),
    ((1, 1, 1, 1, 1, 1, 2), "1.14"),
    ((10, 10, 10, 10, 10, 10, 10), "10.00"),
    ((0, 0, 0, 0, 0, 0, 0), "0.00"),
]


@pytest.mark.parametrize(("interference", "mean"), BPI_INTERFERENCE_CASES)
def test_given_at_least_4_interference_answers_when_scored_then_interference_is_their_mean(
    interference, mean
):
    answered = sum(1 for value in interference if value is not None)

    result = get_instrument("bpi_sf").score(bpi((3, 3, 3, 3), interference))

    assert result.subscales["interference"] == Decimal(mean)
    assert result.subscales["interference"].as_tuple().exponent == -2
    assert result.details["interference_items_answered"] == answered
    assert result.total == Decimal("3.00")  # interference never changes the severity score


@pytest.mark.parametrize(
    "interference",
    [
        (1, 2, 3, None, None, None, None),
        (None, None, None, None, 5, 5, 5),
        (None, None, None, None, None, None, None),
    ],
)
def test_given_fewer_than_4_interference_answers_when_scored_then_rejected(interference):
    with pytest.raises(ValueError, match="interference"):
        get_instrument("bpi_sf").score(bpi((3, 3, 3, 3), interference))


@pytest.mark.parametrize("relief", [None, 0, 10, 50, 90, 100])
def test_given_relief_in_steps_of_10_or_blank_when_scored_then_accepted_and_reported(relief):
    result = get_instrument("bpi_sf").score(bpi((3, 3, 3, 3), relief=relief))

    assert result.details["relief_percent"] == relief
    assert result.total == Decimal("3.00")  # relief is not scored


@pytest.mark.parametrize("relief", [55, 5, -10, 110])
def test_given_relief_off_the_10_percent_steps_when_scored_then_rejected(relief):
    with refused_naming("bpi_8"):
        get_instrument("bpi_sf").score(bpi((3, 3, 3, 3), relief=relief))


def test_given_a_bpi_list_omitting_trailing_interference_items_when_scored_then_accepted():
    result = get_instrument("bpi_sf").score([5, 4, 5, 5, None, 1, 2, 3, 4])

    assert result.total == Decimal("4.75")
    assert result.subscales == {"severity": Decimal("4.75"), "interference": Decimal("2.50")}


@pytest.mark.parametrize("missing", ["bpi_3", "bpi_4", "bpi_5", "bpi_6"])
def test_given_a_blank_bpi_pain_item_when_scored_then_rejected_naming_it(missing):
    answers = {**bpi((3, 3, 3, 3)), missing: None}

    with refused_naming(missing):
        get_instrument("bpi_sf").score(answers)


# --- Y-BOCS --------------------------------------------------------------------------------------

# Source: [bands SECONDARY — pbpsychiatricservices.com, agentcalc,
# theracharts]: 0–7 subclinical, 8–15 mild, 16–23 moderate, 24–31 severe, 32–40 extreme.
YBOCS_BOUNDARIES = [
    (0, "subclinical"),
    (7, "subclinical"),
    (8, "mild"),
    (15, "mild"),
    (16, "moderate"),
    (23, "moderate"),
    (24, "severe"),
    (31, "severe"),
    (32, "extreme"),
    (40, "extreme"),
]


@pytest.mark.parametrize(("total", "severity"), YBOCS_BOUNDARIES)
def test_given_ybocs_answers_summing_to_a_boundary_when_scored_then_the_published_band(
    total, severity
):
    result = get_instrument("ybocs").score(spread(total, 10, 4))

    assert result.total == total
    assert result.severity == severity


# Source: [VERIFIED — CamCOPS ybocs.py]: obsessions = items 1–5,
# compulsions = items 6–10, each 0–20.
@pytest.mark.parametrize(
    ("answers", "obsessions", "compulsions"),
    [
        ([1, 2, 3, 4, 0, 0, 0, 0, 1, 4], 10, 5),
        ([0, 0, 0, 0, 4, 4, 0, 0, 0, 0], 4, 4),
        ([4, 4, 4, 4, 4, 0, 0, 0, 0, 0], 20, 0),
        ([0, 0, 0, 0, 0, 4, 4, 4, 4, 4], 0, 20),
    ],
)
def test_given_ybocs_answers_when_scored_then_obsession_and_compulsion_subtotals(
    answers, obsessions, compulsions
):
    result = get_instrument("ybocs").score(answers)

    assert result.subscales == {"obsessions": obsessions, "compulsions": compulsions}
    assert result.total == obsessions + compulsions


# --- MDQ -----------------------------------------------------------------------------------------


def mdq(yes: int, same_period: int, problem: int) -> list[int]:
    """13 symptom items (the first `yes` answered yes), then items 2 and 3."""
    return [1] * yes + [0] * (13 - yes) + [same_period, problem]


# Source: [VERIFIED — NINDS CDE MDQ; Hirschfeld 2000]: positive only if
# all three: ≥ 7 yes in part 1; yes to "same period"; problem rated moderate (2) or serious (3).
MDQ_CASES = [
    pytest.param(mdq(7, 1, 2), 7, "positive", id="7-yes-same-period-moderate"),
    pytest.param(mdq(7, 1, 3), 7, "positive", id="7-yes-same-period-serious"),
    pytest.param(mdq(13, 1, 2), 13, "positive", id="13-yes"),
    pytest.param(mdq(6, 1, 3), 6, "negative", id="6-yes"),
    pytest.param(mdq(7, 0, 3), 7, "negative", id="7-yes-not-same-period"),
    pytest.param(mdq(7, 1, 1), 7, "negative", id="7-yes-minor-problem"),
    pytest.param(mdq(7, 1, 0), 7, "negative", id="7-yes-no-problem"),
    pytest.param(mdq(13, 0, 0), 13, "negative", id="13-yes-other-criteria-unmet"),
    pytest.param(mdq(0, 0, 0), 0, "negative", id="all-no"),
]


@pytest.mark.parametrize(("answers", "yes_count", "screen"), MDQ_CASES)
def test_given_mdq_answers_when_scored_then_positive_only_when_all_three_criteria_are_met(
    answers, yes_count, screen
):
    result = get_instrument("mdq").score(answers)

    assert result.total == yes_count
    assert result.severity == screen
    expected_flags = {"bipolar_screen_positive"} if screen == "positive" else set()
    assert result.flags == frozenset(expected_flags)


def test_given_7_yes_scattered_across_part_1_when_scored_then_counted():
    answers = [1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 1, 2]

    result = get_instrument("mdq").score(answers)

    assert result.total == 7
    assert result.severity == "positive"


# --- C-SSRS screener -----------------------------------------------------------------------------


def cssrs(q1, q2, q3=None, q4=None, q5=None, q6=0, q6b=None) -> dict[str, int | None]:
    values = (q1, q2, q3, q4, q5, q6, q6b)
    link_ids = ("cssrs_1", "cssrs_2", "cssrs_3", "cssrs_4", "cssrs_5", "cssrs_6", "cssrs_6b")
    return dict(zip(link_ids, values, strict=True))


# Source: [VERIFIED — Columbia triage guidelines]: Q1 or Q2 only → low;
# Q3, or Q6 behaviour > 3 months ago → moderate; Q4 or Q5 yes, or behaviour in the past 3 months
# → high. Skip logic: Q2 no → skip to Q6; Q6b only after Q6 yes.
CSSRS_TRIAGE = [
    pytest.param(cssrs(0, 0), "none", 0, id="nothing"),
    pytest.param(cssrs(1, 0), "low", 1, id="Q1-only"),
    pytest.param(cssrs(0, 1, 0, 0, 0), "low", 1, id="Q2-only"),
    pytest.param(cssrs(1, 1, 0, 0, 0), "low", 2, id="Q1-and-Q2"),
    pytest.param(cssrs(1, 1, 1, 0, 0), "moderate", 3, id="Q3-method"),
    pytest.param(cssrs(0, 0, q6=1, q6b=0), "moderate", 1, id="Q6-behaviour-over-3-months-ago"),
    pytest.param(cssrs(1, 1, 1, 0, 0, q6=1, q6b=0), "moderate", 4, id="Q3-and-old-behaviour"),
    pytest.param(cssrs(0, 1, 0, 1, 0), "high", 2, id="Q4-intent"),
    pytest.param(cssrs(0, 1, 0, 0, 1), "high", 2, id="Q5-plan-and-intent"),
    pytest.param(cssrs(0, 0, q6=1, q6b=1), "high", 1, id="Q6-behaviour-past-3-months"),
    pytest.param(cssrs(1, 0, q6=1, q6b=1), "high", 2, id="Q1-and-recent-behaviour"),
    pytest.param(cssrs(1, 1, 1, 1, 1, q6=1, q6b=1), "high", 6, id="everything"),
]
CSSRS_FLAGS = {
    "none": frozenset(),
    # Q1 or Q2 only: a review flag before the next dose, not an urgent alert.
    "low": frozenset({"suicide_risk_low"}),
    "moderate": frozenset({"suicide_risk_moderate"}),
    "high": frozenset({"suicide_risk_high"}),
}


@pytest.mark.parametrize(("answers", "risk", "yes_count"), CSSRS_TRIAGE)
def test_given_cssrs_answers_when_scored_then_the_item_based_triage_level_and_flag(
    answers, risk, yes_count
):
    result = get_instrument("cssrs_screen").score(answers)

    assert result.severity == risk
    assert result.flags == CSSRS_FLAGS[risk]
    assert result.total == yes_count


def test_given_a_cssrs_list_skipping_q3_to_q5_and_q6b_when_scored_then_accepted():
    result = get_instrument("cssrs_screen").score([1, 0, None, None, None, 0])

    assert result.severity == "low"


@pytest.mark.parametrize("skipped", ["cssrs_3", "cssrs_4", "cssrs_5"])
@pytest.mark.parametrize("value", [0, 1])
def test_given_q2_no_when_q3_to_q5_are_answered_then_rejected(skipped, value):
    answers = {**cssrs(1, 0), skipped: value}

    with refused_naming(skipped):
        get_instrument("cssrs_screen").score(answers)


@pytest.mark.parametrize("blank", ["cssrs_3", "cssrs_4", "cssrs_5"])
def test_given_q2_yes_when_q3_to_q5_are_left_blank_then_rejected(blank):
    answers = {**cssrs(1, 1, 0, 0, 0), blank: None}

    with refused_naming(blank):
        get_instrument("cssrs_screen").score(answers)


@pytest.mark.parametrize("value", [0, 1])
def test_given_q6_no_when_q6b_is_answered_then_rejected(value):
    with refused_naming("cssrs_6b"):
        get_instrument("cssrs_screen").score(cssrs(0, 0, q6=0, q6b=value))


def test_given_q6_yes_when_q6b_is_left_blank_then_rejected():
    with refused_naming("cssrs_6b"):
        get_instrument("cssrs_screen").score(cssrs(0, 0, q6=1, q6b=None))


# --- CADSS-6 -------------------------------------------------------------------------------------

# Source: [VERIFIED items 1, 2, 6, 7, 15, 22 — Rodrigues 2021; 0–4 rating
# UNVERIFIED]: total 0–24; no validated cut-off, so severity only says none / present.
CADSS6_CASES = [
    ([0, 0, 0, 0, 0, 0], 0, "none"),
    ([0, 0, 0, 0, 0, 1], 1, "present"),
    ([1, 0, 0, 0, 0, 0], 1, "present"),
    ([2, 0, 3, 0, 1, 0], 6, "present"),
    ([4, 4, 4, 4, 4, 4], 24, "present"),
]


@pytest.mark.parametrize(("answers", "total", "severity"), CADSS6_CASES)
def test_given_cadss6_ratings_when_scored_then_total_and_none_or_present(answers, total, severity):
    result = get_instrument("cadss6").score(answers)

    assert result.total == total
    assert result.severity == severity


def test_given_the_cadss6_declaration_then_six_items_rated_0_to_4():
    instrument = get_instrument("cadss6")

    assert [item.number for item in instrument.items] == ["1", "2", "6", "7", "15", "22"]
    assert all(item.values == frozenset(range(5)) for item in instrument.items)
    assert (instrument.min_total, instrument.max_total) == (0, 24)


# --- Errors --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "answers", "missing"),
    [
        ("phq9", [1, 1, 1, 1], "phq9_5"),
        ("phq9", [1, 1, 1, 1, None, 1, 1, 1, 1], "phq9_5"),
        ("phq9", {"phq9_1": 0, "phq9_2": 0}, "phq9_3"),
        ("gad7", [0, 0, 0, 0, 0, 0], "gad7_7"),
        ("pcl5", [0] * 19, "pcl5_20"),
        ("ybocs", [], "ybocs_1"),
        ("mdq", [0] * 13 + [1], "mdq_3"),
        ("cssrs_screen", [0], "cssrs_2"),
        ("cadss6", [0, 0, 0, 0, 0], "cadss6_22"),
        ("pain_nrs", [], "pain_nrs_1"),
    ],
)
def test_given_incomplete_answers_when_scored_then_rejected_naming_the_item(code, answers, missing):
    with refused_naming(missing):
        get_instrument(code).score(answers)


@pytest.mark.parametrize(
    ("code", "position", "value", "link_id"),
    [
        ("phq9", 0, 4, "phq9_1"),
        ("phq9", 8, 4, "phq9_9"),
        ("phq9", 3, -1, "phq9_4"),
        ("phq9", 9, 4, "phq9_10"),
        ("gad7", 6, 4, "gad7_7"),
        ("pcl5", 0, -1, "pcl5_1"),
        ("pcl5", 19, 5, "pcl5_20"),
        ("ybocs", 9, 5, "ybocs_10"),
        ("mdq", 0, 2, "mdq_1a"),
        ("mdq", 14, 4, "mdq_3"),
        ("cadss6", 5, 5, "cadss6_22"),
    ],
)
def test_given_an_out_of_range_answer_when_scored_then_rejected_naming_the_item(
    code, position, value, link_id
):
    instrument = get_instrument(code)
    answers = [min(item.values) for item in instrument.items]
    answers[position] = value

    with refused_naming(link_id, "not one of the allowed"):
        instrument.score(answers)


@pytest.mark.parametrize("value", ["2", 1.5, 2.0, True, False, Decimal(1)])
@pytest.mark.parametrize(
    ("code", "position", "link_id"), [("phq9", 4, "phq9_5"), ("pcl5", 0, "pcl5_1")]
)
def test_given_a_non_integer_answer_when_scored_then_rejected_naming_the_item(
    code, position, link_id, value
):
    instrument = get_instrument(code)
    answers = [0] * len([item for item in instrument.items if item.required])
    answers[position] = value

    with refused_naming(link_id, "whole number"):
        instrument.score(answers)


@pytest.mark.parametrize(("code", "count"), [("phq9", 11), ("gad7", 8), ("cadss6", 7)])
def test_given_too_many_answers_when_scored_then_rejected(code, count):
    with pytest.raises(ValueError, match=str(count)):
        get_instrument(code).score([0] * count)


def test_given_an_unknown_link_id_when_scored_then_rejected_naming_it():
    answers = {f"phq9_{n}": 0 for n in range(1, 10)} | {"phq9_11": 0}

    with pytest.raises(ValueError, match="phq9_11"):
        get_instrument("phq9").score(answers)


def test_given_an_unknown_instrument_code_when_looked_up_then_key_error():
    with pytest.raises(KeyError, match="nope"):
        get_instrument("nope")


# --- Declarations --------------------------------------------------------------------------------


# Every whole-number total in [min_total, max_total] of a summed instrument falls in exactly one
# band (no gaps, no overlaps), so the boundary tables above cover the whole range.
@pytest.mark.parametrize("code", ["phq9", "gad7", "pcl5", "pain_nrs", "ybocs", "cadss6"])
def test_given_a_summed_instrument_then_its_bands_tile_the_total_range(code):
    instrument = get_instrument(code)

    for total in range(int(instrument.min_total), int(instrument.max_total) + 1):
        matching = [band for band in instrument.bands if band.low <= total <= band.high]
        assert len(matching) == 1, (code, total, matching)


# --- Properties ----------------------------------------------------------------------------------


@st.composite
def valid_answers(draw, instrument) -> dict[str, int | None]:
    """Answers keyed by link_id: each applicable item answered from item.values (optional ones may
    be blank), inapplicable items blank (C-SSRS skip logic), and ≥ 4 of BPI 9A–9G answered."""
    interference_answered: set[str] = set()
    if instrument.code == "bpi_sf":
        interference_answered = draw(
            st.sets(st.sampled_from(BPI_INTERFERENCE), min_size=BPI_INTERFERENCE_MINIMUM)
        )
    answers: dict[str, int | None] = {}
    for item in instrument.items:  # enabled_when always names an earlier item
        value = st.sampled_from(sorted(item.values))
        if not instrument.applicable(item, answers):
            answers[item.link_id] = None
        elif item.link_id in BPI_INTERFERENCE and instrument.code == "bpi_sf":
            answers[item.link_id] = draw(value) if item.link_id in interference_answered else None
        elif item.required:
            answers[item.link_id] = draw(value)
        else:
            answers[item.link_id] = draw(st.none() | value)
    return answers


@pytest.mark.parametrize("code", ALL_CODES)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_given_any_valid_answers_when_scored_then_total_in_range_and_a_known_band(code, data):
    instrument = get_instrument(code)
    answers = data.draw(valid_answers(instrument))

    result = instrument.score(answers)

    assert instrument.min_total <= result.total <= instrument.max_total
    assert result.severity in {band.code for band in instrument.bands}
    # The same answers as a list in item order score identically.
    assert instrument.score([answers[item.link_id] for item in instrument.items]) == result


@pytest.mark.parametrize("code", ALL_CODES)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_given_one_applicable_item_outside_its_values_when_scored_then_rejected(code, data):
    instrument = get_instrument(code)
    answers = data.draw(valid_answers(instrument))
    applicable = [item for item in instrument.items if instrument.applicable(item, answers)]
    item = data.draw(st.sampled_from(applicable))
    bad = data.draw(
        st.integers(min_value=-1000, max_value=1000).filter(lambda v: v not in item.values)
        | st.sampled_from(["1", 1.5, 0.0, True, False, Decimal(1)])
    )

    with refused_naming(item.link_id):
        instrument.score({**answers, item.link_id: bad})


# --- ASRM, QIDS-SR16, MADRS: bands at every edge -------------------------------------------------


def _asrm(total: int) -> list[int]:
    values = []
    for _ in range(5):
        values.append(min(4, total))
        total -= values[-1]
    return values


@pytest.mark.parametrize(
    ("total", "severity", "flagged"),
    [
        (0, "below_cutoff", False),
        (5, "below_cutoff", False),
        (6, "possible_mania", True),
        (20, "possible_mania", True),
    ],
)
def test_asrm_cut_off_at_6_raises_the_mania_review_flag(total, severity, flagged):
    result = get_instrument("asrm").score(_asrm(total))
    assert (result.total, result.severity) == (total, severity)
    assert ("possible_mania" in result.flags) is flagged


def test_an_incomplete_asrm_is_not_scored():
    with pytest.raises(ValueError, match="not answered"):
        get_instrument("asrm").score([1, 1, 1, 1])


def _madrs(total: int) -> list[int]:
    values = []
    for _ in range(10):
        values.append(min(6, total))
        total -= values[-1]
    return values


@pytest.mark.parametrize(
    ("total", "severity"),
    [
        (0, "normal"),
        (6, "normal"),
        (7, "mild"),
        (19, "mild"),
        (20, "moderate"),
        (34, "moderate"),
        (35, "severe"),
        (60, "severe"),
    ],
)
def test_madrs_bands_at_every_edge(total, severity):
    result = get_instrument("madrs").score(_madrs(total))
    assert (result.total, result.severity) == (total, severity)
    assert get_instrument("madrs").respondent == "clinician"


def test_madrs_items_are_rated_0_to_6():
    with pytest.raises(ValueError, match="not one of the allowed"):
        get_instrument("madrs").score([7] + [0] * 9)


def _qids_domains(total: int) -> dict[str, int]:
    """QIDS-SR16 answers whose 9 domains add up to `total`: one item per domain carries it."""
    carriers = ["1", "5", "6", "10", "11", "12", "13", "14", "15"]
    answers = {f"qids_sr16_{n}": 0 for n in range(1, 17)}
    for n in carriers:
        answers[f"qids_sr16_{n}"] = min(3, total)
        total -= answers[f"qids_sr16_{n}"]
    return answers


@pytest.mark.parametrize(
    ("total", "severity"),
    [
        (0, "none"),
        (5, "none"),
        (6, "mild"),
        (10, "mild"),
        (11, "moderate"),
        (15, "moderate"),
        (16, "severe"),
        (20, "severe"),
        (21, "very_severe"),
        (27, "very_severe"),
    ],
)
def test_qids_sr16_bands_at_every_edge(total, severity):
    result = get_instrument("qids_sr16").score(_qids_domains(total))
    assert (result.total, result.severity) == (total, severity)


def test_qids_sr16_counts_each_domain_once_by_its_highest_item():
    answers = {f"qids_sr16_{n}": 0 for n in range(1, 17)}
    # Sleep items 1–4 all at 3 count 3, not 12; appetite/weight 6–9 at 1, 2, 0, 3 count 3;
    # psychomotor 15–16 at 2 and 1 count 2.
    answers |= {"qids_sr16_1": 3, "qids_sr16_2": 3, "qids_sr16_3": 3, "qids_sr16_4": 3}
    answers |= {"qids_sr16_6": 1, "qids_sr16_7": 2, "qids_sr16_9": 3}
    answers |= {"qids_sr16_15": 2, "qids_sr16_16": 1, "qids_sr16_5": 1}
    result = get_instrument("qids_sr16").score(answers)
    assert result.total == 3 + 1 + 3 + 2
    assert result.subscales["sleep"] == 3 and result.subscales["psychomotor"] == 2
    assert get_instrument("qids_sr16").recall == "the last 7 days"


@pytest.mark.parametrize("code", sorted(INSTRUMENTS))
def test_every_instrument_declares_its_loinc_codes_or_why_not(code):
    instrument = get_instrument(code)
    assert (instrument.loinc_panel or instrument.loinc_total) or instrument.loinc_note
    assert instrument.recall


@pytest.mark.parametrize(
    ("code", "answers", "flags"),
    [
        ("phq9", {"phq9_9": 1}, {"self_harm_risk"}),
        ("phq9", {"phq9_1": 3, "phq9_9": 0}, set()),
        ("cssrs_screen", {"cssrs_2": 0, "cssrs_3": 1}, set()),  # Q3 does not apply
        ("asrm", {"asrm_1": 4, "asrm_2": 2}, {"possible_mania"}),
        ("pcl5", {"pcl5_1": 4}, set()),  # its rule needs every answer
    ],
)
def test_flags_so_far_reads_an_unfinished_form(code, answers, flags):
    assert get_instrument(code).flags_so_far(answers) == flags
