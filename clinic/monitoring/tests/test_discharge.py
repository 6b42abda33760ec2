"""Modified Aldrete (Aldrete, J Clin Anesth 1995;7:89) and its documented boundary choices."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clinic.monitoring.discharge import (
    circulation_score,
    modified_aldrete,
    oxygen_saturation_score,
    ready_for_discharge,
)


def test_the_interface_example_scores_10():
    assert (
        modified_aldrete(
            activity=2, respiration=2, circulation=2, consciousness=2, oxygen_saturation=2
        )
        == 10
    )


@pytest.mark.parametrize(("score", "ready"), [(10, True), (9, True), (8, False), (0, False)])
def test_nine_or_more_is_ready_by_default(score, ready):
    assert ready_for_discharge(score) is ready


def test_the_threshold_is_a_setting():
    assert ready_for_discharge(8, threshold=8) and not ready_for_discharge(9, threshold=10)


@pytest.mark.parametrize("bad", [3, -1, 1.5, "2", None, True])
def test_each_item_must_be_0_1_or_2(bad):
    with pytest.raises(ValueError, match="circulation"):
        modified_aldrete(
            activity=2, respiration=2, circulation=bad, consciousness=2, oxygen_saturation=2
        )


@pytest.mark.parametrize(
    ("systolic", "points"),
    [(120, 2), (144, 2), (96, 2), (145, 1), (95, 1), (179, 1), (180, 0), (60, 0), (61, 1)],
)
def test_circulation_against_the_pre_dose_pressure_of_120(systolic, points):
    assert circulation_score(systolic_mmhg=systolic, pre_dose_systolic_mmhg=120) == points


@pytest.mark.parametrize(
    ("spo2", "oxygen", "points"),
    [(93, False, 2), (92, False, 1), (95, True, 1), (90, True, 1), (89, True, 0), (89, False, 0)],
)
def test_oxygen_saturation(spo2, oxygen, points):
    assert oxygen_saturation_score(spo2_pct=spo2, on_oxygen=oxygen) == points


@given(st.tuples(*[st.integers(0, 2)] * 5))
def test_the_total_is_0_to_10(scores):
    total = modified_aldrete(
        activity=scores[0],
        respiration=scores[1],
        circulation=scores[2],
        consciousness=scores[3],
        oxygen_saturation=scores[4],
    )
    assert total == sum(scores) and 0 <= total <= 10
