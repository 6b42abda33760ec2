"""Weight-based ketamine dosing: a public, pure interface.

    from clinic.treatment.dosing import calculate_dose
    dose = calculate_dose(weight_kg=70, height_cm=175, sex="male", mg_per_kg=0.5, basis="actual")
    dose.mg               # Decimal("35.0")
    dose.basis_weight_kg  # Decimal("70.0")

Weight bases: the prescriber records which weight the dose is based on; the APA consensus
(Sanacora et al., JAMA Psychiatry 2017;74(4):399-405) does not settle obese patients (UNVERIFIED),
so the choice is explicit and recorded.
- actual: the measured weight.
- ideal (Devine 1974): male 50 kg + 2.3 kg per inch over 60 in; female 45.5 kg + 2.3 kg per inch
  over 60 in [VERIFIED: creatinineclearance.com, mdtools.org, citing Devine 1974]. Below 60 in the
  same line is extended (fewer kg), as the calculators cited do.
- adjusted: ideal + 0.4 × (actual − ideal) [same sources].
An ideal or adjusted weight above the actual weight is never used: the dose is then worked on the
actual weight and the Dose says so ("use IBW unless total body weight is less": Columbia
University Medical Center aminoglycoside dosing guideline, 2005). Otherwise a light, tall patient
would get more per kg of their real weight than the protocol allows.
Weights are rounded to 0.1 kg and the dose is worked from the rounded weight (so the working
shown checks by hand), then rounded to 0.1 mg, half up.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from clinic.treatment.choices import DoseUnit, WeightBasis

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
    # True when the chosen ideal or adjusted weight was above the actual weight, so the actual
    # weight was used instead (basis_weight_kg is then the actual weight).
    capped_at_actual_weight: bool = False

    @property
    def chosen_weight_kg(self) -> Decimal | None:
        """The weight the chosen basis gives (before any cap at the actual weight)."""
        return {
            "actual": self.actual_weight_kg,
            "ideal": self.ideal_weight_kg,
            "adjusted": self.adjusted_weight_kg,
        }[self.basis]

    @property
    def note(self) -> str:
        if not self.capped_at_actual_weight:
            return ""
        return (
            f"{self.basis} body weight {self.chosen_weight_kg} kg is above the actual weight, "
            "so the actual weight is used"
        )

    @property
    def working(self) -> str:
        """The arithmetic, as a person checks it."""
        if self.capped_at_actual_weight:
            return (
                f"{self.mg_per_kg} mg/kg × {self.basis_weight_kg} kg (actual body weight: "
                f"{self.note}) = {self.mg} mg"
            )
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
    elif basis != WeightBasis.ACTUAL:
        raise ValueError(f'sex must be "male" or "female" for {basis} body weight, not {sex!r}.')
    basis_weight = {"actual": weight, "ideal": ideal, "adjusted": adjusted}[basis]
    if basis_weight is None:  # refused above: no sex for ideal or adjusted weight
        raise ValueError(f"No {basis} body weight without the sex recorded for dosing.")
    if basis_weight <= 0:
        raise ValueError(
            "The chosen weight basis gives a weight of 0 kg or less; use the actual weight."
        )
    # Compared as shown (0.1 kg), so that a basis that prints as the actual weight is not
    # reported as "above" it.
    actual_shown = weight.quantize(TENTH, ROUND_HALF_UP)
    capped = (
        basis != WeightBasis.ACTUAL and basis_weight.quantize(TENTH, ROUND_HALF_UP) > actual_shown
    )
    if capped:
        basis_weight = weight
    # The dose is worked from the weight as shown (0.1 kg), so the printed sum checks.
    shown_weight = basis_weight.quantize(TENTH, ROUND_HALF_UP)
    mg = (per_kg * shown_weight).quantize(TENTH, ROUND_HALF_UP)
    return Dose(
        mg=mg,
        mg_per_kg=per_kg,
        basis=basis,
        basis_weight_kg=shown_weight,
        actual_weight_kg=actual_shown,
        ideal_weight_kg=ideal.quantize(TENTH, ROUND_HALF_UP) if ideal is not None else None,
        adjusted_weight_kg=adjusted.quantize(TENTH, ROUND_HALF_UP)
        if adjusted is not None
        else None,
        capped_at_actual_weight=capped,
    )


# --- infusion rates (what the nurse programs into the pump) -------------------------------------
HUNDREDTH = Decimal("0.01")
MINUTES_PER_HOUR = Decimal("60")
LONGEST_INFUSION_MINUTES = 24 * 60


@dataclass(frozen=True)
class DoseWorking:
    """A session's dose from its plan, with the working a nurse checks by hand."""

    dose_mg: Decimal
    working: str


