"""Published figures are final: a week's counts as its first posted report showed them.

After a week's report is first posted, :func:`freeze` keeps the histograms of the items it
showed (at least k answers; a suppressed item was never published and is not kept). Later
reports read that week through :func:`with_published`, so the trend and next week's change
use the posted figures even after a customer's /delete removed their answers: a published
number never changes silently. The counts are anonymous aggregates of at least k answers.
"""

from __future__ import annotations

from collections.abc import Mapping

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from pulse_mirror.storage.store import week_text
from pulse_mirror.storage.tables import published_count
from pulse_mirror.surveys.model import IsoWeek, Side
from pulse_mirror.surveys.report.build import HistogramKey

Histograms = Mapping[HistogramKey, Mapping[int, int]]


async def freeze(
    engine: AsyncEngine, *, week: IsoWeek, histograms: Histograms, min_respondents: int
) -> bool:
    """Keep ``week``'s shown histograms once; False when the week was frozen before."""
    rows = [
        {"week": week_text(week), "side": side.value, "item": item, "value": value,
         "count": count}
        for (when, side, item), counts in histograms.items()
        if when == week and sum(counts.values()) >= min_respondents
        for value, count in counts.items()
        if count > 0
    ]  # fmt: skip
    async with engine.begin() as connection:
        known = await connection.execute(
            sa.select(published_count.c.week)
            .where(published_count.c.week == week_text(week))
            .limit(1)
        )
        if known.first() is not None:
            return False
        if rows:
            await connection.execute(sa.insert(published_count), rows)
    return True


async def published(
    engine: AsyncEngine, *, first: IsoWeek, last: IsoWeek
) -> dict[IsoWeek, dict[HistogramKey, dict[int, int]]]:
    """Per frozen week in first..last, its kept histograms."""
    table = published_count
    statement = sa.select(table.c.week, table.c.side, table.c.item, table.c.value, table.c.count)
    statement = statement.where(table.c.week >= week_text(first), table.c.week <= week_text(last))
    weeks: dict[IsoWeek, dict[HistogramKey, dict[int, int]]] = {}
    async with engine.connect() as connection:
        for week, side, item, value, count in await connection.execute(statement):
            when = IsoWeek.parse(week)
            kept = weeks.setdefault(when, {})
            kept.setdefault((when, Side(side), item), {})[int(value)] = int(count)
    return weeks


def with_published(
    live: Histograms, frozen: Mapping[IsoWeek, Mapping[HistogramKey, Mapping[int, int]]]
) -> dict[HistogramKey, dict[int, int]]:
    """``live`` with every frozen week replaced by what its report showed."""
    merged = {key: dict(counts) for key, counts in live.items() if key[0] not in frozen}
    for kept in frozen.values():
        merged.update({key: dict(counts) for key, counts in kept.items()})
    return merged
