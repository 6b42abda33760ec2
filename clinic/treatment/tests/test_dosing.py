"""Weight-based dosing (pure, no database).

Source for every expected value below: clinical-reference §7.1 — Devine (1974) ideal body weight,
male 50 kg + 2.3 kg per inch over 60 in, female 45.5 kg + 2.3 kg per inch over 60 in; adjusted
weight = ideal + 0.4 × (actual − ideal) [VERIFIED: creatinineclearance.com, mdtools.org]. The
expected numbers are worked by hand in the comments, not computed with the code under test.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clinic.treatment.dosing import calculate_dose

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


# Devine worked examples (clinical-reference §7.1), by hand:
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
