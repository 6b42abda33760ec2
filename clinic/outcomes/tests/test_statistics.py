from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clinic.outcomes.statistics import quantile, wilson_interval


def test_wilson_matches_published_values():
    # 81 of 263 is Newcombe's worked example (Stat Med 1998;17:857–872, method 3: 0.2553–0.3662);
    # 2 of 3 and 0 of 10 were worked by hand from Wilson's formula.
    low, high = wilson_interval(2, 3)
    assert round(low, 4) == 0.2077 and round(high, 4) == 0.9385
    low, high = wilson_interval(0, 10)
    assert low == 0 and round(high, 4) == 0.2775
    low, high = wilson_interval(81, 263)
    assert round(low, 4) == 0.2553 and round(high, 4) == 0.3662


def test_wilson_has_nothing_to_say_about_nobody_and_refuses_impossible_counts():
    assert wilson_interval(0, 0) is None
    with pytest.raises(ValueError):
        wilson_interval(4, 3)


@given(
    st.integers(min_value=1, max_value=500).flatmap(
        lambda n: st.tuples(st.integers(0, n), st.just(n))
    )
)
def test_wilson_interval_holds_the_proportion_inside_zero_to_one(counts):
    successes, n = counts
    low, high = wilson_interval(successes, n)
    assert 0 <= low <= successes / n <= high <= 1


def test_quantiles_interpolate_between_order_statistics():
    values = [Decimal(v) for v in (-16, -6, -2)]
    assert quantile(values, 0.5) == Decimal(-6)
    assert quantile(values, 0.25) == Decimal(-11)
    assert quantile(values, 0.75) == Decimal(-4)
    assert quantile([Decimal(3)], 0.25) == Decimal(3)
