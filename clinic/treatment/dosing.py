"""Weight-based ketamine dosing: a public, pure interface.

    from clinic.treatment.dosing import calculate_dose
    dose = calculate_dose(weight_kg=70, height_cm=175, sex="male", mg_per_kg=0.5, basis="actual")
    dose.mg               # Decimal("35.0")
    dose.basis_weight_kg  # Decimal("70.0")

Weight bases (clinical-reference §7.1): the prescriber records which weight the dose is based on;
the consensus does not settle obese patients (UNVERIFIED), so the choice is explicit and recorded.
- actual: the measured weight.
- ideal (Devine 1974): male 50 kg + 2.3 kg per inch over 60 in; female 45.5 kg + 2.3 kg per inch
  over 60 in [VERIFIED: creatinineclearance.com, mdtools.org, citing Devine 1974]. Below 60 in the
  same line is extended (fewer kg), as the calculators cited do.
- adjusted: ideal + 0.4 × (actual − ideal) [same sources].
Weights are rounded to 0.1 kg and the dose is worked from the rounded weight (so the working
shown checks by hand), then rounded to 0.1 mg, half up.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENTIMETRES_PER_INCH = Decimal("2.54")
DEVINE_BASE_KG = {"male": Decimal("50"), "female": Decimal("45.5")}
DEVINE_KG_PER_INCH = Decimal("2.3")
DEVINE_BASE_HEIGHT_IN = Decimal("60")
ADJUSTED_FACTOR = Decimal("0.4")
HEIGHT_RANGE_CM = (Decimal("100"), Decimal("250"))
BASES = ("actual", "ideal", "adjusted")
TENTH = Decimal("0.1")


@dataclass(frozen=True)
class Dose:
    mg: Decimal
    mg_per_kg: Decimal
    basis: str
    basis_weight_kg: Decimal
    actual_weight_kg: Decimal
    # None when the sex recorded is neither male nor female (Devine needs one of them).
    ideal_weight_kg: Decimal | None
    adjusted_weight_kg: Decimal | None

    @property
    def working(self) -> str:
        """The arithmetic, as a person checks it."""
        return f"{self.mg_per_kg} mg/kg × {self.basis_weight_kg} kg ({self.basis} body weight) = {self.mg} mg"


def _decimal(name: str, value) -> Decimal:
    if isinstance(value, bool):
        raise ValueError(f"{name} must be a number, not {value!r}.")
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValueError(f"{name} must be a number, not {value!r}.") from None
    if not number.is_finite():
        raise ValueError(f"{name} must be a finite number.")
    return number


def ideal_body_weight_kg(*, height_cm, sex: str) -> Decimal:
    """Devine (1974) ideal body weight."""
    if sex not in DEVINE_BASE_KG:
        raise ValueError(f'sex must be "male" or "female" for ideal body weight, not {sex!r}.')
    height_in = _decimal("height_cm", height_cm) / CENTIMETRES_PER_INCH
    return DEVINE_BASE_KG[sex] + DEVINE_KG_PER_INCH * (height_in - DEVINE_BASE_HEIGHT_IN)


def calculate_dose(*, weight_kg, height_cm, sex: str, mg_per_kg, basis: str = "actual") -> Dose:
    weight = _decimal("weight_kg", weight_kg)
    height = _decimal("height_cm", height_cm)
    per_kg = _decimal("mg_per_kg", mg_per_kg)
    if weight <= 0:
        raise ValueError(f"weight_kg must be more than 0 kg, not {weight}.")
    if not HEIGHT_RANGE_CM[0] <= height <= HEIGHT_RANGE_CM[1]:
        raise ValueError(f"height_cm must be between 100 and 250 cm, not {height}.")
    if per_kg <= 0:
        raise ValueError(f"mg_per_kg must be more than 0, not {per_kg}.")
    if basis not in BASES:
        raise ValueError(f'basis must be "actual", "ideal" or "adjusted", not {basis!r}.')
    ideal = adjusted = None
    if sex in DEVINE_BASE_KG:
        ideal = ideal_body_weight_kg(height_cm=height, sex=sex)
        adjusted = ideal + ADJUSTED_FACTOR * (weight - ideal)
    elif basis != "actual":
        raise ValueError(f'sex must be "male" or "female" for {basis} body weight, not {sex!r}.')
    basis_weight = {"actual": weight, "ideal": ideal, "adjusted": adjusted}[basis]
    if basis_weight <= 0:
        raise ValueError(
            "The chosen weight basis gives a weight of 0 kg or less; use the actual weight."
        )
    # The dose is worked from the weight as shown (0.1 kg), so the printed sum checks.
    shown_weight = basis_weight.quantize(TENTH, ROUND_HALF_UP)
    mg = (per_kg * shown_weight).quantize(TENTH, ROUND_HALF_UP)
    return Dose(
        mg=mg,
        mg_per_kg=per_kg,
        basis=basis,
        basis_weight_kg=shown_weight,
        actual_weight_kg=weight.quantize(TENTH, ROUND_HALF_UP),
        ideal_weight_kg=ideal.quantize(TENTH, ROUND_HALF_UP) if ideal is not None else None,
        adjusted_weight_kg=adjusted.quantize(TENTH, ROUND_HALF_UP)
        if adjusted is not None
        else None,
    )