def dose_for_plan(plan_version, *, weight_kg, height_cm, sex: str) -> DoseWorking:
    """Today's dose from a plan version: its fixed dose, or its mg/kg on today's weight on the
    plan's weight basis. The height is the patient's (or the plan's, recorded when it was
    written); it matters only for ideal and adjusted weights. Raises `ValueError` when the
    weight or a needed height is missing."""
    if plan_version.dose_unit == DoseUnit.FIXED_MG:
        return DoseWorking(
            plan_version.dose_mg,
            f"Fixed dose of {plan_version.dose_mg} mg (plan version {plan_version.number}).",
        )
    if weight_kg is None:
        raise ValueError("Record today's weight first.")
    basis = plan_version.weight_basis or "actual"
    height = height_cm or plan_version.height_cm
    if height is None:
        if basis != WeightBasis.ACTUAL:
            raise ValueError(f"The {basis} body weight needs the patient's height.")
        # Height only matters for ideal and adjusted weights; the actual-weight dose ignores it.
        height = Decimal("170")
    dose = calculate_dose(
        weight_kg=weight_kg, height_cm=height, sex=sex, mg_per_kg=plan_version.dose, basis=basis
    )
    return DoseWorking(
        dose.mg,
        f"{dose.working} (plan version {plan_version.number}, today's weight "
        f"{dose.actual_weight_kg} kg)",
    )


@dataclass(frozen=True)
class InfusionRates:
    """Pump settings for one dose added to one bag and run at a constant rate. The drug volume is
    added to the bag (no equal volume withdrawn first), so the bag runs over the whole time."""

    dose_mg: Decimal
    minutes: Decimal
    weight_kg: Decimal
    concentration_mg_per_ml: Decimal
    bag_volume_ml: Decimal
    drug_volume_ml: Decimal
    total_volume_ml: Decimal
    mg_per_hour: Decimal
    mg_per_kg_per_hour: Decimal
    ml_per_hour: Decimal

    @property
    def working(self) -> str:
        minutes = _number(self.minutes)
        return (
            f"{self.dose_mg} mg ÷ {_number(self.concentration_mg_per_ml)} mg/mL = "
            f"{self.drug_volume_ml} mL to draw; {_number(self.bag_volume_ml)} mL bag + "
            f"{self.drug_volume_ml} mL = {self.total_volume_ml} mL over {minutes} min = "
            f"{self.ml_per_hour} mL/h; {self.dose_mg} mg × 60 ÷ {minutes} min = "
            f"{self.mg_per_hour} mg/h = {self.mg_per_kg_per_hour} mg/kg/h of {self.weight_kg} kg"
        )


def _positive(name: str, value) -> Decimal:
    number = _decimal(name, value)
    if number <= 0:
        raise ValueError(f"{name} must be more than 0, not {number}.")
    return number


def infusion_rates(
    *, dose_mg, minutes, weight_kg, concentration_mg_per_ml, bag_volume_ml
) -> InfusionRates:
    """mg/h, mg/kg/h, the volume of stock to draw (dose ÷ concentration) and mL/h (bag volume plus
    drug volume over the minutes). Rounded half up: mg/kg/h to 0.01, the others to 0.1; mL/h is
    worked from the drug volume as shown, so the printed sum checks by hand."""
    dose = _positive("dose_mg", dose_mg)
    duration = _positive("minutes", minutes)
    weight = _positive("weight_kg", weight_kg)
    concentration = _positive("concentration_mg_per_ml", concentration_mg_per_ml)
    bag = _positive("bag_volume_ml", bag_volume_ml)
    if duration > LONGEST_INFUSION_MINUTES:
        raise ValueError(f"minutes must be at most 24 hours (1440), not {duration}.")
    drug_volume = (dose / concentration).quantize(TENTH, ROUND_HALF_UP)
    total = bag + drug_volume
    per_hour = dose * MINUTES_PER_HOUR / duration
    return InfusionRates(
        dose_mg=dose,
        minutes=duration,
        weight_kg=weight,
        concentration_mg_per_ml=concentration,
        bag_volume_ml=bag,
        drug_volume_ml=drug_volume,
        total_volume_ml=total.quantize(TENTH, ROUND_HALF_UP),
        mg_per_hour=per_hour.quantize(TENTH, ROUND_HALF_UP),
        mg_per_kg_per_hour=(per_hour / weight).quantize(HUNDREDTH, ROUND_HALF_UP),
        ml_per_hour=(total * MINUTES_PER_HOUR / duration).quantize(TENTH, ROUND_HALF_UP),
    )


# --- checks against the protocol ----------------------------------------------------------------
def _number(value: Decimal) -> str:
    return format(Decimal(value).normalize(), "f")


