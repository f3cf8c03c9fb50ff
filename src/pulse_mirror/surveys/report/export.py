"""Aggregates for export (CSV or JSON), one row per week and item, behind the threshold.

Only summaries leave: never an answer, never a count below k. A group below the
threshold is a row whose figures are empty and whose ``note`` says "fewer than k answers";
a (week, side) whose answer window is still open likewise says "window still open until
<time>", however many have answered so far (see :mod:`pulse_mirror.surveys.report.windows`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Mapping, Sequence

from pulse_mirror.surveys.anonymity import Anonymity, Suppressed
from pulse_mirror.surveys.bank import QuestionBank
from pulse_mirror.surveys.model import IsoWeek, Side
from pulse_mirror.surveys.report.windows import WindowKey, open_windows, still_open_text, withheld
from pulse_mirror.surveys.stats.metrics import Histogram, summarise

COLUMNS = (
    "week",
    "dimension",
    "side",
    "item",
    "metric",
    "scale",
    "n",
    "value",
    "value_low",
    "value_high",
    "score",
    "score_low",
    "score_high",
    "note",
)

ExportRow = dict[str, str | int | float | None]


def export_rows(
    *,
    weeks: Sequence[IsoWeek],
    bank: QuestionBank,
    histograms: Mapping[tuple[IsoWeek, Side, str], Histogram],
    anonymity: Anonymity,
    closes_at: Mapping[WindowKey, dt.datetime] | None = None,
    now: dt.datetime | None = None,
) -> list[ExportRow]:
    """One row per (week, numeric item): its figures, or the threshold note instead.

    ``closes_at`` (when each (week, side)'s answer window closes) and ``now`` (read before
    the histograms were) say which windows are still open; their rows carry no figure.
    """
    if closes_at and now is None:
        raise ValueError("now is needed to tell which answer windows are still open")
    still_open = open_windows(closes_at, now=now) if closes_at and now is not None else {}
    final = withheld(histograms, still_open)
    rows: list[ExportRow] = []
    for week in weeks:
        for item in bank.items:
            if item.is_text or item.scale is None:
                continue
            counts = final.get((week, item.side, item.key), {})
            summary = summarise(counts, metric=item.metric, scale=item.scale, anonymity=anonymity)
            row: ExportRow = {
                "week": str(week),
                "dimension": item.dimension,
                "side": item.side.value,
                "item": item.key,
                "metric": item.metric.value,
                "scale": str(item.scale),
            }
            until = still_open.get((week, item.side))
            if until is not None:
                row.update({name: None for name in COLUMNS[6:-1]})
                row["note"] = still_open_text(until, "en")
            elif isinstance(summary, Suppressed):
                row.update({name: None for name in COLUMNS[6:-1]})
                row["note"] = summary.text_in("en")
            else:
                row.update(
                    n=summary.n,
                    value=summary.value.value,
                    value_low=summary.value.low,
                    value_high=summary.value.high,
                    score=summary.normalised.value,
                    score_low=summary.normalised.low,
                    score_high=summary.normalised.high,
                    note=None,
                )
            rows.append(row)
    return rows


def rows_to_csv(rows: Sequence[ExportRow]) -> str:
    """The rows as CSV text with a header line; empty cells where a figure is withheld."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: "" if value is None else value for key, value in row.items()})
    return buffer.getvalue()


def rows_to_json(rows: Sequence[ExportRow]) -> str:
    """The rows as a JSON array."""
    return json.dumps(list(rows), ensure_ascii=False, indent=1)
