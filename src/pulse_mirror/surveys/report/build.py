"""The weekly perception-gap report as data: pure, frozen and JSON-ready.

Input is already aggregated (:class:`~pulse_mirror.surveys.report.inputs.ReportInput`).
Every figure goes through :func:`~pulse_mirror.surveys.stats.metrics.summarise`, so a group
below the anonymity threshold carries no number at all, only the text "fewer than k answers".
An item the week's pulses did not include (known from the plan, not from the answers) says
"not asked this week" instead.
A side whose answer window is still open (see :mod:`~pulse_mirror.surveys.report.windows`)
gives no figure at all: its answers and comments are dropped before anything is computed, and
it says "window still open until <time>". Response rates and comments are in
:mod:`~pulse_mirror.surveys.report.responses`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from pulse_mirror.surveys.anonymity import Anonymity, Suppressed
from pulse_mirror.surveys.bank import QuestionBank
from pulse_mirror.surveys.model import Dimension, IsoWeek, Item, Metric, Side
from pulse_mirror.surveys.report.figures import (
    MirroredDimension,
    OneSidedDimension,
    Score,
    Shift,
    SideFigures,
    TrendPoint,
    not_asked_text,
)
from pulse_mirror.surveys.report.inputs import HistogramKey, ReportInput
from pulse_mirror.surveys.report.latest import latest_shown, score_of, shift_of
from pulse_mirror.surveys.report.responses import (
    Comments,
    ResponseRate,
    response_rate,
    side_histograms,
    week_comments,
)
from pulse_mirror.surveys.report.week import WeekReport
from pulse_mirror.surveys.report.windows import (
    OpenWindow,
    WindowKey,
    open_windows,
    still_open_text,
    withheld,
)
from pulse_mirror.surveys.stats.gaps import Difference, change, holm_family, perception_gap
from pulse_mirror.surveys.stats.methods import (
    Comparison,
    comparison_method_text,
    family_method_text,
    method_text,
)
from pulse_mirror.surveys.stats.methods import normalised_method_text as _normalised_method
from pulse_mirror.surveys.stats.metrics import Summary, summarise

__all__ = [
    "Comments",
    "HistogramKey",
    "MirroredDimension",
    "OneSidedDimension",
    "OpenWindow",
    "ReportInput",
    "ResponseRate",
    "Score",
    "Shift",
    "SideFigures",
    "TrendPoint",
    "WeekReport",
    "not_asked_text",
]


def build_report(
    *,
    week: IsoWeek,
    bank: QuestionBank,
    data: ReportInput,
    anonymity: Anonymity,
    trend_weeks: int = 8,
    lang: str = "en",
    now: dt.datetime | None = None,
    latest_weeks: int = 4,
) -> WeekReport:
    """Build the report of ``week`` from aggregated answers, applying the threshold throughout.

    ``now`` (read before the data was) tells which answer windows are still open; it is
    required when ``data`` knows any window's close. A dimension without a gap this week
    shows its latest gap of the ``latest_weeks`` before (at most ``trend_weeks`` - 1).
    """
    if trend_weeks < 1:
        raise ValueError(f"trend_weeks must be at least 1, not {trend_weeks}")
    if data.closes_at and now is None:
        raise ValueError("now is needed to tell which answer windows are still open")
    still_open = open_windows(data.closes_at, now=now) if now is not None else {}
    weeks = tuple(week.shift(offset) for offset in range(1 - trend_weeks, 1))
    figures = _Figures(data=data, anonymity=anonymity, lang=lang, week=week, still_open=still_open)
    figures.families(bank, weeks)
    recent = weeks[-1 - min(latest_weeks, trend_weeks - 1) : -1]
    mirrored = tuple(
        _mirrored(dim, bank=bank, week=week, weeks=weeks, figures=figures, lang=lang, recent=recent)
        for dim in bank.mirrored()
    )
    one_sided = tuple(
        _one_sided(dim, bank=bank, week=week, weeks=weeks, figures=figures, lang=lang)
        for side in (Side.EMPLOYEE, Side.CUSTOMER)
        for dim in bank.one_sided(side)
    )
    return WeekReport(
        week=str(week),
        language=lang,
        min_respondents=anonymity.min_respondents,
        min_commenters=anonymity.min_commenters,
        mirrored=mirrored,
        one_sided=one_sided,
        response_rates=tuple(
            response_rate(
                side,
                answered=side_histograms(
                    figures.histograms,
                    week=week,
                    side=side,
                    items=[item.key for item in bank.items_for(side) if not item.is_text],
                ),
                asked=data.asked.get(side, 0),
                anonymity=anonymity,
                lang=lang,
                open_until=figures.open_until(week, side),
            )
            for side in (Side.EMPLOYEE, Side.CUSTOMER)
        ),
        comments=tuple(
            week_comments(
                side,
                week=week,
                comments=figures.comments,
                anonymity=anonymity,
                lang=lang,
                open_until=figures.open_until(week, side),
            )
            for side in (Side.EMPLOYEE, Side.CUSTOMER)
        ),
        trend_weeks=tuple(str(w) for w in weeks),
        methods=_methods(bank, lang),
        open_windows=tuple(
            OpenWindow(str(when), side, still_open[(when, side)])
            for when in weeks
            for side in (Side.EMPLOYEE, Side.CUSTOMER)
            if (when, side) in still_open
        ),
    )


class _Figures:
    """Summaries of (week, item), computed once each, never from an open window's answers."""

    def __init__(
        self,
        *,
        data: ReportInput,
        anonymity: Anonymity,
        lang: str,
        week: IsoWeek,
        still_open: Mapping[WindowKey, dt.datetime],
    ) -> None:
        self._data = data
        self._anonymity = anonymity
        self._lang = lang
        self._week = week
        self._open = still_open
        # Dropped once, here: nothing below can count an answer of an open window.
        self.histograms = withheld(data.histograms, still_open)
        self.comments = [c for c in data.comments if (c.week, c.side) not in still_open]
        self._cache: dict[tuple[IsoWeek, str], Summary | Suppressed] = {}
        self.gaps: dict[tuple[IsoWeek, str], Difference] = {}
        self.changes: dict[str, Difference] = {}

    def families(self, bank: QuestionBank, weeks: Sequence[IsoWeek]) -> None:
        """Test each week's gaps, and the report week's changes, as one Holm family each.

        At most a 5% chance that any "real" in a family is a false alarm; a trend week's gaps
        are that week's family, so the last trend point is the headline's gap.
        """
        keys = [dim.key for dim in bank.mirrored()]
        for when in weeks:
            pairs = [_pair(bank, key) for key in keys]
            raw = [
                perception_gap(inside=self.summary(when, i), outside=self.summary(when, o))
                for i, o in pairs
            ]
            self.gaps.update(((when, k), g) for k, g in zip(keys, holm_family(raw), strict=True))
        items = _shown_items(bank)
        moved = [
            change(
                current=self.summary(self._week, item),
                previous=self.summary(self._week.shift(-1), item),
            )
            for item in items
        ]
        self.changes = dict(zip((i.key for i in items), holm_family(moved), strict=True))

    def open_until(self, week: IsoWeek, side: Side) -> dt.datetime | None:
        """When ``side``'s window of ``week`` closes, if it is still open."""
        return self._open.get((week, side))

    def summary(self, week: IsoWeek, item: Item) -> Summary | Suppressed:
        key = (week, item.key)
        if key not in self._cache:
            assert item.scale is not None
            counts = self.histograms.get((week, item.side, item.key), {})
            self._cache[key] = summarise(
                counts, metric=item.metric, scale=item.scale, anonymity=self._anonymity
            )
        return self._cache[key]

    def asked(self, week: IsoWeek, item: Item) -> bool:
        """False for the report week's items its side's pulses left out, unless k answered.

        A side with no pulse at all that week (history imported from another tool) has no
        plan to go by: its items count as asked. Otherwise a handful of stray answers (fewer
        than k) to an item left out reads "not asked this week" like none at all, since
        "fewer than k answers" would tell 1-4 answers from 0.
        """
        pulsed = self._data.pulsed
        included = pulsed.get(item.side) if pulsed is not None else None
        if not included or week != self._week or item.key in included:
            return True
        counts = self.histograms.get((week, item.side, item.key), {})
        return self._anonymity.check(sum(counts.values())) is None

    def side(self, week: IsoWeek, item: Item) -> SideFigures:
        current = self.summary(week, item)
        moved = self.changes[item.key]
        until = self.open_until(week, item.side)
        if until is not None:
            hidden = still_open_text(until, self._lang)
            return SideFigures(
                item.side, item.key, None, hidden, shift_of(moved),
                asked=self.asked(week, item), open_until=until,
            )  # fmt: skip
        if not self.asked(week, item):
            hidden = not_asked_text(self._lang)
            return SideFigures(item.side, item.key, None, hidden, shift_of(moved), asked=False)
        if isinstance(current, Suppressed):
            return SideFigures(
                item.side, item.key, None, current.text_in(self._lang), shift_of(moved)
            )
        return SideFigures(item.side, item.key, score_of(current), None, shift_of(moved))


