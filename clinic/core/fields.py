"""Height and weight typed in the unit the person has at hand, stored metric.

Scales and tape measures in American clinics read in pounds and feet; the record, the dose
(mg/kg) and the FHIR export are metric. One field for each, used by every form that asks for a
height or a weight, so the conversion, the rounding and the range message are written once.
The factors are exact by definition (NIST Handbook 44, Appendix C; the international yard and
pound agreement of 1959): 1 lb = 0.45359237 kg, 1 in = 2.54 cm.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation

from django import forms
from django.db import models

KILOGRAMS_PER_POUND = Decimal("0.45359237")
CENTIMETRES_PER_INCH = Decimal("2.54")
INCHES_PER_FOOT = 12
TENTH = Decimal("0.1")

# The ranges every height and weight is checked against (the same numbers as the models' check
# constraints): plausibility limits that catch a slip or a unit mix-up, not clinical thresholds.
HEIGHT_RANGE_CM = (Decimal("50.0"), Decimal("250.0"))
WEIGHT_RANGE_KG = (Decimal("20.0"), Decimal("350.0"))


class WeightUnit(models.TextChoices):
    KILOGRAMS = "kg", "kg"
    POUNDS = "lb", "lb"


class HeightUnit(models.TextChoices):
    CENTIMETRES = "cm", "cm"
    FEET_AND_INCHES = "ft_in", "ft + in"


def to_tenth(value: Decimal) -> Decimal:
    """The stored precision of heights and weights (one decimal), rounded half up."""
    return value.quantize(TENTH, ROUND_HALF_UP)


def pounds_to_kilograms(pounds: Decimal) -> Decimal:
    return to_tenth(pounds * KILOGRAMS_PER_POUND)


def kilograms_to_pounds(kilograms: Decimal) -> Decimal:
    return to_tenth(kilograms / KILOGRAMS_PER_POUND)


def feet_and_inches_to_centimetres(feet: Decimal, inches: Decimal) -> Decimal:
    return to_tenth((feet * INCHES_PER_FOOT + inches) * CENTIMETRES_PER_INCH)


def centimetres_to_feet_and_inches(centimetres: Decimal) -> tuple[int, Decimal]:
    total = to_tenth(centimetres / CENTIMETRES_PER_INCH)
    feet = int(total // INCHES_PER_FOOT)
    return feet, total - feet * INCHES_PER_FOOT


def _feet_inches(total_inches: Decimal) -> str:
    feet = int(total_inches // INCHES_PER_FOOT)
    return f"{feet} ft {(total_inches - feet * INCHES_PER_FOOT).normalize():f} in"


@dataclass(frozen=True)
class Converted:
    """A typed measurement: its metric value at the stored precision, or why it is refused."""

    metric: Decimal | None
    error: str = ""


def _number(raw: object) -> Decimal | None:
    """The number typed, or None when it is not one (a word, NaN, infinity, a huge exponent)."""
    if raw in (None, ""):
        return None
    try:
        value = Decimal(str(raw).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        return None
    if not value.is_finite() or value.adjusted() > 6:
        return None
    return value


def convert_weight(amount: object, unit: object) -> Converted | None:
    """The weight typed (`amount` in `unit`), in kg; None when nothing was typed."""
    if amount in (None, ""):
        return None
    value = _number(amount)
    if value is None:
        return Converted(None, "Enter the weight as a number, e.g. 82.6.")
    low, high = WEIGHT_RANGE_KG
    if unit == WeightUnit.POUNDS:
        kilograms = pounds_to_kilograms(value)
        if not low <= kilograms <= high:
            # The limits in pounds, rounded inwards so each converts back inside the range.
            low_lb = (low / KILOGRAMS_PER_POUND).quantize(TENTH, ROUND_CEILING)
            high_lb = (high / KILOGRAMS_PER_POUND).quantize(TENTH, ROUND_FLOOR)
            return Converted(
                None,
                f"{value.normalize():f} lb is {kilograms} kg: enter a weight between {low_lb} "
                f"and {high_lb} lb; check the number and the unit.",
            )
        return Converted(kilograms)
    kilograms = to_tenth(value)
    if not low <= kilograms <= high:
        return Converted(
            None,
            f"Enter a weight between {low} and {high} kg; check the number and the unit.",
        )
    return Converted(kilograms)


def convert_height(amount: object, unit: object, inches: object = None) -> Converted | None:
    """The height typed (cm, or feet in `amount` and inches in `inches`), in cm; None when
    nothing was typed."""
    low, high = HEIGHT_RANGE_CM
    if unit == HeightUnit.FEET_AND_INCHES:
        if amount in (None, "") and inches in (None, ""):
            return None
        feet = Decimal(0) if amount in (None, "") else _number(amount)
        extra = Decimal(0) if inches in (None, "") else _number(inches)
        if feet is None or extra is None or feet < 0 or feet != feet.to_integral_value():
            return Converted(None, "Enter the feet as a whole number and the inches as a number.")
        if not 0 <= extra < INCHES_PER_FOOT:
            return Converted(None, "Enter the inches between 0 and 11.9 (12 inches are a foot).")
        centimetres = feet_and_inches_to_centimetres(feet, extra)
        if not low <= centimetres <= high:
            low_in = (low / CENTIMETRES_PER_INCH).quantize(TENTH, ROUND_CEILING)
            high_in = (high / CENTIMETRES_PER_INCH).quantize(TENTH, ROUND_FLOOR)
            return Converted(
                None,
                f"{int(feet)} ft {extra.normalize():f} in is {centimetres} cm: enter a height "
                f"between {_feet_inches(low_in)} and {_feet_inches(high_in)}; check the numbers "
                "and the unit.",
            )
        return Converted(centimetres)
    if amount in (None, ""):
        if inches not in (None, ""):
            return Converted(
                None, "Inches go with feet: choose “ft + in” or type the height in cm."
            )
        return None
    value = _number(amount)
    if value is None:
        return Converted(None, "Enter the height as a number, e.g. 175.")
    if inches not in (None, ""):
        return Converted(None, "Inches go with feet: choose “ft + in” or type the height in cm.")
    centimetres = to_tenth(value)
    if not low <= centimetres <= high:
        return Converted(
            None,
            f"Enter a height between {low} and {high} cm; check the number and the unit.",
        )
    return Converted(centimetres)


def weight_typed(values: list) -> Converted | None:
    """The weight in a widget's boxes (amount, unit), in kg."""
    amount, unit = (list(values) + [None, None])[:2]
    return convert_weight(amount, unit or WeightUnit.KILOGRAMS)


