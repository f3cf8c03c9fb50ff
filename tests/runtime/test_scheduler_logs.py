"""A start logs no per-job notices from APScheduler, and its warnings still come through."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

import pytest

from pulse_mirror.runtime.scheduler import add_roster_jobs, build_scheduler
from pulse_mirror.surveys.model import Platform
from tests.fakes import FakeClock
from tests.outbox.helpers import jobs


class Roster:
    async def run(self) -> None:
        return None


class SlackRuntime:
    platform = Platform.SLACK
    roster = Roster()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_start_logs_no_tentative_adds_but_keeps_the_schedulers_warnings(
    repository: object, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="apscheduler")
    work = jobs(repository, clock=FakeClock(), dispatchers=[])  # type: ignore[arg-type]
    far = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)  # nothing runs during the test
    scheduler = build_scheduler(
        work, organisation_tz="Europe/Berlin", report_weekday=1, report_time=dt.time(9), now=far
    )
    add_roster_jobs(scheduler, [SlackRuntime()], now=far)
    scheduler.start(paused=True)
    await asyncio.sleep(0)
    try:
        logging.getLogger("apscheduler.scheduler").warning("Run time of job %s was missed", "x")
    finally:
        scheduler.shutdown(wait=False)

    texts = [r.getMessage() for r in caplog.records if r.name == "apscheduler.scheduler"]
    assert not [t for t in texts if t.startswith(("Adding job tentatively", "Added job"))]
    assert "Scheduler started" in texts
    assert "Run time of job x was missed" in texts
