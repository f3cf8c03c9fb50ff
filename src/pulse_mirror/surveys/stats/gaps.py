"""Differences of two independent 0-100 estimates: the perception gap and the weekly change.

Both sides are summaries (never raw counts), so the anonymity threshold has already been
applied: a suppressed side makes the difference ``NOT_ENOUGH`` and carries no number.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from pulse_mirror.surveys.anonymity import Suppressed
from pulse_mirror.surveys.stats.distributions import t_quantile
from pulse_mirror.surveys.stats.intervals import CONFIDENCE
from pulse_mirror.surveys.stats.methods import Comparison, Verdict, comparison_method_text
from pulse_mirror.surveys.stats.metrics import Estimate, Summary

__all__ = ["Difference", "Verdict", "change", "difference", "perception_gap"]

_UPPER = 1.0 - (1.0 - CONFIDENCE) / 2.0


@dataclass(frozen=True)
class Difference:
    """``first - second`` on the 0-100 scale with its 95% interval and verdict.

    Attributes:
        comparison: a perception gap (inside - outside) or a change (this - last week).
        verdict: real, noise, or not enough answers.
        estimate: the difference in points with its interval; None when not enough answers.
        se: the standard error of the difference, sqrt(SE1² + SE2²); None likewise.
        df: the Welch-Satterthwaite degrees of freedom; None likewise.
        suppressed: the sides that were below the threshold, if any.
    """

    comparison: Comparison
    verdict: Verdict
    estimate: Estimate | None = None
    se: float | None = None
    df: float | None = None
    suppressed: tuple[Suppressed, ...] = ()

    def method(self, lang: str = "en") -> str:
        """The one-line formula behind this difference, to print next to it."""
        return comparison_method_text(self.comparison, lang)


def difference(
    first: Summary | Suppressed,
    second: Summary | Suppressed,
    *,
    comparison: Comparison,
) -> Difference:
    """``first - second`` of two independent groups' normalised means.

    SE = sqrt(SE1² + SE2²) with Welch-Satterthwaite degrees of freedom for the t quantile.
    At very small n the Welch interval can come out narrower than the noisier side's own
    interval (its df grows faster than the SE); a difference is never known better than
    its parts, so the half-width is never below either side's. The interval is not
    clipped to [-100, 100], so its width stays comparable with the sides'.
    """
    suppressed = tuple(side for side in (first, second) if isinstance(side, Suppressed))
    if not isinstance(first, Summary) or not isinstance(second, Summary):
        return Difference(comparison, Verdict.NOT_ENOUGH, suppressed=suppressed)
    value = first.normalised.value - second.normalised.value
    se1, se2 = _honest_se(first), _honest_se(second)
    se = math.sqrt(se1 * se1 + se2 * se2)
    df = se**4 / (se1**4 / first.df + se2**4 / second.df)
    half = max(
        t_quantile(_UPPER, df) * se,
        t_quantile(_UPPER, first.df) * se1,
        t_quantile(_UPPER, second.df) * se2,
    )
    estimate = Estimate(value, value - half, value + half)
    verdict = Verdict.NOISE if estimate.contains(0.0) else Verdict.REAL
    return Difference(comparison, verdict, estimate=estimate, se=se, df=df)


def _honest_se(summary: Summary) -> float:
    """The SE of a normalised mean, never below what one dissenting answer would give.

    A unanimous group has a sample SE of 0, which would make any difference look certain.
    Had one of its n people answered one step away, the SE would be step / n; a handful of
    identical answers is no stronger evidence than that.
    """
    step = 100.0 / (summary.scale.high - summary.scale.low)
    return max(summary.normalised_se, step / summary.n)


def perception_gap(*, inside: Summary | Suppressed, outside: Summary | Suppressed) -> Difference:
    """The perception gap of one mirrored dimension: inside (employees) - outside (customers)."""
    return difference(inside, outside, comparison=Comparison.GAP)


def change(*, current: Summary | Suppressed, previous: Summary | Suppressed) -> Difference:
    """One side's change from last week: this week - last week."""
    return difference(current, previous, comparison=Comparison.CHANGE)
