"""Change from baseline, response, remission and worsening, exactly at each threshold.

`compute_progress` is pure: these tests build points by hand and touch no database. Thresholds come
from each instrument's `Outcome` (PHQ-9: response ≥ 50 % reduction, remission < 5, meaningful change
5; PCL-5: response = a fall of ≥ 10 points, remission below the cut-off 33; pain NRS: response ≥ 30 %
reduction; Y-BOCS: response ≥ 35 % reduction, remission < 13).
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from clinic.assessments.instruments import get_instrument
from clinic.assessments.instruments.base import Band
from clinic.assessments.progress import Point, compute_progress
from clinic.assessments.svg import progress_svg

PHQ9 = get_instrument("phq9")
PCL5 = get_instrument("pcl5")
PAIN_NRS = get_instrument("pain_nrs")
YBOCS = get_instrument("ybocs")


def day(d: int) -> datetime:
    return datetime(2026, 1, d, 9, 30, tzinfo=UTC)


def point(d: int, total: int | str, context: str = "follow_up", severity: str = "") -> Point:
    return Point(taken_at=day(d), total=Decimal(total), severity=severity, context=context)


def series(instrument, *totals: int | str):
    """Points a week apart, the first given at baseline."""
    return compute_progress(
        instrument,
        [
            point(1 + 7 * index, total, "baseline" if index == 0 else "follow_up")
            for index, total in enumerate(totals)
        ],
    )


# --- Response --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("instrument", "baseline", "latest", "response"),
    [
        # PHQ-9: ≥ 50 % reduction (Oliver et al.).
        (PHQ9, 20, 10, True),  # exactly 50 %
        (PHQ9, 20, 11, False),  # 45 %
        (PHQ9, 20, 0, True),
        (PHQ9, 20, 20, False),
        (PHQ9, 10, 5, True),
        (PHQ9, 27, 14, False),  # 48.1 %
        # PCL-5: a fall of ≥ 10 points (Blevins 2015; Bovin 2016).
        (PCL5, 50, 40, True),  # exactly 10 points
        (PCL5, 50, 41, False),  # 9 points
        (PCL5, 12, 2, True),  # 83 % but what counts is the points
        # Pain NRS: ≥ 30 % reduction (IMMPACT).
        (PAIN_NRS, 10, 7, True),  # exactly 30 %
        (PAIN_NRS, 10, 8, False),  # 20 %
        # Y-BOCS: ≥ 35 % reduction.
        (YBOCS, 20, 13, True),  # exactly 35 %
        (YBOCS, 20, 14, False),  # 30 %
    ],
    ids=lambda value: getattr(value, "code", value),
)
def test_response_is_read_at_the_published_threshold(instrument, baseline, latest, response):
    assert series(instrument, baseline, latest).response is response


def test_response_uses_points_not_percent_for_pcl5():
    # 10 → 0 is a 100 % fall but exactly the 10 points needed; 9 → 0 is 100 % but only 9 points.
    assert series(PCL5, 10, 0).response is True
    assert series(PCL5, 9, 0).response is False


# --- Remission -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("instrument", "baseline", "latest", "remission"),
    [
        (PHQ9, 20, 4, True),
        (PHQ9, 20, 5, False),
        (PHQ9, 20, 0, True),
        (PCL5, 60, 32, True),  # below the provisional cut-off of 33
        (PCL5, 60, 33, False),  # at the cut-off is not below it
        (YBOCS, 30, 12, True),
        (YBOCS, 30, 13, False),
    ],
    ids=lambda value: getattr(value, "code", value),
)
def test_remission_is_strictly_below_the_threshold(instrument, baseline, latest, remission):
    assert series(instrument, baseline, latest).remission is remission


def test_pain_nrs_has_no_remission_rule():
    assert series(PAIN_NRS, 8, 0).remission is None


# --- One point, zero baseline, change -------------------------------------------------------------


@pytest.mark.parametrize("instrument", [PHQ9, PCL5, PAIN_NRS, YBOCS], ids=lambda i: i.code)
def test_a_single_score_has_no_response_remission_or_worsening(instrument):
    progress = compute_progress(instrument, [point(3, 12, "baseline")])
    assert progress.response is None
    assert progress.remission is None
    assert progress.worsening is False
    assert progress.baseline is progress.latest
    assert progress.previous is None
    assert progress.change_points == 0
    assert progress.has_follow_up is False


def test_no_points_is_refused():
    with pytest.raises(ValueError, match="at least one score"):
        compute_progress(PHQ9, [])


def test_a_zero_baseline_has_no_percent_change_and_no_percent_response():
    progress = series(PHQ9, 0, 3)
    assert progress.change_points == 3
    assert progress.change_percent is None
    assert progress.response is None
    # A baseline of 0 is already below the remission cut-off: remission does not apply.
    assert progress.remission is None
    assert progress.remission_status == "started_below"


def test_a_zero_baseline_still_reads_a_points_based_response():
    # PCL-5 response is a fall in points, so a zero baseline cannot respond but it is computable.
    assert series(PCL5, 0, 0).response is False


@pytest.mark.parametrize(
    ("baseline", "latest", "points", "percent"),
    [
        (20, 10, "-10", "-50.0"),
        (20, 11, "-9", "-45.0"),
        (12, 16, "4", "33.3"),  # rounded to one decimal
        (3, 1, "-2", "-66.7"),  # half up, away from zero
        (20, 20, "0", "0.0"),
    ],
)
def test_change_in_points_and_percent(baseline, latest, points, percent):
    progress = series(PHQ9, baseline, latest)
    assert progress.change_points == Decimal(points)
    assert progress.change_percent == Decimal(percent)


def test_decimal_totals_are_compared_exactly():
    # BPI-SF-like quarter-point means on the pain outcome: 30 % of 7.5 is 2.25.
    assert series(PAIN_NRS, "7.5", "5.25").response is True
    assert series(PAIN_NRS, "7.5", "5.5").response is False


# --- Which score is the baseline -----------------------------------------------------------------


def test_the_baseline_is_the_earliest_point_given_at_baseline():
    screening = point(1, 12, "check_in")
    first_baseline = point(5, 20, "baseline")
    second_baseline = point(8, 18, "baseline")
    latest = point(20, 10)
    progress = compute_progress(PHQ9, [screening, first_baseline, second_baseline, latest])
    assert progress.baseline is first_baseline
    assert progress.change_points == -10
    assert progress.change_percent == Decimal("-50.0")
    assert progress.response is True


def test_without_a_baseline_context_the_earliest_point_is_the_baseline():
    earliest = point(2, 16, "check_in")
    progress = compute_progress(PHQ9, [point(9, 12), earliest, point(16, 8)])
    assert progress.baseline is earliest
    assert progress.change_points == -8
    assert progress.response is True


def test_a_baseline_given_last_has_no_follow_up_to_judge():
    baseline = point(20, 20, "baseline")
    progress = compute_progress(PHQ9, [point(1, 4), point(10, 3), baseline])
    assert progress.baseline is baseline and progress.latest is baseline
    assert progress.response is None
    assert progress.remission is None
    assert progress.worsening is False


def test_points_given_out_of_order_are_sorted_by_time():
    a, b, c, d = point(1, 20, "baseline"), point(8, 15), point(15, 12), point(22, 8)
    progress = compute_progress(PHQ9, [c, a, d, b])
    assert progress.points == (a, b, c, d)
    assert progress.baseline is a
    assert progress.previous is c
    assert progress.latest is d
    assert progress.response is True  # 20 → 8 = 60 %


def test_the_earliest_baseline_is_found_even_when_points_arrive_out_of_order():
    late_baseline = point(10, 14, "baseline")
    early_baseline = point(3, 22, "baseline")
    progress = compute_progress(PHQ9, [late_baseline, point(17, 11), early_baseline])
    assert progress.baseline is early_baseline


# --- Worsening -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("totals", "worsening"),
    [
        ((10, 15), True),  # latest − baseline = 5
        ((10, 14), False),  # latest − baseline = 4
        ((10, 5, 10), True),  # latest − previous = 5 (back to baseline)
        ((10, 5, 9), False),  # latest − previous = 4
        ((10, 8, 14), True),  # baseline +4 but previous +6
        ((10, 12, 14), False),  # +4 from baseline, +2 from previous
        ((10, 16, 15), True),  # better than previous, still +5 from baseline
        ((20, 10), False),  # improvement
    ],
)
def test_phq9_worsening_by_the_meaningful_change_of_5(totals, worsening):
    assert series(PHQ9, *totals).worsening is worsening


def test_pcl5_worsening_needs_10_points():
    assert series(PCL5, 30, 40).worsening is True
    assert series(PCL5, 30, 39).worsening is False


def test_ybocs_declares_no_meaningful_change_so_never_worsens():
    assert series(YBOCS, 10, 40).worsening is False


# --- The SVG chart ---------------------------------------------------------------------------------


def phq9_progress(*totals: int):
    return compute_progress(
        PHQ9,
        [
            point(
                1 + 7 * index,
                total,
                "baseline" if index == 0 else "follow_up",
                PHQ9.band_for(total).code,
            )
            for index, total in enumerate(totals)
        ],
    )


def test_the_chart_is_an_svg_with_a_point_per_score_bands_and_a_baseline():
    svg = progress_svg(phq9_progress(20, 15, 12, 8))
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert svg.count("<circle") == 4
    assert svg.count('class="baseline"') == 1
    assert svg.count("<rect") == len(PHQ9.bands) == 5
    assert svg.count("<polyline") == 1
    # The band labels are plain words, shown as they are.
    for label in ("Minimal", "Mild", "Moderate", "Moderately severe", "Severe"):
        assert f'class="band-label">{label}</text>' in svg
    assert "&amp;" not in svg and "<script" not in svg


def test_the_chart_of_a_single_score_has_one_point_and_no_line():
    svg = progress_svg(phq9_progress(14))
    assert svg.count("<circle") == 1
    assert "<polyline" not in svg
    assert 'class="baseline"' in svg


def test_the_baseline_line_sits_at_the_baseline_score():
    svg = progress_svg(phq9_progress(20, 10))
    line = re.search(r'<line [^>]*class="baseline"', svg).group(0)
    y1 = float(re.search(r'y1="([\d.]+)"', line).group(1))
    baseline_circle = re.search(r'<circle cx="[\d.]+" cy="([\d.]+)"', svg).group(1)
    assert y1 == float(baseline_circle)
    assert "<title>Baseline 20</title>" in svg


def test_the_chart_escapes_labels_and_names():
    hostile = replace(
        PHQ9,
        short_name='PHQ-9 <script>alert("x")</script>',
        bands=(
            *PHQ9.bands[:-1],
            Band(20, 27, "severe", '<img src=x onerror="alert(1)">'),
        ),
    )
    progress = compute_progress(hostile, [point(1, 22, "baseline", "severe"), point(8, 21)])
    svg = progress_svg(progress)
    assert "<script" not in svg and "<img" not in svg
    assert "&lt;script&gt;" in svg and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in svg


# --- Remission needs a baseline above the cut-off; each definition per instrument ----------------

QIDS = get_instrument("qids_sr16")
MADRS = get_instrument("madrs")
GAD7 = get_instrument("gad7")


@pytest.mark.parametrize(
    ("instrument", "baseline", "latest", "status"),
    [
        # PHQ-9 remission < 5.
        (PHQ9, 4, 3, "started_below"),
        (PHQ9, 5, 4, "remission"),
        (PHQ9, 5, 5, "no_remission"),
        # GAD-7 remission < 5.
        (GAD7, 4, 0, "started_below"),
        (GAD7, 12, 4, "remission"),
        # QIDS-SR16 remission ≤ 5.
        (QIDS, 5, 2, "started_below"),
        (QIDS, 6, 5, "remission"),
        (QIDS, 16, 6, "no_remission"),
        # MADRS remission ≤ 10 (IV ketamine default).
        (MADRS, 10, 4, "started_below"),
        (MADRS, 30, 10, "remission"),
        (MADRS, 30, 11, "no_remission"),
        # Y-BOCS remission ≤ 12.
        (YBOCS, 12, 4, "started_below"),
        (YBOCS, 13, 12, "remission"),
        (YBOCS, 30, 13, "no_remission"),
        # PCL-5: below the cut-off (33) AND a meaningful fall of ≥ 10 points, from at/above it.
        (PCL5, 32, 10, "started_below"),
        (PCL5, 34, 32, "no_remission"),  # stepped under the cut-off, but only 2 points
        (PCL5, 42, 32, "remission"),
        (PCL5, 43, 33, "no_remission"),
    ],
    ids=lambda value: getattr(value, "code", value),
)
def test_remission_only_from_a_baseline_at_or_above_the_cut_off(
    instrument, baseline, latest, status
):
    progress = series(instrument, baseline, latest)
    assert progress.remission_status == status
    assert progress.remission is {"remission": True, "no_remission": False}.get(status)


@pytest.mark.parametrize(
    ("instrument", "baseline", "latest", "response"),
    [
        (QIDS, 20, 10, True),
        (QIDS, 20, 11, False),
        (MADRS, 30, 15, True),
        (MADRS, 30, 16, False),
        (GAD7, 14, 7, True),
        (GAD7, 14, 8, False),
    ],
    ids=lambda value: getattr(value, "code", value),
)
def test_response_is_a_50_percent_fall_for_qids_madrs_and_gad7(
    instrument, baseline, latest, response
):
    assert series(instrument, baseline, latest).response is response


def test_the_madrs_remission_cut_off_follows_the_clinic_policy():
    from clinic.assessments.instruments.madrs import with_remission_at_most

    esketamine = with_remission_at_most(12)
    assert series(esketamine, 30, 12).remission_status == "remission"
    assert series(MADRS, 30, 12).remission_status == "no_remission"
    assert "≤ 12" in esketamine.outcome.source


@pytest.mark.parametrize("code", ["phq9", "qids_sr16", "madrs", "gad7", "pcl5", "ybocs"])
def test_every_remission_rule_states_its_definition(code):
    outcome = get_instrument(code).outcome
    assert "Remission" in outcome.remission_definition
    assert "started below" in outcome.remission_definition
    assert outcome.response_definition.startswith("Response")


@pytest.mark.parametrize(
    ("code", "points"), [("phq9", 5), ("gad7", 4), ("pcl5", 10), ("pain_nrs", 2)]
)
def test_every_worsening_rule_states_its_definition(code, points):
    outcome = get_instrument(code).outcome
    assert outcome.worsening_definition == (
        f"Worsening: a rise of at least {points} points from baseline or from the score before."
    )
    assert outcome.worsening_definition in outcome.definitions


def test_an_instrument_that_never_worsens_states_no_worsening_definition():
    outcome = YBOCS.outcome
    assert outcome.worsening_definition == ""
    assert outcome.definitions == " ".join(
        (outcome.response_definition, outcome.remission_definition, outcome.source)
    )
