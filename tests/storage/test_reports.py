"""Report runs: one post per week and destination, even with replicas racing for it."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from pulse_mirror.storage.engine import create_engine
from pulse_mirror.storage.repository import SqlRepository
from pulse_mirror.surveys.records import ReportStatus
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


async def test_a_claim_left_by_a_crashed_process_is_taken_over_after_the_lease(
    repository: SqlRepository,
) -> None:
    crashed = await repository.claim_report_run(week=WEEK, destination="slack:C1", now=NOW)
    assert crashed is not None

    within = await repository.claim_report_run(
        week=WEEK, destination="slack:C1", now=NOW + dt.timedelta(minutes=9)
    )
    after = await repository.claim_report_run(
        week=WEEK, destination="slack:C1", now=NOW + dt.timedelta(minutes=10)
    )
    again = await repository.claim_report_run(
        week=WEEK, destination="slack:C1", now=NOW + dt.timedelta(minutes=11)
    )

    assert within is None
    assert after is not None
    assert (after.id, after.attempts, after.status) == (crashed.id, 2, ReportStatus.CLAIMED)
    assert again is None  # the new claim starts a new lease


async def test_the_lease_is_a_keyword_and_a_posted_run_is_never_taken_over(
    repository: SqlRepository,
) -> None:
    run = await repository.claim_report_run(week=WEEK, destination="slack:C1", now=NOW)
    assert run is not None
    later = NOW + dt.timedelta(minutes=2)

    short = await repository.claim_report_run(
        week=WEEK, destination="slack:C1", now=later, lease=dt.timedelta(minutes=1)
    )
    assert short is not None and short.attempts == 2
    await repository.mark_report_posted(short.id, platform_ref="ts", now=later)

    next_day = NOW + dt.timedelta(days=1)
    assert (
        await repository.claim_report_run(week=WEEK, destination="slack:C1", now=next_day) is None
    )


async def test_racing_replicas_take_over_a_stale_claim_exactly_once(
    database_url: str, repository: SqlRepository
) -> None:
    assert await repository.claim_report_run(week=WEEK, destination="slack:C1", now=NOW)
    engines = [create_engine(database_url) for _ in range(5)]
    later = NOW + dt.timedelta(hours=1)
    try:
        claims = await asyncio.gather(
            *(
                SqlRepository(each).claim_report_run(week=WEEK, destination="slack:C1", now=later)
                for each in engines
            )
        )
    finally:
        for each in engines:
            await each.dispose()

    taken = [claim for claim in claims if claim is not None]
    assert [claim.attempts for claim in taken] == [2]


async def test_an_unknown_run_is_claimed_again_only_once_allowed(
    repository: SqlRepository,
) -> None:
    run = await repository.claim_report_run(week=WEEK, destination="slack:C1", now=NOW)
    assert run is not None
    await repository.mark_report_unknown(run.id, error="internal_error")

    later = NOW + dt.timedelta(days=1)  # long past any lease
    assert await repository.claim_report_run(week=WEEK, destination="slack:C1", now=later) is None
    [waiting] = await repository.unposted_reports(since=WEEK)
    assert (waiting.status, waiting.last_error) == (ReportStatus.UNKNOWN, "internal_error")
    assert not await repository.allow_report_again(week=WEEK, destination="telegram:-100")

    assert await repository.allow_report_again(week=WEEK, destination="slack:C1")
    retry = await repository.claim_report_run(week=WEEK, destination="slack:C1", now=later)
    assert retry is not None and (retry.status, retry.attempts) == (ReportStatus.CLAIMED, 2)
    assert not await repository.allow_report_again(week=WEEK, destination="slack:C1")  # claimed


async def test_the_status_column_takes_only_the_known_states(repository: SqlRepository) -> None:
    run = await repository.claim_report_run(week=WEEK, destination="slack:C1", now=NOW)
    assert run is not None
    async with repository.engine.begin() as connection:
        await connection.execute(sa.text("UPDATE report_run SET status = 'unknown'"))
    with pytest.raises(sa.exc.IntegrityError):
        async with repository.engine.begin() as connection:
            await connection.execute(sa.text("UPDATE report_run SET status = 'maybe'"))
