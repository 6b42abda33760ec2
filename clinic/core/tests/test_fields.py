"""Heights and weights typed in lb or ft + in: converted exactly, stored at one decimal, refused in
the unit typed, and what was typed kept on a refused form."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django import forms
from hypothesis import given
from hypothesis import strategies as st

from clinic.core.fields import (
    HEIGHT_RANGE_CM,
    WEIGHT_RANGE_KG,
    HeightField,
    WeightField,
    centimetres_to_feet_and_inches,
    convert_height,
    convert_weight,
    feet_and_inches_to_centimetres,
    kilograms_to_pounds,
    pounds_to_kilograms,
)


class MeasuredForm(forms.Form):
    height_cm = HeightField()
    weight_kg = WeightField()
    note = forms.CharField(max_length=5, required=False)


tenths = st.decimals(min_value=Decimal("20.0"), max_value=Decimal("350.0"), places=1)


@given(kilograms=tenths)
def test_a_weight_in_kg_survives_the_round_trip_through_pounds(kilograms):
    # One decimal of a pound (45 g) is finer than one decimal of a kilogram (100 g).
    assert pounds_to_kilograms(kilograms_to_pounds(kilograms)) == kilograms


@given(centimetres=st.decimals(min_value=Decimal("50.0"), max_value=Decimal("250.0"), places=1))
def test_a_height_in_cm_survives_the_round_trip_through_feet_and_inches(centimetres):
    feet, inches = centimetres_to_feet_and_inches(centimetres)
    assert 0 <= inches < 12
    # A tenth of an inch is 0.254 cm: the round trip lands within a quarter of a millimetre-step.
    assert abs(feet_and_inches_to_centimetres(Decimal(feet), inches) - centimetres) <= Decimal(
        "0.2"
    )


@given(pounds=st.decimals(min_value=Decimal("44.1"), max_value=Decimal("771.6"), places=2))
def test_every_weight_typed_in_pounds_is_stored_within_range_at_one_decimal(pounds):
    converted = convert_weight(pounds, "lb")
    assert converted is not None and converted.metric is not None
    low, high = WEIGHT_RANGE_KG
    assert low <= converted.metric <= high
    assert converted.metric == converted.metric.quantize(Decimal("0.1"))
    assert abs(converted.metric - pounds * Decimal("0.45359237")) <= Decimal("0.05")


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        (("182", "lb"), Decimal("82.6")),
        (("150", "lb"), Decimal("68.0")),
        (("82.55", "kg"), Decimal("82.6")),
        (("1", "lb"), None),
    ],
)
def test_weights_convert_exactly(typed, stored):
    assert convert_weight(*typed).metric == stored


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        (("5", "ft_in", "10"), Decimal("177.8")),
        (("6", "ft_in", ""), Decimal("182.9")),
        (("", "ft_in", "65"), None),  # 65 inches is more than 11.9
        (("175", "cm", ""), Decimal("175.0")),
    ],
)
def test_heights_convert_exactly(typed, stored):
    assert convert_height(*typed).metric == stored


def test_a_weight_out_of_range_is_refused_in_the_unit_typed():
    assert convert_weight("900", "lb").error == (
        "900 lb is 408.2 kg: enter a weight between 44.1 and 771.6 lb; "
        "check the number and the unit."
    )
    assert convert_weight("900", "kg").error == (
        "Enter a weight between 20.0 and 350.0 kg; check the number and the unit."
    )


def test_a_height_out_of_range_is_refused_in_feet_and_inches():
    assert convert_height("9", "ft_in", "0").error == (
        "9 ft 0 in is 274.3 cm: enter a height between 1 ft 7.7 in and 8 ft 2.4 in; "
        "check the numbers and the unit."
    )


@pytest.mark.parametrize(
    "typed", ["abc", "NaN", "Infinity", "1e309", "9" * 400, "-5", "\x00", "5.5.5"]
)
def test_nonsense_is_refused_with_a_message_never_an_exception(typed):
    form = MeasuredForm(
        {"height_cm": typed, "height_cm_unit": "ft_in", "weight_kg": typed, "weight_kg_unit": "lb"}
    )
    assert not form.is_valid()
    assert form.errors["weight_kg"] and form.errors["height_cm"]


def test_the_limits_given_in_another_unit_are_themselves_accepted():
    low, high = HEIGHT_RANGE_CM
    assert convert_height("1", "ft_in", "7.7").metric >= low
    assert convert_height("8", "ft_in", "2.4").metric <= high
    assert convert_weight("44.1", "lb").metric >= WEIGHT_RANGE_KG[0]
    assert convert_weight("771.6", "lb").metric <= WEIGHT_RANGE_KG[1]


def test_the_form_stores_metric_and_a_post_without_the_unit_reads_as_metric():
    form = MeasuredForm({"height_cm": "5", "height_cm_unit": "ft_in", "height_cm_inches": "7"})
    assert form.is_valid()
    assert form.cleaned_data["height_cm"] == Decimal("170.2")
    metric_only = MeasuredForm({"weight_kg": "70"})
    assert metric_only.is_valid()
    assert metric_only.cleaned_data["weight_kg"] == Decimal("70.0")
    blank = MeasuredForm({})
    assert blank.is_valid() and blank.cleaned_data["weight_kg"] is None


def test_a_refused_form_keeps_what_was_typed_and_shows_the_converted_value():
    form = MeasuredForm(
        {
            "height_cm": "5",
            "height_cm_unit": "ft_in",
            "height_cm_inches": "10",
            "weight_kg": "182",
            "weight_kg_unit": "lb",
            "note": "far too long",
        }
    )
    assert not form.is_valid()
    html = str(form["weight_kg"]) + str(form["height_cm"])
    assert 'name="weight_kg" value="182"' in html
    assert '<option value="lb" selected>' in html
    assert 'name="height_cm_inches" value="10"' in html
    assert "= 82.6 kg" in html and "= 177.8 cm" in html
    assert 'id="id_weight_kg"' in html and 'id="id_weight_kg_unit"' in html
    assert 'aria-live="polite"' in html


def test_the_label_names_the_number_box_and_each_other_box_has_its_own_name():
    form = MeasuredForm()
    assert form["weight_kg"].id_for_label == "id_weight_kg"
    html = str(form["height_cm"])
    assert 'aria-label="Unit of height"' in html and 'aria-label="Inches (with feet)"' in html
