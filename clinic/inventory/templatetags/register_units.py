"""Quantities shown in their product's unit: "0.45 mL" for a vial, "2 devices" for a kit."""

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def in_unit(value, product) -> str:
    if value is None or value == "":
        return ""
    amount = Decimal(str(value)).quantize(Decimal("0.01"))
    if product.is_device:
        number = amount.normalize()
        return f"{number:f} device{'' if number == 1 else 's'}"
    return f"{amount} mL"


@register.filter
def mg_of(value, product) -> str:
    """The milligrams in `value` of the product (mL or devices), to 0.01 mg."""
    if value is None or value == "":
        return ""
    return str(product.mg_of(Decimal(str(value))))
