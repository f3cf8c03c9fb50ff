"""What the weekly report is built from: aggregates read by storage, no answer rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from pulse_mirror.surveys.model import IsoWeek, Side
from pulse_mirror.surveys.records import CommentRecord
from pulse_mirror.surveys.report.windows import WindowKey
from pulse_mirror.surveys.stats.metrics import Histogram

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
        closes_at: per (week, side) with a pulse, when its answer window closes; a window
            still open when the report is built gives no figure.
    """

    histograms: Mapping[HistogramKey, Histogram]
    comments: Sequence[CommentRecord] = ()
    asked: Mapping[Side, int] = field(default_factory=dict)
    pulsed: Mapping[Side, frozenset[str]] | None = None
    closes_at: Mapping[WindowKey, dt.datetime] = field(default_factory=dict)
