"""NEWS2 at every band boundary (RCP 2017 Chart 1, SpO₂ scale 1)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clinic.monitoring.news2 import news2_score

NORMAL = {
    "respiratory_rate": 16,
    "spo2": 97,
    "on_oxygen": False,
    "systolic_bp": 128,
    "pulse": 72,
    "consciousness": "alert",
    "temperature_c": 36.8,
}


def score(**changes):
    return news2_score(**(NORMAL | changes))


def test_the_interface_example_is_low_risk():
    result = news2_score(
        respiratory_rate=18,
        spo2=96,
        on_oxygen=False,
        systolic_bp=128,
        pulse=72,
        consciousness="alert",
        temperature_c=36.8,
    )
    assert (result.total, result.risk) == (0, "low")


@pytest.mark.parametrize(
    ("rate", "points"), [(8, 3), (9, 1), (11, 1), (12, 0), (20, 0), (21, 2), (24, 2), (25, 3)]
)
def test_respiration_bands(rate, points):
    assert score(respiratory_rate=rate).parameters["respiratory_rate"] == points


@pytest.mark.parametrize(
    ("spo2", "points"), [(91, 3), (92, 2), (93, 2), (94, 1), (95, 1), (96, 0), (100, 0)]
)
def test_spo2_scale_1_bands(spo2, points):
    assert score(spo2=spo2).parameters["spo2"] == points


def test_supplemental_oxygen_scores_2():
    assert score(on_oxygen=True).parameters["air_or_oxygen"] == 2


@pytest.mark.parametrize(
    ("systolic", "points"),
    [(90, 3), (91, 2), (100, 2), (101, 1), (110, 1), (111, 0), (219, 0), (220, 3)],
)
def test_systolic_bands(systolic, points):
    assert score(systolic_bp=systolic).parameters["systolic_bp"] == points


@pytest.mark.parametrize(
    ("pulse", "points"),
    [(40, 3), (41, 1), (50, 1), (51, 0), (90, 0), (91, 1), (110, 1), (111, 2), (130, 2), (131, 3)],
)
def test_pulse_bands(pulse, points):
    assert score(pulse=pulse).parameters["pulse"] == points


@pytest.mark.parametrize("level", ["new_confusion", "voice", "pain", "unresponsive"])
def test_anything_but_alert_scores_3(level):
    assert score(consciousness=level).parameters["consciousness"] == 3


@pytest.mark.parametrize(
    ("temperature", "points"),
    [
        (35.0, 3),
        (35.1, 1),
        (36.0, 1),
        (36.1, 0),
        (38.0, 0),
        (38.1, 1),
        (39.0, 1),
        (39.1, 2),
        (36.04, 1),
        (36.05, 0),
    ],
)
def test_temperature_bands_after_rounding_to_one_decimal(temperature, points):
    assert score(temperature_c=temperature).parameters["temperature"] == points


@pytest.mark.parametrize(
    ("changes", "total", "risk"),
    [
        ({}, 0, "low"),
        ({"pulse": 95, "respiratory_rate": 22}, 3, "low"),
        ({"respiratory_rate": 25}, 3, "low_medium"),  # a single parameter scoring 3
        ({"pulse": 115, "respiratory_rate": 22, "spo2": 95}, 5, "medium"),
        ({"pulse": 115, "respiratory_rate": 22, "spo2": 94, "on_oxygen": True}, 7, "high"),
        ({"consciousness": "voice", "pulse": 115}, 5, "medium"),
    ],
)
def test_risk_bands(changes, total, risk):
    result = score(**changes)
    assert (result.total, result.risk) == (total, risk)


@pytest.mark.parametrize(
    "changes",
    [
        {"spo2": 101},
        {"spo2": -1},
        {"pulse": 0},
        {"systolic_bp": 400},
        {"temperature_c": 50},
        {"respiratory_rate": "fast"},
        {"consciousness": "drowsy"},
        {"on_oxygen": "no"},
        {"pulse": None},
        {"temperature_c": float("nan")},
    ],
)
def test_impossible_inputs_are_refused(changes):
    with pytest.raises(ValueError):
        score(**changes)


@given(
    rate=st.integers(0, 100),
    spo2=st.integers(0, 100),
    oxygen=st.booleans(),
    systolic=st.integers(1, 350),
    pulse=st.integers(1, 350),
    level=st.sampled_from(["alert", "new_confusion", "voice", "pain", "unresponsive"]),
    temperature=st.decimals(min_value=20, max_value=46, places=1),
)
def test_the_aggregate_stays_within_0_to_20(
    rate, spo2, oxygen, systolic, pulse, level, temperature
):
    result = news2_score(
        respiratory_rate=rate,
        spo2=spo2,
        on_oxygen=oxygen,
        systolic_bp=systolic,
        pulse=pulse,
        consciousness=level,
        temperature_c=temperature,
    )
    assert 0 <= result.total <= 20 and result.total == sum(result.parameters.values())
    assert result.risk in {"low", "low_medium", "medium", "high"}