def _shown_items(bank: QuestionBank) -> list[Item]:
    """The items whose change the report shows: both sides of each mirrored dimension and
    each one-sided dimension's item, the family of the week's changes."""
    items = [item for dim in bank.mirrored() for item in _pair(bank, dim.key)]
    for side in (Side.EMPLOYEE, Side.CUSTOMER):
        items += [_one_item(bank, dim) for dim in bank.one_sided(side)]
    return items


def _pair(bank: QuestionBank, key: str) -> tuple[Item, Item]:
    items = {item.side: item for item in bank.items_of(key) if not item.is_text}
    return items[Side.EMPLOYEE], items[Side.CUSTOMER]


def _one_item(bank: QuestionBank, dim: Dimension) -> Item:
    return next(item for item in bank.items_of(dim.key) if not item.is_text)


def _mirrored(
    dim: Dimension,
    *,
    bank: QuestionBank,
    week: IsoWeek,
    weeks: Sequence[IsoWeek],
    figures: _Figures,
    lang: str,
    recent: Sequence[IsoWeek] = (),
) -> MirroredDimension:
    inside, outside = _pair(bank, dim.key)

    def gap_of(when: IsoWeek) -> Shift:
        return shift_of(figures.gaps[(when, dim.key)])

    def open_until(when: IsoWeek) -> dt.datetime | None:
        closes = [figures.open_until(when, item.side) for item in (inside, outside)]
        return max((c for c in closes if c is not None), default=None)

    return MirroredDimension(
        key=dim.key,
        title=dim.title_in(lang),
        metric=dim.metric,
        scale=str(dim.scale),
        custom=dim.custom,
        inside=figures.side(week, inside),
        outside=figures.side(week, outside),
        gap=gap_of(week),
        trend=tuple(
            TrendPoint(str(when), gap=gap_of(when), open_until=open_until(when)) for when in weeks
        ),
        latest=latest_shown(
            figures.summary,
            (inside, outside),
            # none while the week's window is open: that report shows no figure at all
            [(when, figures.gaps[(when, dim.key)]) for when in recent if not open_until(week)],
            now=gap_of(week),
        ),
    )


def _one_sided(
    dim: Dimension,
    *,
    bank: QuestionBank,
    week: IsoWeek,
    weeks: Sequence[IsoWeek],
    figures: _Figures,
    lang: str,
) -> OneSidedDimension:
    item = _one_item(bank, dim)
    trend = []
    for when in weeks:
        summary = figures.summary(when, item)
        score = summary.normalised if isinstance(summary, Summary) else None
        until = figures.open_until(when, item.side)
        trend.append(TrendPoint(str(when), score=score, open_until=until))
    return OneSidedDimension(
        key=dim.key,
        title=dim.title_in(lang),
        metric=dim.metric,
        scale=str(dim.scale),
        custom=dim.custom,
        figures=figures.side(week, item),
        trend=tuple(trend),
    )


def _methods(bank: QuestionBank, lang: str) -> dict[str, str]:
    metrics = {d.metric for d in bank.dimensions if d.metric is not Metric.TEXT}
    methods = {m.value: method_text(m, lang) for m in Metric if m in metrics}
    methods["score"] = _normalised_method(lang)
    methods["gap"] = comparison_method_text(Comparison.GAP, lang)
    methods["change"] = comparison_method_text(Comparison.CHANGE, lang)
    methods["family"] = family_method_text(lang)
    return methods