def height_typed(values: list) -> Converted | None:
    """The height in a widget's boxes (amount, unit, inches), in cm."""
    amount, unit, inches = (list(values) + [None, None, None])[:3]
    return convert_height(amount, unit or HeightUnit.CENTIMETRES, inches)


class _MeasurementWidget(forms.MultiWidget):
    """The number box keeps the field's own name and id (so a post of the metric value alone,
    as older pages and scripts send it, still reads as metric); the unit goes in `<name>_unit`.
    The rendered `<output>` shows the metric value of what was typed (filled again as the person
    types by js/clinic.js)."""

    # The form's one label names the number box; each other box carries its own aria-label.
    use_fieldset = False
    suffixes: tuple[str, ...] = ("", "_unit")
    measurement = ""
    # Each measurement's: its boxes' values in metric, the metric unit shown, and the unit
    # whose value is shown converted.
    convert: Callable[[list], Converted | None]
    metric_unit: str
    imperial_unit: str

    def id_for_label(self, id_):
        return id_

    def value_from_datadict(self, data, files, name):
        return [data.get(name + suffix) for suffix in self.suffixes]

    def value_omitted_from_data(self, data, files, name):
        return all(name + suffix not in data for suffix in self.suffixes)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        final_attrs = context["widget"]["attrs"]
        id_ = final_attrs.get("id")
        for suffix, subwidget in zip(self.suffixes, context["widget"]["subwidgets"], strict=True):
            subwidget["name"] = name + suffix
            if id_:
                subwidget["attrs"]["id"] = id_ + suffix
        values: list = value if isinstance(value, list) else list(self.decompress(value) or [])
        context["widget"]["measurement"] = self.measurement
        context["widget"]["converted"] = self.converted_text(values)
        context["widget"]["output_id"] = f"{id_}_converted" if id_ else ""
        return context

    def converted_text(self, values: list) -> str:
        """'= 82.6 kg' beside a value typed in the imperial unit (nothing otherwise)."""
        unit = (list(values) + [None, None])[1]
        if unit != self.imperial_unit:
            return ""
        converted = self.convert(list(values))
        return f"= {converted.metric} {self.metric_unit}" if converted and converted.metric else ""


class WeightWidget(_MeasurementWidget):
    template_name = "core/widgets/measurement.html"
    measurement = "weight"
    convert = staticmethod(weight_typed)
    metric_unit, imperial_unit = "kg", WeightUnit.POUNDS

    def __init__(self, attrs=None):
        super().__init__(
            [
                forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
                forms.Select(choices=WeightUnit.choices, attrs={"aria-label": "Unit of weight"}),
            ],
            attrs,
        )

    def decompress(self, value):
        if value in (None, ""):
            return [None, WeightUnit.KILOGRAMS]
        return [value, WeightUnit.KILOGRAMS]


class HeightWidget(_MeasurementWidget):
    template_name = "core/widgets/measurement.html"
    measurement = "height"
    convert = staticmethod(height_typed)
    metric_unit, imperial_unit = "cm", HeightUnit.FEET_AND_INCHES
    suffixes = ("", "_unit", "_inches")

    def __init__(self, attrs=None):
        super().__init__(
            [
                forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
                forms.Select(choices=HeightUnit.choices, attrs={"aria-label": "Unit of height"}),
                forms.NumberInput(
                    attrs={
                        "step": "any",
                        "inputmode": "decimal",
                        "aria-label": "Inches (with feet)",
                        "data-measurement-inches": "",
                    }
                ),
            ],
            attrs,
        )

    def decompress(self, value):
        if value in (None, ""):
            return [None, HeightUnit.CENTIMETRES, None]
        return [value, HeightUnit.CENTIMETRES, None]


class _MeasurementField(forms.Field):
    """A height or weight typed with its unit, cleaned to the metric Decimal stored (one
    decimal), or None when left blank. What was typed stays in the boxes on a refused submit."""

    widget: type[_MeasurementWidget]

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value):
        values = value if isinstance(value, list | tuple) else [value]
        # The widget's conversion: what is shown beside the boxes is what is stored.
        converted = self.widget.convert(list(values))
        if converted is None:
            return None
        if converted.metric is None:
            raise forms.ValidationError(converted.error, code="invalid")
        return converted.metric

    def has_changed(self, initial, data):
        return self.to_python_or_none(data) != initial

    def to_python_or_none(self, data):
        try:
            return self.to_python(data)
        except forms.ValidationError:
            return None


class WeightField(_MeasurementField):
    widget = WeightWidget
    # The metric range, as a DecimalField's bounds read (the range tests compare them).
    min_value, max_value = WEIGHT_RANGE_KG

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Weight")
        super().__init__(**kwargs)


class HeightField(_MeasurementField):
    widget = HeightWidget
    min_value, max_value = HEIGHT_RANGE_CM

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Height")
        super().__init__(**kwargs)
