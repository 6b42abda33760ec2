"""Pure statistics for the outcomes page: the Wilson score interval of a proportion and the
quantiles (median, interquartile range) of an already sorted list of numbers."""

from __future__ import annotations

import math
from decimal import Decimal

# The normal quantile of a two-sided 95 % interval.
Z_95 = 1.959963984540054


def wilson_interval(successes: int, n: int, z: float = Z_95) -> tuple[float, float] | None:
    """The Wilson score interval of successes / n (Wilson EB. Probable inference, the law of
    succession, and statistical inference. J Am Stat Assoc 1927;22:209–212): unlike the plain
    p ± z·√(p(1−p)/n) it stays inside 0–1 and is usable for the small counts of one clinic.
    None when there is nobody to count (n = 0)."""
    if n < 0 or successes < 0 or successes > n:
        raise ValueError("successes must lie between 0 and n.")
    if n == 0:
        return None
    p = successes / n
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    # At 0 of n and n of n the limits are exactly 0 and 1; floating point would miss by 1e-17.
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return low, high


def quantile_positions(n: int, q: float) -> tuple[int, int, float]:
    """Where quantile q of n sorted values lies: the two neighbouring 0-based positions and the
    weight of the upper one (linear interpolation between order statistics, Hyndman & Fan type 7,
    the default of R and NumPy). The caller fetches just those two values from the database."""
    if n <= 0:
        raise ValueError("No values.")
    h = (n - 1) * q
    lower = math.floor(h)
    upper = min(lower + 1, n - 1)
    return lower, upper, h - lower


def interpolate(lower: Decimal, upper: Decimal, weight: float) -> Decimal:
    return Decimal(lower) + (Decimal(upper) - Decimal(lower)) * Decimal(str(weight))


def quantile(sorted_values: list[Decimal], q: float) -> Decimal:
    """Quantile q of an already sorted list (type 7, as quantile_positions)."""
    lower, upper, weight = quantile_positions(len(sorted_values), q)
    return interpolate(sorted_values[lower], sorted_values[upper], weight)
