"""Survey statistics from a histogram of answers, behind the anonymity threshold.

Every metric is computed from one item's histogram (answer value -> count), which the
storage layer can build with ``GROUP BY item, value`` over any number of answers.
:func:`summarise` is the only public way to get a number, and it returns
:class:`~pulse_mirror.surveys.anonymity.Suppressed` instead whenever fewer than k people answered.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from pulse_mirror.surveys.anonymity import Anonymity, Suppressed
from pulse_mirror.surveys.model import Metric, Scale
from pulse_mirror.surveys.stats import intervals as _intervals
from pulse_mirror.surveys.stats.methods import method_text

logger = logging.getLogger(__name__)

Histogram = Mapping[int, int]

NPS_SCALE = Scale(0, 10)
FIVE_POINT_SCALE = Scale(1, 5)
PROMOTER_MIN = 9
DETRACTOR_MAX = 6
FAVOURABLE_MIN = 4  # top-2-box on 1-5: CSAT "satisfied" and agreement "favourable"

_REQUIRED_SCALE = {
    Metric.NPS: NPS_SCALE,
    Metric.CSAT: FIVE_POINT_SCALE,
    Metric.AGREEMENT: FIVE_POINT_SCALE,
}


@dataclass(frozen=True)
class Estimate:
    """A point estimate with its 95% interval, ``low <= value <= high``."""

    value: float
    low: float
    high: float

    @property
    def half_width(self) -> float:
        """The larger distance from the estimate to an end of the interval."""
        return max(self.value - self.low, self.high - self.value)

    def contains(self, x: float) -> bool:
        """Whether ``x`` lies inside the interval, ends included."""
        return self.low <= x <= self.high


@dataclass(frozen=True)
class NpsShares:
    """Shares of detractors (0-6), passives (7-8) and promoters (9-10) in %, summing to 100."""

    detractors: float
    passives: float
    promoters: float


@dataclass(frozen=True)
class Summary:
    """One item's answers summarised; only ever built from at least k answers.

    Attributes:
        metric: how the item is summarised.
        scale: the item's answer scale.
        n: the number of answers.
        value: the metric in its own unit (NPS points, CSAT %, mean, % favourable).
        mean: the mean on the answer scale with its interval for a bounded mean.
        normalised: the mean on 0-100, (x - min) / (max - min) x 100, interval likewise.
        normalised_se: the standard error of the normalised mean.
        df: the sample's degrees of freedom (n - 1), for tests that combine two groups.
        shown_se: the standard error behind ``normalised``'s interval, on 0-100 (normal).
        shares: for NPS only, the detractor / passive / promoter split.
    """

    metric: Metric
    scale: Scale
    n: int
    value: Estimate
    mean: Estimate
    normalised: Estimate
    normalised_se: float
    df: int
    shares: NpsShares | None = None
    shown_se: float = 0.0

    def method(self, lang: str = "en") -> str:
        """The one-line formula behind ``value``, to print next to it."""
        return method_text(self.metric, lang)


def histogram(values: Iterable[int]) -> dict[int, int]:
    """Count answers into a histogram: value -> number of answers with that value."""
    return dict(Counter(values))


def summarise(
    answers: Histogram, *, metric: Metric, scale: Scale, anonymity: Anonymity
) -> Summary | Suppressed:
    """Summarise one item's histogram, or ``Suppressed`` when fewer than k answered."""
    _check_scale(metric, scale)
    counts = _clean(answers, scale)
    n = sum(counts.values())
    suppressed = anonymity.check(n)
    if suppressed is not None:
        logger.debug("summary suppressed", extra={"metric": str(metric), "n": n, "k": suppressed.k})
        return suppressed
    mean_bounds = _intervals.mean_bounded(counts, n, low=scale.low, high=scale.high)
    mean = _estimate(mean_bounds.bounds)
    normalised = Estimate(
        scale.normalise(mean.value), scale.normalise(mean.low), scale.normalise(mean.high)
    )
    normalised_se = mean_bounds.se * 100.0 / (scale.high - scale.low)
    value, shares = _native(counts, n=n, metric=metric, mean=mean)
    return Summary(
        metric=metric,
        scale=scale,
        n=n,
        value=value,
        mean=mean,
        normalised=normalised,
        normalised_se=normalised_se,
        df=mean_bounds.df,
        shares=shares,
        shown_se=100.0 * mean_bounds.shown_se,
    )


def _native(
    counts: Mapping[int, int], *, n: int, metric: Metric, mean: Estimate
) -> tuple[Estimate, NpsShares | None]:
    if metric is Metric.NPS:
        promoters = sum(c for v, c in counts.items() if v >= PROMOTER_MIN)
        detractors = sum(c for v, c in counts.items() if v <= DETRACTOR_MAX)
        nps = _intervals.adjusted_wald_nps(promoters=promoters, detractors=detractors, n=n)
        shares = NpsShares(
            detractors=100.0 * detractors / n,
            passives=100.0 * (n - promoters - detractors) / n,
            promoters=100.0 * promoters / n,
        )
        return _estimate(nps), shares
    if metric in (Metric.CSAT, Metric.AGREEMENT):
        favourable = sum(c for v, c in counts.items() if v >= FAVOURABLE_MIN)
        return _estimate(_intervals.agresti_coull(favourable, n)), None
    return mean, None


def _check_scale(metric: Metric, scale: Scale) -> None:
    if metric is Metric.TEXT:
        raise ValueError("free-text items have no numbers to summarise")
    required = _REQUIRED_SCALE.get(metric)
    if required is not None and scale != required:
        raise ValueError(f"{metric.value} is defined on the {required} scale, not {scale}")


def _clean(answers: Histogram, scale: Scale) -> dict[int, int]:
    counts: dict[int, int] = {}
    for value, count in answers.items():
        if count < 0:
            raise ValueError(f"answer value {value} has a negative count ({count})")
        if count and not scale.contains(value):
            raise ValueError(f"answer value {value} is outside the {scale} scale")
        if count:
            counts[value] = count
    return counts


def _estimate(bounds: _intervals.Bounds) -> Estimate:
    return Estimate(bounds.value, bounds.low, bounds.high)
