"""Quantiles and tails of the normal and Student-t distributions, from scipy.stats.

Thin, checked wrappers: a probability outside (0, 1) or a df that is not positive is a
programming error here, never a silent NaN in a published figure.
"""

from __future__ import annotations

import math

from scipy import stats  # type: ignore[import-untyped]


def normal_quantile(p: float) -> float:
    """The standard normal quantile: the z with P(Z <= z) = p."""
    _check_probability(p)
    return float(stats.norm.ppf(p))


def t_quantile(p: float, df: float) -> float:
    """The Student-t quantile: the t with P(T <= t) = p for ``df`` degrees of freedom."""
    _check_probability(p)
    _check_df(df)
    if math.isinf(df):
        return normal_quantile(p)
    return float(stats.t.ppf(p, df))


def t_upper_tail(t: float, df: float) -> float:
    """P(T > t) for a Student-t variable with ``df`` degrees of freedom."""
    _check_df(df)
    if math.isinf(df):
        return float(stats.norm.sf(t))
    return float(stats.t.sf(t, df))


def t_two_sided(t: float, df: float) -> float:
    """The two-sided p-value P(|T| >= |t|) for ``df`` degrees of freedom."""
    return min(1.0, 2.0 * t_upper_tail(abs(t), df))


def _check_probability(p: float) -> None:
    if not 0.0 < p < 1.0:
        raise ValueError(f"probability must lie strictly between 0 and 1, not {p}")


def _check_df(df: float) -> None:
    if not df > 0 or math.isnan(df):
        raise ValueError(f"degrees of freedom must be positive, not {df}")
