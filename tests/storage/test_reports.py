"""Report runs: one post per week and destination, even with replicas racing for it."""

from __future__ import annotations

import asyncio
import datetime as dt

from sqlalchemy.ext.asyncio import AsyncEngine

from storage.engine import create_engine
from storage.repository import SqlRepository
from surveys.records import ReportStatus
from tests.storage.builders import NOW, WEEK


async def test_a_run_is_claimed_once_and_then_posted(repository: SqlRepository) -> None:
    run = await repository.claim_report_run(week=WEEK, destination="slack:C1", now=NOW)
    again = await repository.claim_report_run(week=WEEK, destination="slack:C1", now=NOW)
    other = await repository.claim_report_run(week=WEEK, destination="telegram:-100", now=NOW)
    next_week = await repository.claim_report_run(
        week=WEEK.shift(1), destination="slack:C1", now=NOW
    )

    assert run is not None
    assert (run.status, run.attempts, run.week) == (ReportStatus.CLAIMED, 1, WEEK)
    assert again is None
    assert other is not None and next_week is not None

    posted_at = NOW + dt.timedelta(minutes=1)
    await repository.mark_report_posted(run.id, platform_ref="1700000000.1", now=posted_at)
    assert await repository.claim_report_run(week=WEEK, destination="slack:C1", now=NOW) is None


async def test_a_failed_run_may_be_claimed_again(repository: SqlRepository) -> None:
    run = await repository.claim_report_run(week=WEEK, destination="slack:C1", now=NOW)
    assert run is not None
    await repository.mark_report_failed(run.id, error="channel_not_found")

    retry = await repository.claim_report_run(week=WEEK, destination="slack:C1", now=NOW)

    assert retry is not None
    assert (retry.id, retry.attempts, retry.status) == (run.id, 2, ReportStatus.CLAIMED)
    assert retry.last_error == "channel_not_found"
    await repository.mark_report_posted(retry.id, platform_ref=None, now=NOW)
    assert await repository.claim_report_run(week=WEEK, destination="slack:C1", now=NOW) is None


async def test_racing_replicas_get_exactly_one_claim(
    database_url: str, engine: AsyncEngine
) -> None:
    del engine  # migrated by the fixture
    engines = [create_engine(database_url) for _ in range(5)]
    try:
        claims = await asyncio.gather(
            *(
                SqlRepository(each).claim_report_run(week=WEEK, destination="slack:C1", now=NOW)
                for each in engines
            )
        )
    finally:
        for each in engines:
            await each.dispose()

    assert sum(claim is not None for claim in claims) == 1
