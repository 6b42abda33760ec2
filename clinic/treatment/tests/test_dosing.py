"""Weight-based dosing (pure, no database).

Source for every expected value below: Devine (1974) ideal body weight,
male 50 kg + 2.3 kg per inch over 60 in, female 45.5 kg + 2.3 kg per inch over 60 in; adjusted
weight = ideal + 0.4 × (actual − ideal) [VERIFIED: creatinineclearance.com, mdtools.org]. The
expected numbers are worked by hand in the comments, not computed with the code under test.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clinic.treatment.dosing import (
    calculate_dose,
    dose_for_plan,
    fixed_dose_problems,
    infusion_rates,
    weight_based_problems,
)

TENTH = Decimal("0.1")


def dose(**overrides):
    arguments = {
        "weight_kg": 70,
        "height_cm": 175,
        "sex": "male",
        "mg_per_kg": "0.5",
        "basis": "actual",
    }
    arguments.update(overrides)
    return calculate_dose(**arguments)


def round_half_up(value: Decimal) -> Decimal:
    return value.quantize(TENTH, ROUND_HALF_UP)


def test_interface_example():
    result = calculate_dose(weight_kg=70, height_cm=175, sex="male", mg_per_kg=0.5, basis="actual")
    assert result.mg == Decimal("35.0")
    assert result.basis_weight_kg == Decimal("70.0")
    assert result.basis == "actual"
    assert result.working == "0.5 mg/kg × 70.0 kg (actual body weight) = 35.0 mg"


# Devine worked examples, by hand:
# male 175 cm: 175 / 2.54 = 68.8976 in → 50 + 2.3 × 8.8976 = 70.4646 → 70.5 kg
# female 175 cm: 45.5 + 2.3 × 8.8976 = 65.9646 → 66.0 kg
# female 160 cm: 160 / 2.54 = 62.9921 in → 45.5 + 2.3 × 2.9921 = 52.3819 → 52.4 kg
# male 160 cm: 50 + 2.3 × 2.9921 = 56.8819 → 56.9 kg
# exactly 60 in = 152.4 cm → the base weight: 50.0 (male), 45.5 (female)
# male 190 cm: 190 / 2.54 = 74.8031 in → 50 + 2.3 × 14.8031 = 84.0472 → 84.0 kg
# female 140 cm (below 60 in, line extended): 55.1181 in → 45.5 − 2.3 × 4.8819 = 34.2717 → 34.3
DEVINE_EXAMPLES = [
    ("male", 175, "70.5"),
    ("female", 175, "66.0"),
    ("female", 160, "52.4"),
    ("male", 160, "56.9"),
    ("male", "152.4", "50.0"),
    ("female", "152.4", "45.5"),
    ("male", 190, "84.0"),
    ("female", 140, "34.3"),
]


@pytest.mark.parametrize(("sex", "height_cm", "ideal_kg"), DEVINE_EXAMPLES)
def test_devine_ideal_body_weight(sex, height_cm, ideal_kg):
    result = dose(sex=sex, height_cm=height_cm, weight_kg=100, basis="ideal")
    assert result.ideal_weight_kg == Decimal(ideal_kg)
    assert result.basis_weight_kg == Decimal(ideal_kg)


def test_obese_female_ideal_and_adjusted():
    # female 165 cm, 120 kg: 165 / 2.54 = 64.9606 in → ideal 45.5 + 2.3 × 4.9606 = 56.9094 kg;
    # adjusted 56.9094 + 0.4 × (120 − 56.9094) = 82.1457 kg.
    ideal = dose(sex="female", height_cm=165, weight_kg=120, basis="ideal")
    assert ideal.ideal_weight_kg == Decimal("56.9")
    assert ideal.adjusted_weight_kg == Decimal("82.1")
    assert ideal.actual_weight_kg == Decimal("120.0")
    assert ideal.mg == Decimal("28.5")  # 0.5 × 56.9094 = 28.4547
    adjusted = dose(sex="female", height_cm=165, weight_kg=120, basis="adjusted")
    assert adjusted.basis_weight_kg == Decimal("82.1")
    assert adjusted.mg == Decimal("41.1")  # 0.5 × 82.1457 = 41.0728
    actual = dose(sex="female", height_cm=165, weight_kg=120, basis="actual")
    assert actual.mg == Decimal("60.0")
    assert "(adjusted body weight)" in adjusted.working


def test_dose_rounds_half_up_to_a_tenth():
    # 0.5 × 70.3 = 35.15 → 35.2 (banker's rounding would give 35.2 too, so also check .25)
    assert dose(weight_kg="70.3").mg == Decimal("35.2")
    # 0.5 × 70.5 = 35.25 → 35.3 (half even would give 35.2)
    assert dose(weight_kg="70.5").mg == Decimal("35.3")
    # 0.25 × 70.2 = 17.55 → 17.6; 0.25 × 70.1 = 17.525 → 17.5
    assert dose(weight_kg="70.2", mg_per_kg="0.25").mg == Decimal("17.6")
    assert dose(weight_kg="70.1", mg_per_kg="0.25").mg == Decimal("17.5")


def test_float_inputs_are_read_as_written():
    # 70.3 as a float is 70.29999…; read through str() it is exactly 70.3.
    assert dose(weight_kg=70.3, mg_per_kg=0.5).mg == Decimal("35.2")


@pytest.mark.parametrize("height_cm", [100, 250, "100.0", "250"])
def test_height_bounds_accepted(height_cm):
    assert dose(height_cm=height_cm).mg == Decimal("35.0")


@pytest.mark.parametrize("height_cm", ["99.9", "250.1", 0, -170])
def test_height_outside_range_rejected(height_cm):
    with pytest.raises(ValueError, match="height_cm must be between 100 and 250"):
        dose(height_cm=height_cm)


@pytest.mark.parametrize("weight_kg", [0, -1, "0.0"])
def test_weight_zero_or_less_rejected(weight_kg):
    with pytest.raises(ValueError, match="weight_kg must be more than 0"):
        dose(weight_kg=weight_kg)


def test_small_weight_accepted():
    result = dose(weight_kg="0.1")
    assert result.mg == Decimal("0.1")  # 0.5 × 0.1 = 0.05 → 0.1 half up


@pytest.mark.parametrize("mg_per_kg", [0, "-0.5"])
def test_mg_per_kg_zero_or_less_rejected(mg_per_kg):
    with pytest.raises(ValueError, match="mg_per_kg must be more than 0"):
        dose(mg_per_kg=mg_per_kg)


@pytest.mark.parametrize("basis", ["median", "", "Actual", None])
def test_unknown_basis_rejected(basis):
    with pytest.raises(ValueError, match="basis must be"):
        dose(basis=basis)


@pytest.mark.parametrize("basis", ["ideal", "adjusted"])
@pytest.mark.parametrize("sex", ["other", "", None, "Male"])
def test_unknown_sex_rejected_for_ideal_and_adjusted(basis, sex):
    with pytest.raises(ValueError, match="sex must be"):
        dose(sex=sex, basis=basis)


@pytest.mark.parametrize("sex", ["other", None])
def test_actual_basis_needs_no_sex(sex):
    assert dose(sex=sex, basis="actual").mg == Decimal("35.0")


def test_working_checks_by_hand():
    result = dose(basis="ideal")
    assert round_half_up(result.mg_per_kg * result.basis_weight_kg) == result.mg


def test_basis_weight_zero_or_less_rejected():
    # female 100 cm: 39.3701 in → 45.5 − 2.3 × 20.6299 = −1.9488 kg ideal weight
    with pytest.raises(ValueError, match="0 kg or less"):
        dose(sex="female", height_cm=100, basis="ideal")


@pytest.mark.parametrize("field", ["weight_kg", "height_cm", "mg_per_kg"])
@pytest.mark.parametrize("bad", ["abc", None, True, False, [], "", "nan", "Infinity"])
def test_non_numeric_input_rejected_with_clear_message(field, bad):
    with pytest.raises(ValueError, match=rf"^{field} must be a (finite )?number"):
        dose(**{field: bad})


def test_numeric_strings_accepted():
    result = dose(weight_kg="70", height_cm="175", mg_per_kg="0.5")
    assert result.mg == Decimal("35.0")
    assert result.ideal_weight_kg == Decimal("70.5")


@given(
    weight=st.decimals(min_value=20, max_value=300, places=1),
    height=st.decimals(min_value=100, max_value=250, places=1),
    mg_per_kg=st.decimals(min_value="0.05", max_value=3, places=2),
    sex=st.sampled_from(["male", "female"]),
)
def test_property_actual_dose_and_adjusted_between(weight, height, mg_per_kg, sex):
    result = calculate_dose(
        weight_kg=weight, height_cm=height, sex=sex, mg_per_kg=mg_per_kg, basis="actual"
    )
    assert result.mg == round_half_up(mg_per_kg * weight)
    assert result.basis_weight_kg == round_half_up(weight)
    low, high = sorted([result.ideal_weight_kg, result.actual_weight_kg])
    assert low <= result.adjusted_weight_kg <= high


# --- an ideal or adjusted weight above the actual weight is not used ----------------------------
# "Use IBW unless total body weight is less" (Columbia University Medical Center aminoglycoside
# guideline, 2005). Male 190 cm: ideal 84.0472 kg, shown 84.0 kg (worked above).
# Adjusted for 83.9 kg: 84.0472 + 0.4 × (83.9 − 84.0472) = 83.9883 → 84.0 kg, above 83.9.
WEIGHT_BASIS_EDGES = [
    # (basis, actual kg, weight used, capped)
    ("ideal", "84.1", "84.0", False),
    ("ideal", "84.0", "84.0", False),
    ("ideal", "83.9", "83.9", True),
    ("ideal", "50", "50.0", True),
    # Above the ideal, adjusted lies between: 84.0472 + 0.4 × 0.0528 = 84.0683 → 84.1 kg.
    ("adjusted", "84.1", "84.1", False),
    ("adjusted", "83.9", "83.9", True),
    ("adjusted", "50", "50.0", True),
    ("actual", "50", "50.0", False),
]


@pytest.mark.parametrize(("basis", "actual", "used", "capped"), WEIGHT_BASIS_EDGES)
def test_a_basis_above_the_actual_weight_is_replaced_by_the_actual_weight(
    basis, actual, used, capped
):
    result = dose(sex="male", height_cm=190, weight_kg=actual, basis=basis)
    assert result.basis_weight_kg == Decimal(used)
    assert result.capped_at_actual_weight is capped
    assert result.basis == basis
    assert bool(result.note) is capped


def test_a_light_tall_patient_on_ideal_weight_gets_the_actual_weight_dose():
    # 50 kg, 190 cm man, 0.5 mg/kg "ideal": the ideal 84.0 kg would give 42.0 mg = 0.84 mg/kg of
    # his real weight; the actual weight gives 0.5 × 50.0 = 25.0 mg.
    result = dose(sex="male", height_cm=190, weight_kg=50, basis="ideal")
    assert result.mg == Decimal("25.0")
    assert result.basis_weight_kg == Decimal("50.0")
    assert result.ideal_weight_kg == Decimal("84.0")
    assert result.working == (
        "0.5 mg/kg × 50.0 kg (actual body weight: ideal body weight 84.0 kg is above the actual "
        "weight, so the actual weight is used) = 25.0 mg"
    )


@given(
    weight=st.decimals(min_value=20, max_value=300, places=1),
    height=st.decimals(min_value=140, max_value=250, places=1),
    mg_per_kg=st.decimals(min_value="0.05", max_value=3, places=2),
    sex=st.sampled_from(["male", "female"]),
    basis=st.sampled_from(["actual", "ideal", "adjusted"]),
)
def test_property_no_basis_gives_more_per_kg_of_actual_weight_than_prescribed(
    weight, height, mg_per_kg, sex, basis
):
    result = calculate_dose(
        weight_kg=weight, height_cm=height, sex=sex, mg_per_kg=mg_per_kg, basis=basis
    )
    assert result.basis_weight_kg <= result.actual_weight_kg
    assert result.mg <= round_half_up(mg_per_kg * result.actual_weight_kg)


# --- pump settings ------------------------------------------------------------------------------
def rates(**overrides):
    arguments = {
        "dose_mg": "40",
        "minutes": 40,
        "weight_kg": 80,
        "concentration_mg_per_ml": 10,
        "bag_volume_ml": 100,
    }
    arguments.update(overrides)
    return infusion_rates(**arguments)


def test_worked_pump_example():
    # 80 kg, 0.5 mg/kg over 40 min = 40 mg: 4 mL of 10 mg/mL added to 100 mL = 104 mL;
    # 104 ÷ 40 × 60 = 156 mL/h; 40 × 60 ÷ 40 = 60 mg/h; 60 ÷ 80 = 0.75 mg/kg/h.
    result = rates()
    assert result.drug_volume_ml == Decimal("4.0")
    assert result.total_volume_ml == Decimal("104.0")
    assert result.ml_per_hour == Decimal("156.0")
    assert result.mg_per_hour == Decimal("60.0")
    assert result.mg_per_kg_per_hour == Decimal("0.75")
    # 100 mg/mL: 0.4 mL; 100.4 ÷ 40 × 60 = 150.6 mL/h.
    assert rates(concentration_mg_per_ml=100).ml_per_hour == Decimal("150.6")
    assert "40 mg ÷ 10 mg/mL = 4.0 mL to draw" in result.working
    assert "156.0 mL/h" in result.working


def test_pump_values_round_half_up():
    # 35.0 mg of 50 mg/mL = 0.7 mL; 100.7 mL × 60 ÷ 40 = 151.05 → 151.1 (half even: 151.0).
    assert rates(dose_mg="35.0", concentration_mg_per_ml=50).ml_per_hour == Decimal("151.1")
    # 10 mg over 60 min for 80 kg: 0.125 mg/kg/h → 0.13 (half even: 0.12).
    assert rates(dose_mg=10, minutes=60).mg_per_kg_per_hour == Decimal("0.13")
    # 0.25 mg/h → 0.3: 1 mg over 240 min.
    assert rates(dose_mg=1, minutes=240).mg_per_hour == Decimal("0.3")
    # 0.25 mL → 0.3: 2.5 mg of 10 mg/mL.
    assert rates(dose_mg="2.5").drug_volume_ml == Decimal("0.3")


@pytest.mark.parametrize(
    "field", ["dose_mg", "minutes", "weight_kg", "concentration_mg_per_ml", "bag_volume_ml"]
)
@pytest.mark.parametrize("bad", [0, "-1", "0.0"])
def test_pump_refuses_zero_or_negative(field, bad):
    with pytest.raises(ValueError, match=f"^{field} must be more than 0"):
        rates(**{field: bad})


@pytest.mark.parametrize("bad", ["abc", None, True, "nan"])
def test_pump_refuses_non_numbers(bad):
    with pytest.raises(ValueError, match=r"^minutes must be a"):
        rates(minutes=bad)


@pytest.mark.parametrize(("minutes", "allowed"), [(1440, True), ("1440.1", False), (1441, False)])
def test_pump_refuses_more_than_24_hours(minutes, allowed):
    if allowed:
        assert rates(minutes=minutes).mg_per_hour == Decimal("1.7")  # 40 × 60 ÷ 1440 = 1.667
    else:
        with pytest.raises(ValueError, match="at most 24 hours"):
            rates(minutes=minutes)


@given(
    dose_mg=st.decimals(min_value="0.1", max_value=2000, places=1),
    minutes=st.integers(min_value=1, max_value=1440),
    weight=st.decimals(min_value=20, max_value=300, places=1),
    concentration=st.sampled_from([Decimal(10), Decimal(50), Decimal(100), Decimal("1")]),
    bag=st.sampled_from([Decimal(50), Decimal(100), Decimal(250), Decimal(500)]),
)
def test_property_rate_arithmetic_round_trips(dose_mg, minutes, weight, concentration, bag):
    result = infusion_rates(
        dose_mg=dose_mg,
        minutes=minutes,
        weight_kg=weight,
        concentration_mg_per_ml=concentration,
        bag_volume_ml=bag,
    )
    hours = Decimal(minutes) / 60
    # Rounded half up, each value is at most half its last place off, over the hours given
    # (plus a hair for the recurring decimal of minutes ÷ 60).
    hair = Decimal("1e-9")
    assert abs(result.mg_per_hour * hours - dose_mg) <= Decimal("0.05") * hours + hair
    assert abs(result.mg_per_hour * minutes / 60 - dose_mg) <= Decimal("0.05") * hours + hair
    assert (
        abs(result.ml_per_hour * hours - result.total_volume_ml) <= Decimal("0.05") * hours + hair
    )
    assert abs(result.mg_per_kg_per_hour * weight * hours - dose_mg) <= (
        Decimal("0.005") * weight * hours + hair
    )
    assert abs(result.drug_volume_ml * concentration - dose_mg) <= Decimal("0.05") * concentration


# --- checks against the protocol ----------------------------------------------------------------
# Mood (Sanacora 2017): 0.1–0.75 mg/kg, 40–100 min, ceiling 1.5 mg/kg/h (clinic policy).
MOOD = {
    "minimum_mg_per_kg": "0.1",
    "maximum_mg_per_kg": "0.75",
    "minimum_infusion_minutes": 40,
    "maximum_infusion_minutes": 100,
    "maximum_mg_per_kg_per_hour": "1.5",
}
# Pain (Cohen et al. 2018): session range as seeded 0.5–8 mg/kg, 120–300 min, 2 mg/kg/h,
# bolus 0.35 mg/kg (a dose over 15 min or less: clinic policy).
PAIN = {
    "minimum_mg_per_kg": "0.5",
    "maximum_mg_per_kg": "8.0",
    "minimum_infusion_minutes": 120,
    "maximum_infusion_minutes": 300,
    "maximum_mg_per_kg_per_hour": "2.0",
    "maximum_bolus_mg_per_kg": "0.35",
    "bolus_up_to_minutes": 15,
}


def problems(limits, *, dose_mg, weight, minutes, prescribed=None):
    return weight_based_problems(
        prescribed_mg_per_kg=prescribed or Decimal(dose_mg) / Decimal(weight),
        dose_mg=dose_mg,
        actual_weight_kg=weight,
        infusion_minutes=minutes,
        **limits,
    )


RATE_EDGES = [
    # (limits, dose mg, kg, minutes, prescribed mg/kg, expected problem fragments)
    (MOOD, "35.0", 70, 40, "0.5", []),  # 0.75 mg/kg/h
    (MOOD, "52.5", 70, 40, "0.75", []),  # 1.125 → 1.13 mg/kg/h
    (MOOD, "52.5", 70, 1, "0.75", ["shorter than", "45.00 mg/kg/h"]),  # 0.75 mg/kg over 1 min
    (MOOD, "35.0", 70, 39, "0.5", ["shorter than the protocol's 40 min"]),
    (MOOD, "35.0", 70, 100, "0.5", []),
    (MOOD, "35.0", 70, 101, "0.5", ["longer than the protocol's 100 min"]),
    # 120 kg, 960 mg over 120 min = 4 mg/kg/h: within 8 mg/kg a session, twice the hourly ceiling.
    (PAIN, "960", 120, 120, "8", ["4.00 mg/kg/h", "ceiling of 2 mg/kg/h"]),
    (PAIN, "480", 120, 120, "4", []),  # 2.00 mg/kg/h
    (PAIN, "481", 120, 120, "4", []),  # 2.0042 → 2.00
    (PAIN, "482", 120, 120, "4", ["2.01 mg/kg/h"]),  # 2.0083 → 2.01
    (PAIN, "80", 80, 119, "1", ["shorter than the protocol's 120 min"]),
    (PAIN, "80", 80, 300, "1", []),
    (PAIN, "80", 80, 301, "1", ["longer than the protocol's 300 min"]),
    # A bolus over 5 min: 0.35 × 80 = 28.0 mg is at the bolus ceiling, 28.1 above it.
    (PAIN, "28.0", 80, 5, "0.5", ["shorter than", "4.20 mg/kg/h"]),
    (PAIN, "28.1", 80, 5, "0.5", ["shorter than", "bolus ceiling of 0.35 mg/kg", "mg/kg/h"]),
    (PAIN, "28.1", 80, 15, "0.5", ["shorter than", "bolus ceiling", "1.41 mg/kg/h"][:2]),
    (PAIN, "28.1", 80, 16, "0.5", ["shorter than"]),  # 16 min is an infusion, not a bolus
]


@pytest.mark.parametrize(("limits", "dose_mg", "kg", "minutes", "per_kg", "fragments"), RATE_EDGES)
def test_rate_and_duration_edges(limits, dose_mg, kg, minutes, per_kg, fragments):
    found = problems(limits, dose_mg=dose_mg, weight=kg, minutes=minutes, prescribed=per_kg)
    text = " ".join(found)
    assert bool(found) is bool(fragments), found
    for fragment in fragments:
        assert fragment in text
    if not any("bolus" in fragment for fragment in fragments):
        assert "bolus" not in text


ACTUAL_WEIGHT_EDGES = [
    # 50 kg, 0.75 mg/kg at most = 37.5 mg; 0.1 mg/kg at least = 5.0 mg.
    ("37.5", []),
    ("37.6", ["0.75 mg/kg of the actual weight (50 kg), above"]),
    ("42.0", ["0.84 mg/kg of the actual weight (50 kg), above"]),
    ("5.0", []),
    ("4.9", ["0.10 mg/kg of the actual weight (50 kg), below"]),  # 0.098 shown as 0.10
]


@pytest.mark.parametrize(("dose_mg", "fragments"), ACTUAL_WEIGHT_EDGES)
def test_the_dose_is_checked_as_mg_per_kg_of_the_actual_weight(dose_mg, fragments):
    # Prescribed 0.5 mg/kg of some other weight: only the actual-weight check can object.
    found = problems(MOOD, dose_mg=dose_mg, weight=50, minutes=None, prescribed="0.5")
    assert [f for f in fragments if f not in " ".join(found)] == []
    assert bool(found) is bool(fragments)


@pytest.mark.parametrize(
    ("prescribed", "outside"), [("0.1", False), ("0.099", True), ("0.75", False), ("0.751", True)]
)
def test_the_prescribed_mg_per_kg_is_checked_against_the_range(prescribed, outside):
    found = weight_based_problems(
        prescribed_mg_per_kg=prescribed,
        dose_mg="10",
        actual_weight_kg=40,
        minimum_mg_per_kg="0.1",
        maximum_mg_per_kg="0.75",
    )
    assert any("outside the protocol's range" in f for f in found) is outside


@given(
    weight=st.decimals(min_value=20, max_value=300, places=1),
    height=st.decimals(min_value=140, max_value=250, places=1),
    mg_per_kg=st.decimals(min_value="0.05", max_value=3, places=2),
    maximum=st.decimals(min_value="0.1", max_value=3, places=2),
    sex=st.sampled_from(["male", "female"]),
    basis=st.sampled_from(["actual", "ideal", "adjusted"]),
)
def test_property_a_dose_within_the_protocol_never_exceeds_its_mg_per_kg_of_actual_weight(
    weight, height, mg_per_kg, maximum, sex, basis
):
    result = calculate_dose(
        weight_kg=weight, height_cm=height, sex=sex, mg_per_kg=mg_per_kg, basis=basis
    )
    found = weight_based_problems(
        prescribed_mg_per_kg=mg_per_kg,
        dose_mg=result.mg,
        actual_weight_kg=result.actual_weight_kg,
        minimum_mg_per_kg="0.01",
        maximum_mg_per_kg=maximum,
    )
    if not found:
        # At most the protocol's mg/kg of the actual weight, to the 0.1 mg the dose is given in.
        assert result.mg <= round_half_up(maximum * result.actual_weight_kg)
        assert result.mg / result.actual_weight_kg <= maximum + Decimal("0.05") / weight
    if mg_per_kg > maximum:
        assert found


@given(
    weight=st.decimals(min_value=20, max_value=300, places=1),
    per_kg=st.decimals(min_value="0.1", max_value=8, places=2),
    minutes=st.integers(min_value=1, max_value=1440),
)
def test_property_a_dose_within_the_protocol_never_exceeds_its_rate(weight, per_kg, minutes):
    dose_mg = round_half_up(per_kg * weight)
    found = problems(PAIN, dose_mg=dose_mg, weight=weight, minutes=minutes, prescribed=per_kg)
    rate = dose_mg * 60 / minutes / weight
    if not found:
        assert rate < Decimal("2.005")
        assert dose_mg <= round_half_up(Decimal(8) * weight)


# --- esketamine ---------------------------------------------------------------------------------
# US label: 28 mg devices, doses 56 or 84 mg, day 1 56 mg. From 65 (UK SmPC): 28, 56 or 84 mg,
# day 1 28 mg. Steps of one device.
US = {"device_mg": 28, "allowed_doses_mg": [56, 84], "first_session_dose_mg": 56}
OLDER = {"device_mg": 28, "allowed_doses_mg": [28, 56, 84], "first_session_dose_mg": 28}
ESKETAMINE_STEPS = [
    (US, 56, [], []),
    (US, 84, [], ["first session is 56 mg"]),
    (US, 28, [], ["not one of the protocol's doses (56, 84 mg)", "first session is 56 mg"]),
    (US, 70, [], ["not a whole number of 28 mg devices", "not one of", "first session"]),
    (US, 56, [56], []),
    (US, 84, [56], []),
    (US, 84, [84, 56], []),
    (US, 56, [84], []),
    (US, 112, [84], ["not one of the protocol's doses"]),
    (US, 84, [28], ["more than one 28 mg device above the largest dose given so far (28 mg)"]),
    (OLDER, 28, [], []),
    (OLDER, 56, [], ["first session is 28 mg"]),
    (OLDER, 56, [28], []),
    (OLDER, 84, [28], ["more than one 28 mg device above"]),
    (OLDER, 84, [28, 56], []),
]


@pytest.mark.parametrize(("limits", "dose_mg", "given_mg", "fragments"), ESKETAMINE_STEPS)
def test_esketamine_devices_doses_and_steps(limits, dose_mg, given_mg, fragments):
    found = fixed_dose_problems(dose_mg=dose_mg, doses_given_mg=given_mg, **limits)
    text = " ".join(found)
    assert bool(found) is bool(fragments), found
    assert [f for f in fragments if f not in text] == []


# --- dose_for_plan: a plan version's dose with its working --------------------------------------
def _plan(**fields):
    base = {
        "dose_unit": "mg_per_kg",
        "dose": Decimal("0.5"),
        "dose_mg": None,
        "weight_basis": "actual",
        "height_cm": None,
        "number": 3,
    }
    return SimpleNamespace(**{**base, **fields})


def test_a_plan_dose_is_worked_from_todays_weight_and_says_so():
    working = dose_for_plan(_plan(), weight_kg=Decimal("70"), height_cm=None, sex="female")
    assert working.dose_mg == Decimal("35.0")
    assert "plan version 3" in working.working
    assert "today's weight 70.0 kg" in working.working


def test_a_fixed_plan_dose_needs_no_weight():
    plan = _plan(dose_unit="fixed_mg", dose=None, dose_mg=Decimal("56"))
    working = dose_for_plan(plan, weight_kg=None, height_cm=None, sex="male")
    assert working.dose_mg == Decimal("56")
    assert working.working.startswith("Fixed dose of 56 mg")


@pytest.mark.parametrize(
    ("plan", "weight", "message"),
    [
        (_plan(), None, "Record today's weight first."),
        (
            _plan(weight_basis="ideal"),
            Decimal("70"),
            "ideal body weight needs the patient's height",
        ),
    ],
)
def test_a_plan_dose_refuses_what_it_cannot_work_out(plan, weight, message):
    with pytest.raises(ValueError, match=message):
        dose_for_plan(plan, weight_kg=weight, height_cm=None, sex="female")


def test_the_plans_recorded_height_serves_when_the_patient_has_none():
    plan = _plan(weight_basis="ideal", height_cm=Decimal("170"))
    working = dose_for_plan(plan, weight_kg=Decimal("90"), height_cm=None, sex="female")
    assert working.dose_mg < Decimal("45.0")  # ideal weight of a 170 cm woman is below 90 kg
