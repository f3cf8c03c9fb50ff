"""Answer windows still open: their answers are not final, so no figure comes from them.

A side's pulse collects answers until its window closes (``closes_at``). A figure shown
before then changes as more people answer, and two of them taken a while apart can be
subtracted to learn what the few people who answered in between said, however many
answered in all. So a (week, side) whose window is still open contributes nothing to any
figure, chart, export or comment; it says "window still open until <time>" instead.

``now`` must be read before the answers are: answers read after a ``now`` past the close
are final, while a ``now`` taken after the read could be past a close the read was not.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeVar

from pulse_mirror.surveys.model import IsoWeek, Side

WindowKey = tuple[IsoWeek, Side]
V = TypeVar("V")

_STILL_OPEN = {
    "en": "window still open until {until}",
    "de": "Antwortfenster noch offen bis {until}",
}


@dataclass(frozen=True)
class OpenWindow:
    """A side's answer window of one week that was still open when the report was made."""

    week: str
    side: Side
    until: dt.datetime


def open_windows(
    closes_at: Mapping[WindowKey, dt.datetime], *, now: dt.datetime
) -> dict[WindowKey, dt.datetime]:
    """The (week, side) windows still open at ``now`` (``now < closes_at``), with their close."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return {key: closes for key, closes in closes_at.items() if now < closes}


def withheld(
    histograms: Mapping[tuple[IsoWeek, Side, str], V], still_open: Mapping[WindowKey, object]
) -> dict[tuple[IsoWeek, Side, str], V]:
    """``histograms`` without the groups of open windows: none of them may enter a figure."""
    return {key: counts for key, counts in histograms.items() if key[:2] not in still_open}


def until_text(until: dt.datetime) -> str:
    """A window's close for people to read, in UTC: "2026-03-09 08:00 UTC"."""
    return until.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def still_open_text(until: dt.datetime, lang: str) -> str:
    """ "window still open until 2026-03-09 08:00 UTC" in ``lang`` (English fallback)."""
    phrase = _STILL_OPEN.get(lang) or _STILL_OPEN["en"]
    return phrase.format(until=until_text(until))
