"""The employee roster is synced when the bot starts and then every day."""

from __future__ import annotations

import datetime as dt

from apscheduler.schedulers.asyncio import AsyncIOScheduler  # type: ignore[import-untyped]

from pulse_mirror.runtime.scheduler import add_roster_jobs
from pulse_mirror.surveys.model import Platform


class Roster:
    def __init__(self) -> None:
        self.runs = 0

    async def run(self) -> None:
        self.runs += 1


class WithRoster:
    platform = Platform.SLACK

    def __init__(self) -> None:
        self.roster = Roster()


class WithoutRoster:
    platform = Platform.TELEGRAM


async def test_a_roster_job_per_platform_that_has_one_runs_now_and_daily() -> None:
    scheduler = AsyncIOScheduler(timezone=dt.UTC)
    slack = WithRoster()
    start = dt.datetime(2026, 11, 25, 9, tzinfo=dt.UTC)

    added = add_roster_jobs(scheduler, [slack, WithoutRoster()], now=start)

    assert added == ["roster_slack"]
    job = scheduler.get_job("roster_slack")
    assert job.trigger.interval == dt.timedelta(days=1)
    assert job.next_run_time == start
    await job.func()
    assert slack.roster.runs == 1
