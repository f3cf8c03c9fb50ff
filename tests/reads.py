"""Test reads through the product's own queries, narrowed to what a test wants to look at.

The repository has no test-only methods: these helpers call what the report job, the
dispatcher and the close job call, and pick one side, one platform or one pulse.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from pulse_mirror.storage.deliveries.claims import DispatchStore
from pulse_mirror.storage.reports.aggregates import answer_histograms as all_histograms
from pulse_mirror.storage.reports.aggregates import week_comments
from pulse_mirror.storage.repository import SqlRepository
from pulse_mirror.storage.tables import pulse
from pulse_mirror.surveys.model import IsoWeek, Platform, Side
from pulse_mirror.surveys.records import CommentRecord, DeliveryRecord


async def answer_histograms(
    repository: SqlRepository, week: IsoWeek, side: Side
) -> dict[str, dict[int, int]]:
    """Per item of one week and side, how many answers each value got."""
    found = await all_histograms(repository.engine, first=week, last=week)
    return {
        item: dict(sorted(counts.items()))
        for (_, key_side, item), counts in sorted(found.items(), key=lambda kv: kv[0][2])
        if key_side is side
    }


async def read_comments(
    repository: SqlRepository, week: IsoWeek, side: Side
) -> list[CommentRecord]:
    """The comments of one week and side."""
    return [c for c in await week_comments(repository.engine, week) if c.side is side]


async def claim_due(
    repository: SqlRepository, *, now: dt.datetime, limit: int, worker: str
) -> list[DeliveryRecord]:
    """Claim due messages on every platform, as the dispatcher's workers do one platform each."""
    claims = DispatchStore(repository.engine)
    claimed: list[DeliveryRecord] = []
    for platform in Platform:
        claimed += await claims.claim_for_platform(
            platform=platform, now=now, limit=limit - len(claimed), worker=worker
        )
    return sorted(claimed, key=lambda r: (r.due_at, r.id))


async def close_window(repository: SqlRepository, pulse_id: int) -> int:
    """Close one pulse's window now, through the close job's own statement."""
    long_ago = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    async with repository.engine.begin() as connection:
        await connection.execute(
            sa.update(pulse).where(pulse.c.id == pulse_id).values(closes_at=long_ago)
        )
    return await repository.close_due_windows(long_ago)
