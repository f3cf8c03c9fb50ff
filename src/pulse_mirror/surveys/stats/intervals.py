"""The raw interval formulas behind the metrics.

Private on purpose: these work on bare counts and know nothing of the anonymity
threshold. Everything a person sees goes through
:func:`~pulse_mirror.surveys.stats.metrics.summarise`, which applies the threshold first.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from pulse_mirror.surveys.stats.distributions import normal_quantile, t_quantile

CONFIDENCE = 0.95
Z = normal_quantile(1.0 - (1.0 - CONFIDENCE) / 2.0)


@dataclass(frozen=True)
class Bounds:
    """A point estimate with the lower and upper end of its 95% interval."""

    value: float
    low: float
    high: float


@dataclass(frozen=True)
class MeanBounds:
    """A mean with its Student-t interval and standard error, on the answer scale."""

    bounds: Bounds
    se: float
    df: int


def wilson(successes: int, n: int) -> Bounds:
    """The share successes / n as a percentage with its Wilson score interval."""
    share = successes / n
    denominator = 1.0 + Z * Z / n
    centre = (share + Z * Z / (2.0 * n)) / denominator
    half = Z * math.sqrt(share * (1.0 - share) / n + Z * Z / (4.0 * n * n)) / denominator
    low, high = max(0.0, centre - half), min(1.0, centre + half)
    # Wilson's interval always holds the share; min/max only absorb rounding at 0 and 1.
    return Bounds(100.0 * share, 100.0 * min(low, share), 100.0 * max(high, share))


def adjusted_wald_nps(*, promoters: int, detractors: int, n: int) -> Bounds:
    """NPS in points (-100..100) with its adjusted-Wald interval.

    Adds 3 answers to n and 0.75 to promoters and to detractors, takes the trinomial
    variance of the adjusted difference, and clips the interval to [-100, 100]. The point
    estimate is the plain NPS; the interval is centred on the adjusted one and is widened,
    if ever needed, to include the plain NPS (it already does for every n >= 2).
    """
    value = (promoters - detractors) / n
    adjusted_n = n + 3.0
    share_p = (promoters + 0.75) / adjusted_n
    share_d = (detractors + 0.75) / adjusted_n
    centre = share_p - share_d
    se = math.sqrt((share_p + share_d - centre * centre) / adjusted_n)
    low = max(-1.0, min(centre - Z * se, value))
    high = min(1.0, max(centre + Z * se, value))
    return Bounds(100.0 * value, 100.0 * low, 100.0 * high)


def mean_t(histogram: Mapping[int, int], n: int) -> MeanBounds:
    """The mean of a histogram with its Student-t interval (needs n >= 2)."""
    mean = sum(value * count for value, count in histogram.items()) / n
    # Two-pass sum of squares: stable even for a million answers near one value.
    squares = sum(count * (value - mean) ** 2 for value, count in histogram.items())
    se = math.sqrt(squares / (n - 1) / n)
    half = t_quantile(1.0 - (1.0 - CONFIDENCE) / 2.0, n - 1) * se
    return MeanBounds(Bounds(mean, mean - half, mean + half), se, n - 1)
