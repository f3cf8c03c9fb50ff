"""The t and normal wrappers (scipy.stats since the hand-written code went) across many df."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats  # type: ignore[import-untyped]

from pulse_mirror.surveys.stats.distributions import (
    normal_quantile,
    t_quantile,
    t_two_sided,
    t_upper_tail,
)

DFS = [1, 1.2, 1.5, 2, 2.5, 3, 3.7, *range(4, 31), 35, 40, 50, 60, 80, 100, 120, 250, 500]
DFS += [1000, 2500.5, 10_000, 50_000, 99_999, 100_000, 250_000, 1_000_000, 10**9]
PROBABILITIES = [0.0005, 0.001, 0.01, 0.025, 0.05, 0.1, 0.25, 0.4, 0.5]
PROBABILITIES += [0.6, 0.75, 0.9, 0.95, 0.975, 0.99, 0.995, 0.999, 0.9995]


def _close(ours: float, reference: float, tolerance: float = 1e-6) -> bool:
    return abs(ours - reference) <= tolerance * max(1.0, abs(reference))


@pytest.mark.parametrize("df", DFS)
def test_t_quantile_matches_scipy_across_df(df: float) -> None:
    for p in PROBABILITIES:
        assert _close(t_quantile(p, df), float(stats.t.ppf(p, df))), (p, df)


@given(
    p=st.floats(min_value=1e-6, max_value=1 - 1e-6),
    df=st.floats(min_value=1.0, max_value=2e6),
)
def test_t_quantile_matches_scipy_for_any_df_and_p(p: float, df: float) -> None:
    assert _close(t_quantile(p, df), float(stats.t.ppf(p, df)))


def test_t_quantile_known_table_values() -> None:
    # Printed t tables, two-sided 95%.
    assert t_quantile(0.975, 1) == pytest.approx(12.706204736, abs=1e-8)
    assert t_quantile(0.975, 2) == pytest.approx(4.302652730, abs=1e-8)
    assert t_quantile(0.975, 10) == pytest.approx(2.228138852, abs=1e-8)
    assert t_quantile(0.975, 30) == pytest.approx(2.042272456, abs=1e-8)


def test_t_quantile_is_antisymmetric_and_zero_at_the_median() -> None:
    assert t_quantile(0.5, 7) == 0.0
    for df in (1, 2, 4.5, 30, 2000):
        assert t_quantile(0.1, df) == pytest.approx(-t_quantile(0.9, df), rel=1e-12)


def test_t_quantile_tends_to_the_normal() -> None:
    assert t_quantile(0.975, math.inf) == pytest.approx(1.959963984540054, abs=1e-12)
    assert t_quantile(0.975, 10**8) == pytest.approx(1.959963984540054, abs=1e-7)


@pytest.mark.parametrize("df", [1, 2, 3.5, 9, 50, 1000])
@pytest.mark.parametrize("t", [-8.0, -1.0, 0.0, 0.3, 2.0, 40.0])
def test_t_upper_tail_matches_scipy(df: float, t: float) -> None:
    assert t_upper_tail(t, df) == pytest.approx(float(stats.t.sf(t, df)), abs=1e-12, rel=1e-9)


def test_two_sided_p_value_is_twice_the_smaller_tail() -> None:
    assert t_two_sided(2.228138852, 10) == pytest.approx(0.05, abs=1e-9)
    assert t_two_sided(-2.228138852, 10) == pytest.approx(0.05, abs=1e-9)
    assert t_two_sided(0.0, 3) == 1.0
    assert t_two_sided(1.959963984540054, math.inf) == pytest.approx(0.05, abs=1e-12)


def test_normal_quantile_matches_scipy() -> None:
    for p in PROBABILITIES:
        assert normal_quantile(p) == pytest.approx(float(stats.norm.ppf(p)), abs=1e-12)


@pytest.mark.parametrize("p", [0.0, 1.0, -0.1, 1.5, math.nan])
def test_probabilities_outside_zero_one_are_refused(p: float) -> None:
    with pytest.raises(ValueError, match="probability"):
        t_quantile(p, 5)
    with pytest.raises(ValueError, match="probability"):
        normal_quantile(p)


@pytest.mark.parametrize("df", [0, -1, math.nan])
def test_degrees_of_freedom_must_be_positive(df: float) -> None:
    with pytest.raises(ValueError, match="degrees of freedom"):
        t_quantile(0.975, df)