def weight_based_problems(
    *,
    prescribed_mg_per_kg,
    dose_mg,
    actual_weight_kg,
    minimum_mg_per_kg,
    maximum_mg_per_kg,
    infusion_minutes=None,
    minimum_infusion_minutes=None,
    maximum_infusion_minutes=None,
    maximum_mg_per_kg_per_hour=None,
    maximum_bolus_mg_per_kg=None,
    bolus_up_to_minutes=None,
) -> list[str]:
    """Every way a weight-based dose falls outside its protocol, each as a sentence (empty when
    it is within). The dose in mg is measured against the actual weight, whatever weight it was
    worked on; an infusion is also checked for its length and its rate (mg/kg/h of the actual
    weight). A dose given over `bolus_up_to_minutes` or less is a bolus, with its own ceiling.
    A limit left empty (None) is not checked."""
    prescribed = _decimal("prescribed_mg_per_kg", prescribed_mg_per_kg)
    dose = _positive("dose_mg", dose_mg)
    weight = _positive("actual_weight_kg", actual_weight_kg)
    low = _decimal("minimum_mg_per_kg", minimum_mg_per_kg)
    high = _decimal("maximum_mg_per_kg", maximum_mg_per_kg)
    problems: list[str] = []
    if not low <= prescribed <= high:
        problems.append(
            f"{_number(prescribed)} mg/kg is outside the protocol's range "
            f"({_number(low)}–{_number(high)} mg/kg)."
        )
    # In mg, at the precision the dose is given (0.1 mg), so a dose rounded to the nearest
    # 0.1 mg is not reported as above a limit it meets.
    per_kg_actual = (dose / weight).quantize(HUNDREDTH, ROUND_HALF_UP)
    if dose > (high * weight).quantize(TENTH, ROUND_HALF_UP):
        problems.append(
            f"{dose} mg is {per_kg_actual} mg/kg of the actual weight ({weight} kg), above the "
            f"protocol's {_number(high)} mg/kg."
        )
    elif dose < (low * weight).quantize(TENTH, ROUND_HALF_UP):
        problems.append(
            f"{dose} mg is {per_kg_actual} mg/kg of the actual weight ({weight} kg), below the "
            f"protocol's {_number(low)} mg/kg."
        )
    if infusion_minutes is None:
        return problems
    minutes = _positive("infusion_minutes", infusion_minutes)
    if minimum_infusion_minutes is not None and minutes < minimum_infusion_minutes:
        problems.append(
            f"Over {_number(minutes)} min is shorter than the protocol's "
            f"{minimum_infusion_minutes} min."
        )
    bolus = bolus_up_to_minutes is not None and minutes <= bolus_up_to_minutes
    if (
        bolus
        and maximum_bolus_mg_per_kg is not None
        and dose
        > (_decimal("maximum_bolus_mg_per_kg", maximum_bolus_mg_per_kg) * weight).quantize(
            TENTH, ROUND_HALF_UP
        )
    ):
        problems.append(
            f"Over {_number(minutes)} min it is a bolus: {per_kg_actual} mg/kg is above the "
            f"protocol's bolus ceiling of {_number(maximum_bolus_mg_per_kg)} mg/kg."
        )
    if maximum_infusion_minutes is not None and minutes > maximum_infusion_minutes:
        problems.append(
            f"Over {_number(minutes)} min is longer than the protocol's "
            f"{maximum_infusion_minutes} min."
        )
    if maximum_mg_per_kg_per_hour is not None:
        ceiling = _decimal("maximum_mg_per_kg_per_hour", maximum_mg_per_kg_per_hour)
        rate = (dose * MINUTES_PER_HOUR / minutes / weight).quantize(HUNDREDTH, ROUND_HALF_UP)
        if rate > ceiling:
            problems.append(
                f"{dose} mg over {_number(minutes)} min is {rate} mg/kg/h of the actual weight, "
                f"above the protocol's ceiling of {_number(ceiling)} mg/kg/h."
            )
    return problems


def fixed_dose_problems(
    *,
    dose_mg,
    device_mg=None,
    allowed_doses_mg=(),
    first_session_dose_mg=None,
    doses_given_mg=(),
) -> list[str]:
    """Every way a fixed (device) dose falls outside its protocol: whole devices only, one of the
    allowed doses, the set first-session dose when nothing has been given yet, and after that at
    most one device more than the largest dose given so far (so 84 mg only after a 56 mg session:
    Spravato US prescribing information, Janssen 2019 - day 1 56 mg, then 56 or 84 mg; dose
    changes in 28 mg steps: Spravato UK SmPC, https://www.medicines.org.uk/emc/product/10977/smpc).
    `doses_given_mg`: the patient's earlier doses of this product, in mg."""
    dose = _positive("dose_mg", dose_mg)
    problems: list[str] = []
    device = _decimal("device_mg", device_mg) if device_mg is not None else None
    if device is not None and dose % device != 0:
        problems.append(
            f"{_number(dose)} mg is not a whole number of {_number(device)} mg devices."
        )
    allowed = sorted(_decimal("allowed_doses_mg", value) for value in allowed_doses_mg)
    if allowed and dose not in allowed:
        listed = ", ".join(_number(value) for value in allowed)
        problems.append(f"{_number(dose)} mg is not one of the protocol's doses ({listed} mg).")
    given = [_decimal("doses_given_mg", value) for value in doses_given_mg]
    if not given:
        if first_session_dose_mg is not None and dose != _decimal(
            "first_session_dose_mg", first_session_dose_mg
        ):
            problems.append(
                f"The first session is {_number(first_session_dose_mg)} mg "
                f"(no dose of this product has been given yet)."
            )
    elif device is not None and dose > max(given) + device:
        problems.append(
            f"{_number(dose)} mg is more than one {_number(device)} mg device above the largest "
            f"dose given so far ({_number(max(given))} mg)."
        )
    return problems
