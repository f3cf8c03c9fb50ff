"""Aggregates for export (CSV or JSON), one row per week and item, behind the threshold.

Only summaries leave: never an answer, never a count below k. A group below the
threshold is a row whose figures are empty and whose ``note`` says "fewer than k answers".
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence

from surveys.anonymity import Anonymity, Suppressed
from surveys.bank import QuestionBank
from surveys.metrics import Histogram, summarise
from surveys.model import IsoWeek, Side

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
) -> list[ExportRow]:
    """One row per (week, numeric item): its figures, or the threshold note instead."""
    rows: list[ExportRow] = []
    for week in weeks:
        for item in bank.items:
            if item.is_text or item.scale is None:
                continue
            counts = histograms.get((week, item.side, item.key), {})
            summary = summarise(counts, metric=item.metric, scale=item.scale, anonymity=anonymity)
            row: ExportRow = {
                "week": str(week),
                "dimension": item.dimension,
                "side": item.side.value,
                "item": item.key,
                "metric": item.metric.value,
                "scale": str(item.scale),
            }
            if isinstance(summary, Suppressed):
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
