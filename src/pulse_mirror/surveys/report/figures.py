"""One dimension's figures in the weekly report: frozen data, no number below the threshold.

Built by :func:`~pulse_mirror.surveys.report.build.build_report`; a side without figures says why in
``hidden``: fewer than k answers, not asked this week, or its answer window still open.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pulse_mirror.surveys.model import Metric, Side
from pulse_mirror.surveys.stats.methods import Verdict

if TYPE_CHECKING:
    from pulse_mirror.surveys.stats.metrics import Estimate, NpsShares

_NOT_ASKED = {"en": "not asked this week", "de": "diese Woche nicht gefragt"}


def not_asked_text(lang: str) -> str:
    """ "not asked this week" in ``lang`` (English fallback)."""
    return _NOT_ASKED.get(lang) or _NOT_ASKED["en"]


@dataclass(frozen=True)
class Score:
    """One group's figures, only ever from at least k answers."""

    n: int
    value: Estimate
    score: Estimate
    mean: Estimate
    shares: NpsShares | None = None


@dataclass(frozen=True)
class Shift:
    """A difference in points on 0-100 with its interval, or no number below the threshold.

    ``level`` is the interval's confidence (Holm's step for this member of the week's family,
    at least 0.95) and ``p_adjusted`` its Holm-adjusted p-value; both None without a number.
    """

    verdict: Verdict
    estimate: Estimate | None = None
    level: float | None = None
    p_adjusted: float | None = None


@dataclass(frozen=True)
class SideFigures:
    """One side of a dimension in the report week, and its change from last week.

    ``asked`` is False when the week's pulses did not include the item; ``hidden`` then
    says "not asked this week" rather than "fewer than k answers". ``open_until`` is set
    while the side's answer window is open; ``hidden`` then says so, whatever else holds.
    """

    side: Side
    item: str
    score: Score | None
    hidden: str | None
    change: Shift
    asked: bool = True
    open_until: dt.datetime | None = None


@dataclass(frozen=True)
class TrendPoint:
    """One week of a dimension's trend: the gap, or the one side's score.

    ``open_until`` is set when a side's window of that week is still open (no figure then).
    """

    week: str
    gap: Shift | None = None
    score: Estimate | None = None
    open_until: dt.datetime | None = None


@dataclass(frozen=True)
class Latest:
    """A dimension's freshest figures when the report week has no gap for it.

    The most recent earlier week within the last ``latest_weeks`` whose gap had a number: its
    two sides and its gap exactly as that week's report showed them (verdict from that week's
    family), marked with the week, so nothing new is computed, tested or revealed.
    """

    week: str
    inside: Score
    outside: Score
    gap: Shift


@dataclass(frozen=True)
class MirroredDimension:
    """A dimension asked of both sides: inside, outside, the gap and its trend."""

    key: str
    title: str
    metric: Metric
    scale: str
    custom: bool
    inside: SideFigures
    outside: SideFigures
    gap: Shift
    trend: tuple[TrendPoint, ...]
    latest: Latest | None = None  # only when ``gap`` has no number this week

    @property
    def not_asked(self) -> tuple[Side, ...]:
        """The sides whose pulses did not include this dimension in the report week."""
        return tuple(f.side for f in (self.inside, self.outside) if not f.asked)

    @property
    def still_open(self) -> tuple[Side, ...]:
        """The sides whose answer window of the report week is still open."""
        return tuple(f.side for f in (self.inside, self.outside) if f.open_until is not None)


@dataclass(frozen=True)
class OneSidedDimension:
    """A dimension asked of one side only (eNPS, internal service, understanding, ...)."""

    key: str
    title: str
    metric: Metric
    scale: str
    custom: bool
    figures: SideFigures
    trend: tuple[TrendPoint, ...]
