"""Differences of two independent 0-100 estimates: the perception gap and the weekly change.

Both sides are summaries (never raw counts), so the anonymity threshold has already been
applied: a suppressed side makes the difference ``NOT_ENOUGH`` and carries no number.
A difference built here is one test at 95%; the week's gaps and the week's changes are each
one family, and :func:`holm_family` turns each member into its family-wise verdict and
interval (see :mod:`~pulse_mirror.surveys.stats.family`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

from pulse_mirror.surveys.anonymity import Suppressed
from pulse_mirror.surveys.stats.distributions import t_quantile, t_two_sided
from pulse_mirror.surveys.stats.family import holm, holm_steps
from pulse_mirror.surveys.stats.intervals import CONFIDENCE
from pulse_mirror.surveys.stats.methods import Comparison, Verdict, comparison_method_text
from pulse_mirror.surveys.stats.metrics import Estimate, Summary

__all__ = ["Difference", "Verdict", "change", "difference", "holm_family", "perception_gap"]

ALPHA = 1.0 - CONFIDENCE
# Pseudo answers per sqrt(n), spread evenly over the scale's values, used only for a side's
# SE (never its value). In the spirit of adding pseudo answers (Agresti & Caffo 2000), they
# break the tie between a small skewed group's mean and its SD that made Welch's t call 7-16%
# of null gaps real at 10 vs 100 and 5 vs 200 answers. Their number grows like sqrt(n)
# because the skewness error of a studentised mean shrinks like 1 / sqrt(n) (Hall 1992)
# and grows in the far tails that Holm's steps test: a fixed half answer held 5% at a single
# test but let 6.5-8.8% through at 5%/6 and 5%/15 with 25 vs 120 answers. Measured on the
# skewed 1-5, 1-7 and 0-10 answers of benchmarks/honesty.py, 0.25 keeps 5 vs 200, 10 vs 100
# and 25 vs 120 at or under 4.5% when tested at 5%, 5%/6 or 5%/15 (0.2 let 5.2-5.8% through
# at 25 vs 120); 30 vs 300 on 0-10 still reaches 5.2% at 5%/6 and 6.2% at 5%/15. The price is
# power at tiny groups: 5 vs 200 calls well under 1% of null gaps real.
PSEUDO_PER_ROOT_N = 0.25

# One (SE, df) pair behind an interval: the half-width at level 1 - a is t(1 - a/2, df) x SE.
Term = tuple[float, float]
LIMIT = 100.0  # a difference of two scores on 0-100 lies within ±100


@dataclass(frozen=True)
class Difference:
    """``first - second`` on the 0-100 scale with its interval and verdict.

    Attributes:
        comparison: a perception gap (inside - outside) or a change (this - last week).
        verdict: real, noise, or not enough answers.
        estimate: the difference in points with its interval; None when not enough answers.
        se: the standard error of the difference, sqrt(SE1² + SE2²); None likewise.
        df: the Welch-Satterthwaite degrees of freedom; None likewise.
        suppressed: the sides that were below the threshold, if any.
        p_value: the two-sided p-value of this one test (the interval inverted); None likewise.
        p_adjusted: Holm's adjusted p-value within the week's family; None until adjusted.
        level: the confidence level of ``estimate`` (0.95 alone; Holm's step in a family).
        terms: the (SE, df) pairs whose widest t interval is ``estimate``.
    """

    comparison: Comparison
    verdict: Verdict
    estimate: Estimate | None = None
    se: float | None = None
    df: float | None = None
    suppressed: tuple[Suppressed, ...] = ()
    p_value: float | None = None
    p_adjusted: float | None = None
    level: float | None = None
    terms: tuple[Term, ...] = ()

    def method(self, lang: str = "en") -> str:
        """The one-line formula behind this difference, to print next to it."""
        return comparison_method_text(self.comparison, lang)

    def at_level(self, alpha: float, *, p_adjusted: float | None = None) -> Difference:
        """This difference with its interval at level 1 - ``alpha`` and the verdict it gives.

        The verdict is read off the interval itself, so "real" never sits next to an
        interval holding 0, nor "noise" next to one that excludes it.
        """
        if self.estimate is None:
            return self
        estimate = _interval(self.estimate.value, self.terms, alpha)
        verdict = Verdict.NOISE if estimate.contains(0.0) else Verdict.REAL
        return replace(
            self, verdict=verdict, estimate=estimate, level=1.0 - alpha, p_adjusted=p_adjusted
        )


def difference(
    first: Summary | Suppressed,
    second: Summary | Suppressed,
    *,
    comparison: Comparison,
) -> Difference:
    """``first - second`` of two independent groups' normalised means, tested alone at 95%.

    SE = sqrt(SE1² + SE2²) with Welch-Satterthwaite degrees of freedom for the t quantile,
    each side's SE taken by :func:`_honest_se`. At very small n the Welch interval can come
    out narrower than the noisier side's own interval (its df grows faster than the SE); a
    difference is never known better than its parts, so the half-width is never below either
    side's, neither its t interval nor the bounded-mean interval the report shows for it. The
    p-value inverts exactly that interval: the largest of the two-sided p-values of these
    terms, so the interval at level 1 - a excludes 0 exactly when p < a. The interval is
    clipped to [-100, 100], which never changes whether it holds 0.
    """
    suppressed = tuple(side for side in (first, second) if isinstance(side, Suppressed))
    if not isinstance(first, Summary) or not isinstance(second, Summary):
        return Difference(comparison, Verdict.NOT_ENOUGH, suppressed=suppressed)
    value = first.normalised.value - second.normalised.value
    se1, se2 = _honest_se(first), _honest_se(second)
    se = math.sqrt(se1 * se1 + se2 * se2)
    df = se**4 / (se1**4 / first.df + se2**4 / second.df)
    terms = ((se, df), (se1, float(first.df)), (se2, float(second.df)), *_shown(first, second))
    p_value = max(t_two_sided(value / term_se, term_df) for term_se, term_df in terms)
    alone = Difference(
        comparison, Verdict.NOISE, estimate=Estimate(value, value, value), se=se, df=df,
        p_value=p_value, terms=terms,
    )  # fmt: skip
    return alone.at_level(ALPHA)


def holm_family(
    differences: Sequence[Difference], *, alpha: float = ALPHA
) -> tuple[Difference, ...]:
    """One week's family: each member's Holm verdict, its interval at its Holm step, adjusted p.

    Members without a number (not enough answers) are no test and stay as they are. The
    verdict is read off the interval (:meth:`Difference.at_level`), so the two always agree.
    """
    tested = [i for i, d in enumerate(differences) if d.p_value is not None]
    p_values = [d.p_value for i in tested if (d := differences[i]).p_value is not None]
    steps = holm_steps(p_values, alpha=alpha)
    adjusted = holm(p_values)
    result = list(differences)
    for position, index in enumerate(tested):
        result[index] = differences[index].at_level(steps[position], p_adjusted=adjusted[position])
    return tuple(result)


def _interval(value: float, terms: tuple[Term, ...], alpha: float) -> Estimate:
    """value ± the widest term's half-width, clipped to what a difference on 0-100 can be.

    Clipping at ±100 never moves 0 in or out of the interval, so it never changes a verdict.
    """
    upper = 1.0 - alpha / 2.0
    half = max(t_quantile(upper, term_df) * term_se for term_se, term_df in terms)
    return Estimate(value, max(value - half, -LIMIT), min(value + half, LIMIT))


def _shown(*sides: Summary) -> tuple[Term, ...]:
    """Each side's shown interval as a term: its SE with a normal quantile."""
    return tuple((side.shown_se, math.inf) for side in sides if side.shown_se > 0)


def _honest_se(summary: Summary) -> float:
    """A side's SE on 0-100: the largest of three, so no shape of answers looks too certain.

    1. the sample SE;
    2. the SE with :data:`PSEUDO_PER_ROOT_N` x sqrt(n) answers spread evenly over the scale's
       values added to the answers (for the spread only; the mean stays the sample's);
    3. what one dissenting answer would give, step / n: a unanimous group has a sample SE
       of 0, and a handful of identical answers is no stronger evidence than one dissent.
    """
    n, scale = summary.n, summary.scale
    step = 100.0 / (scale.high - scale.low)
    points = [scale.normalise(v) for v in scale.values]
    centre = sum(points) / len(points)
    spread = sum((x - centre) ** 2 for x in points) / len(points)
    squares = summary.normalised_se**2 * n * (n - 1)
    c = PSEUDO_PER_ROOT_N * math.sqrt(n)
    pooled = squares + c * spread + n * c / (n + c) * (summary.normalised.value - centre) ** 2
    pseudo = math.sqrt(pooled / (n + c - 1.0) / n)
    return max(summary.normalised_se, pseudo, step / n)


def perception_gap(*, inside: Summary | Suppressed, outside: Summary | Suppressed) -> Difference:
    """The perception gap of one mirrored dimension: inside (employees) - outside (customers)."""
    return difference(inside, outside, comparison=Comparison.GAP)


def change(*, current: Summary | Suppressed, previous: Summary | Suppressed) -> Difference:
    """One side's change from last week: this week - last week."""
    return difference(current, previous, comparison=Comparison.CHANGE)
