"""The raw interval formulas behind the metrics.

Private on purpose: these work on bare counts and know nothing of the anonymity
threshold. Everything a person sees goes through
:func:`~pulse_mirror.surveys.stats.metrics.summarise`, which applies the threshold first.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from pulse_mirror.surveys.stats.distributions import normal_quantile

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
    """A mean with its interval, on the answer scale, and the plain standard error.

    ``se`` and ``df`` are the sample's own (s / sqrt(n), n - 1), for tests that combine two
    groups; ``bounds`` is the interval shown for this one mean and ``shown_se`` its standard
    error on 0-1 (with a normal quantile, before clipping).
    """

    bounds: Bounds
    se: float
    df: int
    shown_se: float = 0.0


def agresti_coull(successes: int, n: int) -> Bounds:
    """The share successes / n as a percentage with its Agresti-Coull interval.

    The same method as :func:`mean_bounded` for answers of 0 and 1: z^2/2 pseudo-successes
    and z^2/2 pseudo-failures for the interval, the plain share as the figure. Near 0% and
    100% it holds its level where Wilson's interval dips to about 91% (at 10 answers).
    """
    found = mean_bounded({0: n - successes, 1: successes}, n, low=0, high=1).bounds
    return Bounds(100.0 * found.value, 100.0 * found.low, 100.0 * found.high)


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


def mean_bounded(histogram: Mapping[int, int], n: int, *, low: int, high: int) -> MeanBounds:
    """The mean of answers on ``low..high`` with an Agresti-Coull interval for bounded means.

    On the scale mapped to 0-1, z^2/2 pseudo-answers are added at each end of the scale for
    the interval only: its centre and spread come from the n + z^2 answers, and its ends are
    clipped to the scale and widened, if ever needed, to include the plain mean. For answers
    that use only the two ends this is exactly Agresti & Coull's (1998) interval for a
    proportion. Unlike Student's t it never has zero width (five identical answers still
    leave room for a sixth that differs) and it keeps its level when nearly everyone gives the
    same answer, where a t interval of 10 answers covers the true mean less than half the time.
    The plain mean is the figure shown; ``se`` and ``df`` stay the sample's own.
    """
    width = float(high - low)
    mean = sum(value * count for value, count in histogram.items()) / n
    # Two-pass sum of squares: stable even for a million answers near one value.
    squares = sum(count * (value - mean) ** 2 for value, count in histogram.items())
    se = math.sqrt(squares / (n - 1) / n) if n > 1 else 0.0
    pseudo = Z * Z
    total = n + pseudo
    share = (sum(count * (value - low) for value, count in histogram.items()) / width
             + pseudo / 2.0) / total  # fmt: skip
    second = (sum(count * ((value - low) / width) ** 2 for value, count in histogram.items())
              + pseudo / 2.0) / total  # fmt: skip
    shown_se = math.sqrt(max(second - share * share, 0.0) / total)
    half = Z * shown_se
    plain = (mean - low) / width
    lower = max(0.0, min(share - half, plain))
    upper = min(1.0, max(share + half, plain))
    bounds = Bounds(mean, low + lower * width, low + upper * width)
    return MeanBounds(bounds, se, max(n - 1, 1), shown_se)
