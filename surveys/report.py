"""The weekly perception-gap report as data: pure, frozen and JSON-ready.

Input is already aggregated: per (week, side, item) a histogram of answer values, the
week's comments and how many people each side was asked. Every figure goes through
:func:`surveys.metrics.summarise`, so a group below the anonymity threshold carries no
number at all, only the text "fewer than k answers". An item the week's pulses did not
include (known from the plan, not from the answers) says "not asked this week" instead.

Respondents per pulse are counted as the largest n over the side's numeric items that
week: answers are anonymous, so the people who answered are not known, but nobody
answers an item twice. Distinct commenters are counted the same way, as the largest
number of comments on one open item (at most one per person, item and week).
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from surveys.anonymity import Anonymity, Suppressed
from surveys.bank import QuestionBank
from surveys.gaps import Difference, Verdict, change, perception_gap
from surveys.methods import Comparison, comparison_method_text, method_text
from surveys.methods import normalised_method_text as _normalised_method
from surveys.metrics import Estimate, Histogram, NpsShares, Summary, summarise
from surveys.model import Dimension, IsoWeek, Item, Metric, Side
from surveys.records import CommentRecord
from surveys.report_json import JsonValue, to_json

COMMENTS_SHOWN = 3
COMMENT_CHARS = 280

HistogramKey = tuple[IsoWeek, Side, str]


@dataclass(frozen=True)
class ReportInput:
    """What the report is built from, aggregated by the storage layer.

    Attributes:
        histograms: per (week, side, item key) how many answers each value got; weeks
            from the trend's first week to the report's week.
        comments: the report week's comments.
        asked: per side, how many people were asked in the report week.
        pulsed: per side, the item keys the report week's pulses included; None when not
            known, and then every item counts as asked.
    """

    histograms: Mapping[HistogramKey, Histogram]
    comments: Sequence[CommentRecord] = ()
    asked: Mapping[Side, int] = field(default_factory=dict)
    pulsed: Mapping[Side, frozenset[str]] | None = None


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
    """A difference in points on 0-100 with its interval, or no number below the threshold."""

    verdict: Verdict
    estimate: Estimate | None = None


@dataclass(frozen=True)
class SideFigures:
    """One side of a dimension in the report week, and its change from last week.

    ``asked`` is False when the week's pulses did not include the item; ``hidden`` then
    says "not asked this week" rather than "fewer than k answers".
    """

    side: Side
    item: str
    score: Score | None
    hidden: str | None
    change: Shift
    asked: bool = True


@dataclass(frozen=True)
class TrendPoint:
    """One week of a dimension's trend: the gap, or the one side's score."""

    week: str
    gap: Shift | None = None
    score: Estimate | None = None


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

    @property
    def not_asked(self) -> tuple[Side, ...]:
        """The sides whose pulses did not include this dimension in the report week."""
        return tuple(f.side for f in (self.inside, self.outside) if not f.asked)


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


@dataclass(frozen=True)
class ResponseRate:
    """How many of the people asked answered, or no number below the threshold."""

    side: Side
    asked: int
    respondents: int | None
    rate: float | None
    hidden: str | None


@dataclass(frozen=True)
class Comments:
    """A few comments of one side, shown only when enough distinct people commented."""

    side: Side
    shown: tuple[str, ...]
    hidden: str | None


@dataclass(frozen=True)
class WeekReport:
    """The weekly report; :meth:`to_json` gives the same figures machine-readable."""

    week: str
    language: str
    min_respondents: int
    min_commenters: int
    mirrored: tuple[MirroredDimension, ...]
    one_sided: tuple[OneSidedDimension, ...]
    response_rates: tuple[ResponseRate, ...]
    comments: tuple[Comments, ...]
    trend_weeks: tuple[str, ...]
    methods: Mapping[str, str]

    def to_json(self) -> dict[str, JsonValue]:
        """The report as plain JSON types (dicts, lists, str, float, int, bool, None)."""
        data = to_json(self)
        assert isinstance(data, dict)
        return data

    def fewer_than(self, lang: str | None = None) -> str:
        """The text shown instead of a number, e.g. "fewer than 5 answers"."""
        return Suppressed(0, self.min_respondents).text_in(lang or self.language)


def not_asked_text(lang: str) -> str:
    """ "not asked this week" in ``lang`` (English fallback)."""
    return _NOT_ASKED.get(lang) or _NOT_ASKED["en"]


_NOT_ASKED = {"en": "not asked this week", "de": "diese Woche nicht gefragt"}


def build_report(
    *,
    week: IsoWeek,
    bank: QuestionBank,
    data: ReportInput,
    anonymity: Anonymity,
    trend_weeks: int = 8,
    lang: str = "en",
) -> WeekReport:
    """Build the report of ``week`` from aggregated answers, applying the threshold throughout."""
    if trend_weeks < 1:
        raise ValueError(f"trend_weeks must be at least 1, not {trend_weeks}")
    weeks = tuple(week.shift(offset) for offset in range(1 - trend_weeks, 1))
    figures = _Figures(data=data, anonymity=anonymity, lang=lang, week=week)
    mirrored = tuple(
        _mirrored(dim, bank=bank, week=week, weeks=weeks, figures=figures, lang=lang)
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
            _response_rate(side, bank=bank, week=week, data=data, anonymity=anonymity, lang=lang)
            for side in (Side.EMPLOYEE, Side.CUSTOMER)
        ),
        comments=tuple(
            _comments(side, week=week, data=data, anonymity=anonymity, lang=lang)
            for side in (Side.EMPLOYEE, Side.CUSTOMER)
        ),
        trend_weeks=tuple(str(w) for w in weeks),
        methods=_methods(bank, lang),
    )


class _Figures:
    """Summaries of (week, item), computed once each."""

    def __init__(
        self, *, data: ReportInput, anonymity: Anonymity, lang: str, week: IsoWeek
    ) -> None:
        self._data = data
        self._anonymity = anonymity
        self._lang = lang
        self._week = week
        self._cache: dict[tuple[IsoWeek, str], Summary | Suppressed] = {}

    def summary(self, week: IsoWeek, item: Item) -> Summary | Suppressed:
        key = (week, item.key)
        if key not in self._cache:
            assert item.scale is not None
            counts = self._data.histograms.get((week, item.side, item.key), {})
            self._cache[key] = summarise(
                counts, metric=item.metric, scale=item.scale, anonymity=self._anonymity
            )
        return self._cache[key]

    def asked(self, week: IsoWeek, item: Item) -> bool:
        """False only for the report week's items that no pulse included and nobody answered."""
        pulsed = self._data.pulsed
        if pulsed is None or week != self._week or item.key in pulsed.get(item.side, ()):
            return True
        return bool(self._data.histograms.get((week, item.side, item.key)))

    def side(self, week: IsoWeek, item: Item) -> SideFigures:
        current = self.summary(week, item)
        moved = change(current=current, previous=self.summary(week.shift(-1), item))
        if not self.asked(week, item):
            hidden = not_asked_text(self._lang)
            return SideFigures(item.side, item.key, None, hidden, _shift(moved), asked=False)
        if isinstance(current, Suppressed):
            return SideFigures(
                item.side, item.key, None, current.text_in(self._lang), _shift(moved)
            )
        return SideFigures(item.side, item.key, _score(current), None, _shift(moved))


