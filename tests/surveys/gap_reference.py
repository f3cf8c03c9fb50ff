"""An independent reference for the gap statistics, written from the method text, not the code.

Each side's SE on 0-100 is the largest of: the sample SE; the SE with sqrt(n) / 4 answers spread
evenly over the scale's points added to the answers (spread only); one step / n. The
interval at level 1 - a is value ± the largest of t(1 - a/2, Welch df) x SE, each side's
t(1 - a/2, n - 1) x SE_side and each side's z(1 - a/2) x the SE of its shown interval (the
bounded-mean interval: z²/2 extra answers at each end of the scale); quantiles from scipy.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from scipy import stats  # type: ignore[import-untyped]

PSEUDO_PER_ROOT_N = 0.25
Z = float(stats.norm.ppf(0.975))


def _with_ends(values: Sequence[int], low: int, high: int) -> tuple[float, float, float]:
    """The answers on 0-1 with z²/2 extra at 0 and at 1: (centre, variance, total weight)."""
    unit = [(v - low) / (high - low) for v in values]
    weights = [1.0] * len(unit) + [Z**2 / 2, Z**2 / 2]
    points = [*unit, 0.0, 1.0]
    total = sum(weights)
    centre = sum(w * x for w, x in zip(weights, points, strict=True)) / total
    var = sum(w * (x - centre) ** 2 for w, x in zip(weights, points, strict=True)) / total
    return centre, var, total


def bounded_interval(values: Sequence[int], low: int, high: int) -> tuple[float, float]:
    """The side's shown 95% interval on its own scale: centre ± z√(variance / total weight),
    clipped to the scale and widened to hold the plain mean."""
    centre, var, total = _with_ends(values, low, high)
    half = Z * math.sqrt(var / total)
    plain = sum((v - low) / (high - low) for v in values) / len(values)
    lo, hi = max(0.0, min(centre - half, plain)), min(1.0, max(centre + half, plain))
    return low + lo * (high - low), low + hi * (high - low)


def shown_se(values: Sequence[int], low: int, high: int) -> float:
    """The SE behind the side's shown interval, on 0-100."""
    _, var, total = _with_ends(values, low, high)
    return 100 * math.sqrt(var / total)


def normalised(values: Sequence[int], low: int, high: int) -> list[float]:
    return [(v - low) / (high - low) * 100 for v in values]


def honest_se(values: Sequence[int], low: int, high: int) -> float:
    xs = normalised(values, low, high)
    points = normalised(range(low, high + 1), low, high)
    n = len(xs)
    sample = math.sqrt(sum((x - sum(xs) / n) ** 2 for x in xs) / (n - 1) / n)
    weights = [1.0] * n + [PSEUDO_PER_ROOT_N * math.sqrt(n) / len(points)] * len(points)
    everything = xs + points
    total = sum(weights)
    mean = sum(w * x for w, x in zip(weights, everything, strict=True)) / total
    squares = sum(w * (x - mean) ** 2 for w, x in zip(weights, everything, strict=True))
    pseudo = math.sqrt(squares / (total - 1) / n)
    return max(sample, pseudo, 100 / (high - low) / n)


def welch_df(se1: float, n1: int, se2: float, n2: int) -> float:
    return (se1**2 + se2**2) ** 2 / (se1**4 / (n1 - 1) + se2**4 / (n2 - 1))


def half_width(
    first: Sequence[int], second: Sequence[int], low: int, high: int, level: float = 0.95
) -> float:
    se1, se2 = honest_se(first, low, high), honest_se(second, low, high)
    n1, n2 = len(first), len(second)
    q = 1 - (1 - level) / 2
    return max(
        float(stats.t.ppf(q, welch_df(se1, n1, se2, n2))) * math.hypot(se1, se2),
        float(stats.t.ppf(q, n1 - 1)) * se1,
        float(stats.t.ppf(q, n2 - 1)) * se2,
        float(stats.norm.ppf(q)) * shown_se(first, low, high),
        float(stats.norm.ppf(q)) * shown_se(second, low, high),
    )


def holm_adjusted(p_values: Sequence[float]) -> list[float]:
    """Holm's adjusted p-values, written out the textbook way (sorted, running max)."""
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    out = [0.0] * m
    best = 0.0
    for rank, i in enumerate(order):
        best = max(best, min(1.0, (m - rank) * p_values[i]))
        out[i] = best
    return out


def p_value(first: Sequence[int], second: Sequence[int], low: int, high: int) -> float:
    """The smallest a at which the interval at 1 - a excludes 0: the largest term's p-value."""
    se1, se2 = honest_se(first, low, high), honest_se(second, low, high)
    n1, n2 = len(first), len(second)
    xs, ys = normalised(first, low, high), normalised(second, low, high)
    value = sum(xs) / n1 - sum(ys) / n2
    terms = [(math.hypot(se1, se2), welch_df(se1, n1, se2, n2)), (se1, n1 - 1), (se2, n2 - 1)]
    shown = [shown_se(first, low, high), shown_se(second, low, high)]
    return max(
        *(2 * float(stats.t.sf(abs(value) / se, df)) for se, df in terms),
        *(2 * float(stats.norm.sf(abs(value) / se)) for se in shown),
    )


def holm_levels(p_values: Sequence[float], alpha: float = 0.05) -> list[float]:
    """The confidence level each member is shown at: 1 - alpha / (m - rank) up to Holm's stop."""
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    levels = [0.0] * m
    stop: float | None = None
    for rank, i in enumerate(order):
        a = alpha / (m - rank) if stop is None else stop
        if stop is None and p_values[i] >= a:
            stop = a
        levels[i] = 1 - a
    return levels
