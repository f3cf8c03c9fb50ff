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


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_job_cancelled_by_the_stop_logs_no_traceback_and_a_failure_still_does(
    repository: object, caplog: pytest.LogCaptureFixture
) -> None:
    started = asyncio.Event()

    async def waiting() -> None:
        started.set()
        await asyncio.Event().wait()  # a dispatch still waiting for a send when the bot stops

    async def failing() -> None:
        raise RuntimeError("boom")

    work = jobs(repository, clock=FakeClock(), dispatchers=[])  # type: ignore[arg-type]
    far = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)  # the product's own jobs do not run
    scheduler = build_scheduler(
        work, organisation_tz="UTC", report_weekday=1, report_time=dt.time(9), now=far
    )
    scheduler.add_job(waiting, id="waiting", next_run_time=dt.datetime.now(dt.UTC))
    scheduler.add_job(failing, id="failing", next_run_time=dt.datetime.now(dt.UTC))
    with caplog.at_level(logging.INFO, logger="apscheduler"):
        scheduler.start()
        await asyncio.wait_for(started.wait(), timeout=5)
        await asyncio.sleep(0.1)
        scheduler.shutdown(wait=False)
        await asyncio.sleep(0.1)
    executor = [r for r in caplog.records if r.name == "apscheduler.executors.default"]
    assert any(isinstance(r.exc_info[1], RuntimeError) for r in executor if r.exc_info)
    assert not any(
        isinstance(r.exc_info[1], asyncio.CancelledError) for r in executor if r.exc_info
    )
