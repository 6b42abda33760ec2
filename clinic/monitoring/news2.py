"""NEWS2, the National Early Warning Score 2 (Royal College of Physicians, 2017), SpO₂ scale 1.

    from clinic.monitoring.news2 import news2_score
    result = news2_score(respiratory_rate=18, spo2=96, on_oxygen=False, systolic_bp=128, pulse=72,
                         consciousness="alert", temperature_c=36.8)
    result.total, result.risk   # 0, "low"

Bands: RCP "Chart 1: The NEWS scoring system" (Royal College of Physicians, National Early Warning
Score (NEWS) 2: standardising the assessment of acute-illness severity in the NHS, 2017). Risk: aggregate
0–4 low; a single parameter scoring 3 (with an aggregate below 5) "low_medium" (urgent ward-based
review, RCP wording); 5–6 medium; 7 or more high. Temperatures are compared after rounding to one
decimal. Scale 2 (hypercapnic respiratory failure) is a clinician's decision and is not offered
here. NEWS2 is a generic deterioration score: a ketamine infusion raises blood pressure and heart
rate on purpose, so the protocol's own limits are checked beside it.

A chair-side reading rarely has a temperature. `news2_partial` scores what was recorded and names
what is missing: its total is a floor ("at least"), shown as incomplete, never as the score. The
single-parameter red flag needs no aggregate: "a score of 3 in any individual parameter" prompts
an urgent ward-based review (RCP NEWS2 2017, Chart 3 "NEWS thresholds and triggers" and
Chart 4 "Clinical response"), so it is raised from a partial score too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from clinic.patients.choices import Consciousness

CONSCIOUSNESS_LEVELS = ("alert", "new_confusion", "voice", "pain", "unresponsive")


PARAMETERS = (
    "respiratory_rate",
    "spo2",
    "air_or_oxygen",
    "systolic_bp",
    "pulse",
    "consciousness",
    "temperature",
)
PARAMETER_LABELS = {
    "respiratory_rate": "respiratory rate",
    "spo2": "SpO₂",
    "air_or_oxygen": "air or oxygen",
    "systolic_bp": "systolic blood pressure",
    "pulse": "pulse",
    "consciousness": "consciousness",
    "temperature": "temperature",
}


@dataclass(frozen=True)
class News2Result:
    total: int
    risk: str  # "low", "low_medium", "medium" or "high"
    parameters: dict[str, int] = field(default_factory=dict)
    # Parameters not recorded (a partial score): the total counts only those present.
    missing: tuple[str, ...] = ()

    @property
    def any_single_three(self) -> bool:
        return any(score == 3 for score in self.parameters.values())

    @property
    def red_flags(self) -> list[str]:
        """The parameters scoring 3: each alone calls for an urgent review (RCP NEWS2 2017)."""
        return [name for name in PARAMETERS if self.parameters.get(name) == 3]

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def missing_labels(self) -> str:
        return ", ".join(PARAMETER_LABELS[name] for name in self.missing)


def _number(name: str, value, low, high) -> Decimal:
    if isinstance(value, bool) or value is None:
        raise ValueError(f"{name} must be a number, not {value!r}.")
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValueError(f"{name} must be a number, not {value!r}.") from None
    if not number.is_finite() or not low <= number <= high:
        raise ValueError(
            f"{name} of {value} is not physiologically possible (expected {low}–{high})."
        )
    return number


def respiration_score(rate: Decimal) -> int:
    if rate <= 8:
        return 3
    if rate <= 11:
        return 1
    if rate <= 20:
        return 0
    if rate <= 24:
        return 2
    return 3


def spo2_scale1_score(spo2: Decimal) -> int:
    if spo2 <= 91:
        return 3
    if spo2 <= 93:
        return 2
    if spo2 <= 95:
        return 1
    return 0


def systolic_score(systolic: Decimal) -> int:
    if systolic <= 90:
        return 3
    if systolic <= 100:
        return 2
    if systolic <= 110:
        return 1
    if systolic <= 219:
        return 0
    return 3


def pulse_score(pulse: Decimal) -> int:
    if pulse <= 40:
        return 3
    if pulse <= 50:
        return 1
    if pulse <= 90:
        return 0
    if pulse <= 110:
        return 1
    if pulse <= 130:
        return 2
    return 3


def temperature_score(temperature_c: Decimal) -> int:
    temperature = temperature_c.quantize(Decimal("0.1"), ROUND_HALF_UP)
    if temperature <= Decimal("35.0"):
        return 3
    if temperature <= Decimal("36.0"):
        return 1
    if temperature <= Decimal("38.0"):
        return 0
    if temperature <= Decimal("39.0"):
        return 1
    return 2


def news2_score(
    *,
    respiratory_rate,
    spo2,
    on_oxygen: bool,
    systolic_bp,
    pulse,
    consciousness: str,
    temperature_c,
) -> News2Result:
    if not isinstance(on_oxygen, bool):
        raise ValueError(f"on_oxygen must be True or False, not {on_oxygen!r}.")
    if consciousness not in CONSCIOUSNESS_LEVELS:
        raise ValueError(
            f"consciousness must be one of {', '.join(CONSCIOUSNESS_LEVELS)}, not {consciousness!r}."
        )
    parameters = {
        "respiratory_rate": respiration_score(
            _number("respiratory_rate", respiratory_rate, 0, 100)
        ),
        "spo2": spo2_scale1_score(_number("spo2", spo2, 0, 100)),
        "air_or_oxygen": 2 if on_oxygen else 0,
        "systolic_bp": systolic_score(_number("systolic_bp", systolic_bp, 1, 350)),
        "pulse": pulse_score(_number("pulse", pulse, 1, 350)),
        "consciousness": 0 if consciousness == Consciousness.ALERT else 3,
        "temperature": temperature_score(_number("temperature_c", temperature_c, 20, 46)),
    }
    return _result(parameters)


def news2_partial(
    *,
    respiratory_rate=None,
    spo2=None,
    on_oxygen: bool | None = False,
    systolic_bp=None,
    pulse=None,
    consciousness: str | None = None,
    temperature_c=None,
) -> News2Result:
    """NEWS2 of what was recorded: each present parameter scored as `news2_score` does, the
    absent ones listed in `missing` (`on_oxygen` None counts as not recorded; the vital-signs
    table records air unless oxygen is ticked)."""
    scorers = {
        "respiratory_rate": (
            respiratory_rate,
            lambda v: respiration_score(_number("respiratory_rate", v, 0, 100)),
        ),
        "spo2": (spo2, lambda v: spo2_scale1_score(_number("spo2", v, 0, 100))),
        "air_or_oxygen": (on_oxygen, lambda v: 2 if v else 0),
        "systolic_bp": (
            systolic_bp,
            lambda v: systolic_score(_number("systolic_bp", v, 1, 350)),
        ),
        "pulse": (pulse, lambda v: pulse_score(_number("pulse", v, 1, 350))),
        "consciousness": (consciousness, _consciousness_score),
        "temperature": (
            temperature_c,
            lambda v: temperature_score(_number("temperature_c", v, 20, 46)),
        ),
    }
    parameters, missing = {}, []
    for name in PARAMETERS:
        value, score = scorers[name]
        if value is None or value == "":
            missing.append(name)
        else:
            parameters[name] = score(value)
    return _result(parameters, tuple(missing))


def _consciousness_score(consciousness: str) -> int:
    if consciousness not in CONSCIOUSNESS_LEVELS:
        raise ValueError(
            f"consciousness must be one of {', '.join(CONSCIOUSNESS_LEVELS)}, not {consciousness!r}."
        )
    return 0 if consciousness == Consciousness.ALERT else 3


def _result(parameters: dict[str, int], missing: tuple[str, ...] = ()) -> News2Result:
    total = sum(parameters.values())
    if total >= 7:
        risk = "high"
    elif total >= 5:
        risk = "medium"
    elif any(score == 3 for score in parameters.values()):
        risk = "low_medium"
    else:
        risk = "low"
    return News2Result(total=total, risk=risk, parameters=parameters, missing=missing)
