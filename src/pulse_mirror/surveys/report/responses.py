"""The report week's response rates and comments, behind the threshold and the open window.

Respondents per pulse are counted as the largest n over the side's numeric items that
week: answers are anonymous, so the people who answered are not known, but nobody
answers an item twice. Distinct commenters are counted the same way, as the largest
number of comments on one open item (at most one per person, item and week). A side
whose window is still open shows neither, only when it closes.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from pulse_mirror.surveys.anonymity import Anonymity
from pulse_mirror.surveys.model import IsoWeek, Side
from pulse_mirror.surveys.records import CommentRecord
from pulse_mirror.surveys.report.windows import still_open_text
from pulse_mirror.surveys.stats.metrics import Histogram

COMMENTS_SHOWN = 3
COMMENT_CHARS = 280


@dataclass(frozen=True)
class ResponseRate:
    """How many of the people asked answered, or no number below the threshold.

    ``asked`` is None too while the side's window is still open.
    """

    side: Side
    asked: int | None
    respondents: int | None
    rate: float | None
    hidden: str | None


@dataclass(frozen=True)
class Comments:
    """A few comments of one side, shown only when enough distinct people commented."""

    side: Side
    shown: tuple[str, ...]
    hidden: str | None


def response_rate(
    side: Side,
    *,
    answered: Iterable[Histogram],
    asked: int,
    anonymity: Anonymity,
    lang: str,
    open_until: dt.datetime | None = None,
) -> ResponseRate:
    """``side``'s response rate from the histograms of its numeric items in the week."""
    if open_until is not None:
        return ResponseRate(side, None, None, None, still_open_text(open_until, lang))
    respondents = max((sum(counts.values()) for counts in answered), default=0)
    suppressed = anonymity.check(respondents)
    if suppressed is not None:
        return ResponseRate(side, asked, None, None, suppressed.text_in(lang))
    rate = min(1.0, respondents / asked) if asked else None
    return ResponseRate(side, asked, respondents, rate, None)


def week_comments(
    side: Side,
    *,
    week: IsoWeek,
    comments: Sequence[CommentRecord],
    anonymity: Anonymity,
    lang: str,
    open_until: dt.datetime | None = None,
) -> Comments:
    """A few of ``side``'s comments of ``week`` in a fixed random order, or why there are none."""
    if open_until is not None:
        return Comments(side, (), still_open_text(open_until, lang))
    own = [c for c in comments if c.side is side and c.week == week and c.text.strip()]
    people = max(Counter(c.item for c in own).values(), default=0)
    suppressed = anonymity.check_comments(people)
    if suppressed is not None:
        return Comments(side, (), _fewer_comments(suppressed.k, lang))
    texts = sorted(c.text.strip() for c in own)
    random.Random(f"{week}:{side.value}").shuffle(texts)
    return Comments(side, tuple(_trim(text) for text in texts[:COMMENTS_SHOWN]), None)


def side_histograms(
    histograms: Mapping[tuple[IsoWeek, Side, str], Histogram],
    *,
    week: IsoWeek,
    side: Side,
    items: Iterable[str],
) -> list[Histogram]:
    """The histograms of ``items`` of ``side`` in ``week`` (empty where nobody answered)."""
    return [histograms.get((week, side, key), {}) for key in items]


def _fewer_comments(k: int, lang: str) -> str:
    if lang == "de":
        return f"Kommentare von weniger als {k} Personen"
    return f"comments from fewer than {k} people"


def _trim(text: str) -> str:
    flat = " ".join(text.split())
    if len(flat) <= COMMENT_CHARS:
        return flat
    return flat[: COMMENT_CHARS - 1].rstrip() + "…"
