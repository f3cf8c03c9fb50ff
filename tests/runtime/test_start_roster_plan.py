"""At start the roster sync and the plan run side by side: every synced employee is planned."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

import pytest
import sqlalchemy as sa

from pulse_mirror.runtime.scheduler import add_roster_jobs, build_scheduler
from pulse_mirror.storage.repository import SqlRepository
from pulse_mirror.storage.tables import delivery
from pulse_mirror.surveys.model import Platform, Side
from pulse_mirror.surveys.records import DeliveryKind
from tests.fakes import FakeClock
from tests.outbox.helpers import add_people, jobs

WEDNESDAY = dt.datetime(2026, 11, 25, 12, tzinfo=dt.UTC)  # 13:00 in Berlin, after Tuesday's slot


class Roster:
    """Stores six employees one at a time, as the Slack roster sync does."""

    def __init__(self, repository: SqlRepository) -> None:
        self.repository = repository

    async def run(self) -> None:
        await add_people(self.repository, side=Side.EMPLOYEE, count=6, now=WEDNESDAY)


class SlackRuntime:
    platform = Platform.SLACK

    def __init__(self, repository: SqlRepository) -> None:
        self.roster = Roster(repository)


async def asked(repository: SqlRepository) -> int:
    async with repository.engine.connect() as connection:
        statement = sa.select(sa.func.count(sa.distinct(delivery.c.person_id))).where(
            delivery.c.kind == DeliveryKind.QUESTION.value
        )
        return int((await connection.execute(statement)).scalar_one())


async def test_everyone_synced_at_start_is_asked_though_the_plan_ran_beside_the_sync(
    repository: SqlRepository, caplog: pytest.LogCaptureFixture
) -> None:
    clock = FakeClock(WEDNESDAY)
    work = jobs(repository, clock=clock, dispatchers=[])
    scheduler = build_scheduler(
        work, organisation_tz="Europe/Berlin", report_weekday=1, report_time=dt.time(9),
        now=WEDNESDAY,
    )  # fmt: skip
    add_roster_jobs(scheduler, [SlackRuntime(repository)], now=WEDNESDAY)
    caplog.set_level(logging.INFO, logger="pulse_mirror.runtime.jobs")

    # Both are due at start; the scheduler runs them side by side.
    await asyncio.gather(scheduler.get_job("plan").func(), scheduler.get_job("roster_slack").func())

    assert await asked(repository) == 6
    planned = [r for r in caplog.records if r.getMessage() == "planned week"]
    assert sum(r.employees_asked for r in planned) == 6
    # A question and two reminders each (the rules ask for two), counted apart from people.
    assert sum(r.employee_messages for r in planned) == 18


async def test_the_roster_job_alone_keeps_working_without_a_plan_job() -> None:
    from apscheduler.schedulers.asyncio import AsyncIOScheduler  # type: ignore[import-untyped]

    class Counting:
        runs = 0

        async def run(self) -> None:
            Counting.runs += 1

    class Runtime:
        platform = Platform.SLACK
        roster = Counting()

    scheduler = AsyncIOScheduler(timezone=dt.UTC)
    add_roster_jobs(scheduler, [Runtime()], now=WEDNESDAY)
    await scheduler.get_job("roster_slack").func()
    assert Counting.runs == 1


async def test_a_joiner_too_late_for_the_week_is_told_once_when_they_are_asked(
    repository: SqlRepository, caplog: pytest.LogCaptureFixture
) -> None:
    friday_evening = dt.datetime(2026, 11, 27, 19, tzinfo=dt.UTC)  # 20:00 in Berlin
    clock = FakeClock(friday_evening)
    [late] = await add_people(repository, side=Side.EMPLOYEE, count=1, now=friday_evening)
    work = jobs(repository, clock=clock, dispatchers=[])
    caplog.set_level(logging.INFO, logger="pulse_mirror.runtime.jobs")

    first = await work.plan()
    await work.plan()  # the plan runs every 15 minutes: the line is not repeated

    assert (first.employees_asked, first.employees) == (0, 0)
    told = [r for r in caplog.records if "too late" in r.getMessage()]
    assert len(told) == 1
    assert (told[0].person, told[0].week) == (late.id, "2026-W49")
    assert told[0].asked_at == "2026-12-01T09:00:00+00:00"  # next Tuesday, 10:00 in Berlin
