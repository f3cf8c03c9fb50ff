"""Report pieces from the statistics: a side's score, a difference's shift, the latest gap.

A dimension the report week has no gap for shows its latest gap of the weeks before, as that
week's report showed it (see :class:`~pulse_mirror.surveys.report.figures.Latest`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from pulse_mirror.surveys.anonymity import Suppressed
from pulse_mirror.surveys.model import IsoWeek, Item
from pulse_mirror.surveys.report.figures import Latest, Score, Shift

if TYPE_CHECKING:  # types only: the report's chain of imports stays within ten floors
    from pulse_mirror.surveys.stats.gaps import Difference
    from pulse_mirror.surveys.stats.metrics import Summary


def score_of(summary: Summary) -> Score:
    """One side's figures for the report."""
    return Score(
        n=summary.n,
        value=summary.value,
        score=summary.normalised,
        mean=summary.mean,
        shares=summary.shares,
    )


def shift_of(difference: Difference) -> Shift:
    """A gap or change for the report: its verdict, and its interval when it has a number."""
    if difference.estimate is None:
        return Shift(difference.verdict)
    return Shift(difference.verdict, difference.estimate, difference.level, difference.p_adjusted)


def latest_shown(
    summary: Callable[[IsoWeek, Item], Summary | Suppressed],
    pair: tuple[Item, Item],
    gaps: Sequence[tuple[IsoWeek, Difference]],
    *,
    now: Shift,
) -> Latest | None:
    """None when the report week's gap (``now``) has a number; else the most recent of
    ``gaps`` (oldest first) with one, both sides as that week showed them."""
    if now.estimate is not None:
        return None
    inside, outside = pair
    for when, gap in reversed(gaps):
        first, second = summary(when, inside), summary(when, outside)
        if gap.estimate is None or isinstance(first, Suppressed):
            continue
        if not isinstance(second, Suppressed):
            return Latest(str(when), score_of(first), score_of(second), shift_of(gap))
    return None
