"""Every dangerous reading alerts: a boundary table for each vital-sign rule at the default limits
(each default and its source are in clinic.monitoring.limits), the stop levels, NEWS2 partial
scores and its single-parameter red flag (RCP NEWS2 2017), and properties: a reading inside every
limit raises nothing, and one just outside a limit always names it."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from clinic.monitoring.limits import Limits, check_during, check_pre_dose
from clinic.monitoring.news2 import news2_partial, news2_score

LIMITS = Limits()


def breaches(values, baseline=None, limits=LIMITS):
    return check_during(values, limits, baseline=baseline)


def named(values, baseline=None, limits=LIMITS):
    return [(b.parameter, b.stop) for b in breaches(values, baseline, limits)]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        # Low blood pressure (absolute): below 90; 90 itself is NEWS2's band scoring 3.
        ({"systolic_mmhg": 91}, []),
        ({"systolic_mmhg": 89}, [("systolic_mmhg", False)]),
        # High blood pressure: the stop level is at or above 180/100.
        ({"systolic_mmhg": 179}, []),
        ({"systolic_mmhg": 180}, [("systolic_mmhg", True)]),
        ({"diastolic_mmhg": 99}, []),
        ({"diastolic_mmhg": 100}, [("diastolic_mmhg", True)]),
        # Slow and fast breathing.
        ({"respiratory_rate_per_min": 10}, []),
        ({"respiratory_rate_per_min": 9}, [("respiratory_rate_per_min", False)]),
        ({"respiratory_rate_per_min": 24}, []),
        ({"respiratory_rate_per_min": 25}, [("respiratory_rate_per_min", False)]),
        # Low and high heart rate.
        ({"heart_rate_bpm": 50}, []),
        ({"heart_rate_bpm": 49}, [("heart_rate_bpm", False)]),
        ({"heart_rate_bpm": 110}, []),
        ({"heart_rate_bpm": 111}, [("heart_rate_bpm", False)]),
        # Low SpO₂: an alert below 92 %, a stop below 90 %.
        ({"spo2_pct": 92}, []),
        ({"spo2_pct": 91}, [("spo2_pct", False)]),
        ({"spo2_pct": 90}, [("spo2_pct", False)]),
        ({"spo2_pct": 89}, [("spo2_pct", True)]),
        # Consciousness below Alert (ACVPU); responds to pain or less is a stop.
        ({"consciousness": "alert"}, []),
        ({"consciousness": "new_confusion"}, [("consciousness", False)]),
        ({"consciousness": "voice"}, [("consciousness", False)]),
        ({"consciousness": "pain"}, [("consciousness", True)]),
        ({"consciousness": "unresponsive"}, [("consciousness", True)]),
        # NEWS2's single-parameter red flag where no protocol limit speaks (temperature).
        ({"temperature_c": Decimal("35.1")}, []),
        ({"temperature_c": Decimal("35.0")}, [("temperature_c", False)]),
        ({"systolic_mmhg": 90}, [("systolic_mmhg", False)]),
    ],
)
def test_each_rule_at_its_boundary(values, expected):
    assert named(values) == expected


@pytest.mark.parametrize(
    ("values", "baseline", "expected"),
    [
        # A systolic fall of more than 20 % from the pre-dose value.
        ({"systolic_mmhg": 120}, {"systolic_mmhg": 150}, []),
        ({"systolic_mmhg": 119}, {"systolic_mmhg": 150}, [("systolic_mmhg", False)]),
        # A rise of more than 30 %: systolic, diastolic and heart rate.
        ({"systolic_mmhg": 156}, {"systolic_mmhg": 120}, []),
        ({"systolic_mmhg": 157}, {"systolic_mmhg": 120}, [("systolic_mmhg", False)]),
        ({"diastolic_mmhg": 91}, {"diastolic_mmhg": 70}, []),
        ({"diastolic_mmhg": 92}, {"diastolic_mmhg": 70}, [("diastolic_mmhg", False)]),
        ({"heart_rate_bpm": 78}, {"heart_rate_bpm": 60}, []),
        ({"heart_rate_bpm": 79}, {"heart_rate_bpm": 60}, [("heart_rate_bpm", False)]),
    ],
)
def test_changes_from_the_patients_own_baseline(values, baseline, expected):
    assert named(values, baseline) == expected


def test_78_over_40_with_a_respiratory_rate_of_32_alerts_on_both():
    found = breaches(
        {"systolic_mmhg": 78, "diastolic_mmhg": 40, "respiratory_rate_per_min": 32},
        baseline={"systolic_mmhg": 128, "diastolic_mmhg": 80},
    )
    assert [b.parameter for b in found] == ["systolic_mmhg", "respiratory_rate_per_min"]
    assert "low blood pressure" in found[0].message and "fast breathing" in found[1].message
    assert all(b.source for b in found)


def test_every_breach_cites_its_source_and_a_stop_names_itself():
    found = breaches(
        {
            "systolic_mmhg": 190,
            "diastolic_mmhg": 110,
            "spo2_pct": 85,
            "consciousness": "unresponsive",
            "respiratory_rate_per_min": 6,
            "heart_rate_bpm": 140,
            "temperature_c": 34,
        }
    )
    assert {b.parameter for b in found if b.stop} == {
        "systolic_mmhg",
        "diastolic_mmhg",
        "spo2_pct",
        "consciousness",
    }
    assert all(b.source for b in found)
    # One breach per parameter: the stop level, not also "above 180".
    assert len({b.parameter for b in found}) == len(found)


def test_the_stop_levels_are_protocol_settings():
    limits = Limits(stop_systolic_mmhg=200, stop_consciousness="voice")
    assert named({"systolic_mmhg": 190}, limits=limits) == [("systolic_mmhg", False)]
    assert named({"consciousness": "voice"}, limits=limits) == [("consciousness", True)]


def test_a_wider_protocol_limit_still_meets_the_news2_red_flag():
    # The medical director allows a respiratory rate up to 30: 25 and above still scores 3.
    limits = Limits(respiratory_rate_max_per_min=30)
    found = breaches({"respiratory_rate_per_min": 26}, limits=limits)
    assert [b.parameter for b in found] == ["respiratory_rate_per_min"]
    assert found[0].message.startswith("NEWS2 red flag")


def test_before_dosing_the_blocking_limit_and_every_session_limit_apply():
    found = check_pre_dose({"systolic_mmhg": 150, "diastolic_mmhg": 85, "spo2_pct": 91}, LIMITS)
    assert [(b.parameter, b.blocks_dosing) for b in found] == [
        ("systolic_mmhg", True),
        ("spo2_pct", False),
    ]
    stop = check_pre_dose({"systolic_mmhg": 185}, LIMITS)
    assert [(b.blocks_dosing, b.stop) for b in stop] == [(True, False), (False, True)]


def test_the_protocols_defaults_are_the_rules_defaults():
    from clinic.monitoring.models import MonitoringProtocol

    assert MonitoringProtocol(route="iv").limits() == Limits()


# --- NEWS2 with a parameter missing --------------------------------------------------------
def test_a_reading_without_temperature_has_a_partial_score_marked_incomplete():
    result = news2_partial(
        respiratory_rate=18,
        spo2=96,
        on_oxygen=False,
        systolic_bp=128,
        pulse=95,
        consciousness="alert",
    )
    assert not result.complete and result.missing == ("temperature",)
    assert result.total == 1 and result.missing_labels == "temperature"


def test_a_partial_score_still_raises_the_single_parameter_red_flag():
    result = news2_partial(spo2=91)
    assert result.red_flags == ["spo2"] and result.any_single_three
    assert set(result.missing) == {
        "respiratory_rate",
        "systolic_bp",
        "pulse",
        "consciousness",
        "temperature",
    }


readings = st.fixed_dictionaries(
    {
        "respiratory_rate": st.integers(0, 60),
        "spo2": st.integers(50, 100),
        "on_oxygen": st.booleans(),
        "systolic_bp": st.integers(40, 260),
        "pulse": st.integers(20, 200),
        "consciousness": st.sampled_from(
            ["alert", "new_confusion", "voice", "pain", "unresponsive"]
        ),
        "temperature_c": st.decimals("30.0", "43.0", places=1),
    }
)


@given(readings)
def test_a_complete_partial_score_is_the_score(values):
    partial = news2_partial(**values)
    full = news2_score(**values)
    assert partial.complete and (partial.total, partial.risk) == (full.total, full.risk)


@given(readings, st.sets(st.sampled_from(["respiratory_rate", "spo2", "systolic_bp", "pulse"])))
def test_a_partial_total_never_exceeds_the_full_one(values, dropped):
    partial = news2_partial(**{k: (None if k in dropped else v) for k, v in values.items()})
    assert partial.total <= news2_score(**values).total
    assert set(partial.red_flags) <= set(news2_score(**values).red_flags)


# --- properties -----------------------------------------------------------------------------
def inside(limits: Limits):
    """Values within every limit of `limits` (and outside every NEWS2 band scoring 3), each of
    them possibly not recorded."""

    def maybe(strategy):
        return st.one_of(st.none(), strategy)

    return st.fixed_dictionaries(
        {
            "systolic_mmhg": maybe(
                st.integers(
                    max(limits.systolic_min_mmhg, 91),
                    min(limits.systolic_max, limits.stop_systolic_mmhg - 1, 219),
                )
            ),
            "diastolic_mmhg": maybe(
                st.integers(30, min(limits.diastolic_max, limits.stop_diastolic_mmhg - 1))
            ),
            "heart_rate_bpm": maybe(
                st.integers(max(limits.heart_rate_min, 41), min(limits.heart_rate_max, 130))
            ),
            "spo2_pct": maybe(
                st.integers(max(limits.spo2_min, limits.stop_spo2_below_pct, 92), 100)
            ),
            "respiratory_rate_per_min": maybe(
                st.integers(
                    max(limits.respiratory_rate_min, 9),
                    min(limits.respiratory_rate_max_per_min, 24),
                )
            ),
            "consciousness": maybe(st.just("alert")),
            "temperature_c": maybe(st.decimals("35.1", "41.0", places=1)),
            "on_supplemental_oxygen": st.booleans(),
        }
    ).map(lambda values: {k: v for k, v in values.items() if v is not None})


@given(inside(LIMITS))
def test_a_reading_inside_every_default_limit_raises_nothing(values):
    assert breaches(values) == []


@given(inside(dataclasses.replace(LIMITS, systolic_max=140, diastolic_max=90)))
def test_a_pre_dose_reading_inside_every_limit_raises_nothing(values):
    assert check_pre_dose(values, LIMITS) == []


protocols = st.builds(
    Limits,
    systolic_max=st.integers(140, 220),
    diastolic_max=st.integers(80, 130),
    heart_rate_max=st.integers(90, 150),
    heart_rate_min=st.integers(35, 60),
    spo2_min=st.integers(85, 96),
    respiratory_rate_min=st.integers(6, 12),
    systolic_min_mmhg=st.integers(80, 110),
    respiratory_rate_max_per_min=st.integers(20, 30),
    stop_systolic_mmhg=st.integers(160, 240),
    stop_diastolic_mmhg=st.integers(90, 140),
    stop_spo2_below_pct=st.integers(80, 92),
    baseline_rise_percent=st.integers(10, 60),
    baseline_fall_percent=st.integers(10, 40),
)


@given(protocols, st.data())
def test_a_reading_inside_every_limit_of_any_protocol_raises_nothing(limits, data):
    values = data.draw(inside(limits))
    assert breaches(values, limits=limits) == []


@given(
    st.integers(100, 160),
    st.integers(60, 95),
    st.integers(55, 100),
    st.floats(0.81, 1.29),
)
def test_a_reading_near_its_own_baseline_raises_nothing(systolic, diastolic, pulse, factor):
    baseline = {"systolic_mmhg": systolic, "diastolic_mmhg": diastolic, "heart_rate_bpm": pulse}
    values = {name: round(value * factor) for name, value in baseline.items()}
    assume(not breaches(values))  # inside the absolute limits
    assert breaches(values, baseline=baseline) == []


@given(
    protocols,
    st.sampled_from(["low_bp", "high_bp", "slow_rr", "fast_rr", "low_hr", "high_hr", "low_spo2"]),
)
def test_a_value_just_outside_a_limit_always_names_it(limits, which):
    name, value = {
        "low_bp": ("systolic_mmhg", limits.systolic_min_mmhg - 1),
        "high_bp": ("systolic_mmhg", limits.systolic_max + 1),
        "slow_rr": ("respiratory_rate_per_min", limits.respiratory_rate_min - 1),
        "fast_rr": ("respiratory_rate_per_min", limits.respiratory_rate_max_per_min + 1),
        "low_hr": ("heart_rate_bpm", limits.heart_rate_min - 1),
        "high_hr": ("heart_rate_bpm", limits.heart_rate_max + 1),
        "low_spo2": ("spo2_pct", limits.spo2_min - 1),
    }[which]
    assert [b.parameter for b in breaches({name: value}, limits=limits)] == [name]


def test_limits_are_frozen_protocol_data():
    with pytest.raises(dataclasses.FrozenInstanceError):
        LIMITS.systolic_min_mmhg = 80  # type: ignore[misc]