def _score(summary: Summary) -> Score:
    return Score(
        n=summary.n,
        value=summary.value,
        score=summary.normalised,
        mean=summary.mean,
        shares=summary.shares,
    )


def _shift(difference: Difference) -> Shift:
    return Shift(difference.verdict, difference.estimate)


def _pair(bank: QuestionBank, key: str) -> tuple[Item, Item]:
    items = {item.side: item for item in bank.items_of(key) if not item.is_text}
    return items[Side.EMPLOYEE], items[Side.CUSTOMER]


def _mirrored(
    dim: Dimension,
    *,
    bank: QuestionBank,
    week: IsoWeek,
    weeks: Sequence[IsoWeek],
    figures: _Figures,
    lang: str,
) -> MirroredDimension:
    inside, outside = _pair(bank, dim.key)

    def gap_of(when: IsoWeek) -> Shift:
        return _shift(
            perception_gap(
                inside=figures.summary(when, inside), outside=figures.summary(when, outside)
            )
        )

    return MirroredDimension(
        key=dim.key,
        title=dim.title_in(lang),
        metric=dim.metric,
        scale=str(dim.scale),
        custom=dim.custom,
        inside=figures.side(week, inside),
        outside=figures.side(week, outside),
        gap=gap_of(week),
        trend=tuple(TrendPoint(str(when), gap=gap_of(when)) for when in weeks),
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
    item = next(item for item in bank.items_of(dim.key) if not item.is_text)
    trend = []
    for when in weeks:
        summary = figures.summary(when, item)
        score = summary.normalised if isinstance(summary, Summary) else None
        trend.append(TrendPoint(str(when), score=score))
    return OneSidedDimension(
        key=dim.key,
        title=dim.title_in(lang),
        metric=dim.metric,
        scale=str(dim.scale),
        custom=dim.custom,
        figures=figures.side(week, item),
        trend=tuple(trend),
    )


def _response_rate(
    side: Side,
    *,
    bank: QuestionBank,
    week: IsoWeek,
    data: ReportInput,
    anonymity: Anonymity,
    lang: str,
) -> ResponseRate:
    asked = data.asked.get(side, 0)
    numeric = [item.key for item in bank.items_for(side) if not item.is_text]
    respondents = max(
        (sum(data.histograms.get((week, side, key), {}).values()) for key in numeric), default=0
    )
    suppressed = anonymity.check(respondents)
    if suppressed is not None:
        return ResponseRate(side, asked, None, None, suppressed.text_in(lang))
    rate = min(1.0, respondents / asked) if asked else None
    return ResponseRate(side, asked, respondents, rate, None)


def _comments(
    side: Side, *, week: IsoWeek, data: ReportInput, anonymity: Anonymity, lang: str
) -> Comments:
    own = [c for c in data.comments if c.side is side and c.week == week and c.text.strip()]
    people = max(Counter(c.item for c in own).values(), default=0)
    suppressed = anonymity.check_comments(people)
    if suppressed is not None:
        return Comments(side, (), _fewer_comments(suppressed.k, lang))
    texts = sorted(c.text.strip() for c in own)
    random.Random(f"{week}:{side.value}").shuffle(texts)
    return Comments(side, tuple(_trim(text) for text in texts[:COMMENTS_SHOWN]), None)


def _fewer_comments(k: int, lang: str) -> str:
    if lang == "de":
        return f"Kommentare von weniger als {k} Personen"
    return f"comments from fewer than {k} people"


def _trim(text: str) -> str:
    flat = " ".join(text.split())
    if len(flat) <= COMMENT_CHARS:
        return flat
    return flat[: COMMENT_CHARS - 1].rstrip() + "…"


def _methods(bank: QuestionBank, lang: str) -> dict[str, str]:
    metrics = {d.metric for d in bank.dimensions if d.metric is not Metric.TEXT}
    methods = {m.value: method_text(m, lang) for m in Metric if m in metrics}
    methods["score"] = _normalised_method(lang)
    methods["gap"] = comparison_method_text(Comparison.GAP, lang)
    methods["change"] = comparison_method_text(Comparison.CHANGE, lang)
    return methods
