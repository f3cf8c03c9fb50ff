"""APScheduler wiring: the jobs of :mod:`runtime.jobs`, rebuilt from the config at every start.

The scheduler only wakes things up; the database is the truth. Each job runs at most once at
a time (``max_instances=1``), missed runs collapse into one (``coalesce``), and a run that
finds nothing to do does nothing, so a restart or a second replica changes nothing.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler  # type: ignore[import-untyped]
from apscheduler.triggers.cron import CronTrigger  # type: ignore[import-untyped]
from apscheduler.triggers.interval import IntervalTrigger  # type: ignore[import-untyped]

if TYPE_CHECKING:  # only named in signatures: loading the scheduler does not load the jobs
    from pulse_mirror.runtime.jobs import Jobs

log = logging.getLogger(__name__)

WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
APSCHEDULER_LOGGER = "apscheduler.scheduler"
EXECUTOR_LOGGER = "apscheduler.executors.default"
_ADD_NOTICES = ("Adding job tentatively", "Added job ")


class WithoutTentativeAdds(logging.Filter):
    """Drops APScheduler's per-job notices of adding a job; every other record passes.

    All jobs are added before the scheduler starts, so each start logged "Adding job
    tentatively -- it will be properly scheduled when the scheduler starts" once a job, six
    times, then "Added job ..." as often: routine, and they say nothing wrong. Warnings
    (a missed run, a job still running) come through as before.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """False only for the INFO notices of a job being added."""
        if record.levelno > logging.INFO:
            return True
        return not str(record.msg).startswith(_ADD_NOTICES)


class WithoutStopCancellations(logging.Filter):
    """Drops the executor's traceback of a job cancelled because the bot is stopping.

    ``shutdown(wait=False)`` cancels a job still running (a dispatch waiting for a send);
    APScheduler logs that as "raised an exception" with a traceback, though nothing failed:
    the dispatcher hands back or records every claimed message before it stops.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """False only for a record whose exception is a cancellation."""
        error = record.exc_info[1] if record.exc_info else None
        return not isinstance(error, asyncio.CancelledError)


def quiet_tentative_adds() -> None:
    """Install the two filters on APScheduler's loggers, once per process."""
    for name, kind in ((APSCHEDULER_LOGGER, WithoutTentativeAdds),
                       (EXECUTOR_LOGGER, WithoutStopCancellations)):  # fmt: skip
        logger = logging.getLogger(name)
        if not any(isinstance(f, kind) for f in logger.filters):
            logger.addFilter(kind())


def _logged(name: str, job: Callable[[], Awaitable[object]]) -> Callable[[], Awaitable[bool]]:
    """The job, logged; it returns False when it failed (counted by the metrics)."""

    async def run() -> bool:
        try:
            result = await job()
        except Exception:
            log.exception("job failed; it runs again at its next time", extra={"job": name})
            return False
        log.debug("job done", extra={"job": name, "result": repr(result)})
        return True

    run.__name__ = f"{name}_job"
    return run


def build_scheduler(
    jobs: Jobs,
    *,
    organisation_tz: str,
    report_weekday: int,
    report_time: dt.time,
    dispatch_every: float = 5.0,
    plan_every: float = 15 * 60,
    close_every: float = 5 * 60,
    now: dt.datetime | None = None,
) -> AsyncIOScheduler:
    """An AsyncIOScheduler with the plan, dispatch, close-windows and report jobs.

    Plan, dispatch and close run once right at start; the report runs at its weekly time in
    the organisation's zone, and once at start to catch up on a report missed while down.
    """
    place = ZoneInfo(organisation_tz)
    start = now or dt.datetime.now(dt.UTC)
    quiet_tentative_adds()
    scheduler = AsyncIOScheduler(timezone=place)
    common = {"max_instances": 1, "coalesce": True, "misfire_grace_time": None}
    scheduler.add_job(
        _logged("plan", jobs.plan), IntervalTrigger(seconds=plan_every, timezone=place),
        id="plan", name="plan the week", next_run_time=start, **common,
    )  # fmt: skip
    scheduler.add_job(
        _logged("dispatch", jobs.dispatch), IntervalTrigger(seconds=dispatch_every, timezone=place),
        id="dispatch", name="dispatch due messages and reminders", next_run_time=start, **common,
    )  # fmt: skip
    scheduler.add_job(
        _logged("close_windows", jobs.close_windows),
        IntervalTrigger(seconds=close_every, timezone=place),
        id="close_windows", name="close answer windows", next_run_time=start, **common,
    )  # fmt: skip
    scheduler.add_job(
        _logged("report", jobs.report),
        CronTrigger(
            day_of_week=WEEKDAY_NAMES[report_weekday - 1],
            hour=report_time.hour,
            minute=report_time.minute,
            timezone=place,
        ),
        id="report", name="post last week's report", **common,
    )  # fmt: skip
    if _report_due_this_week(start, place=place, weekday=report_weekday, at=report_time):
        scheduler.add_job(
            _logged("report", jobs.report), id="report_catch_up",
            name="post a report missed while down", next_run_time=start, **common,
        )  # fmt: skip
    return scheduler


def add_roster_jobs(
    scheduler: AsyncIOScheduler,
    runtimes: Sequence[object],
    *,
    every: dt.timedelta = dt.timedelta(days=1),
    now: dt.datetime | None = None,
) -> list[str]:
    """Sync each platform's roster at start and then daily; returns the job ids added.

    A runtime takes part when it has a ``roster`` with an async ``run()`` (Slack does). The
    sync is idempotent, so running it on every replica is harmless. Each sync is followed by
    the scheduler's ``plan`` job (when it has one), so everyone synced is planned at once:
    at start the plan job runs beside the first sync and saw only the people stored so far
    (measured: three of six), and the rest waited for the next plan, 15 minutes later.
    """
    plan = scheduler.get_job("plan")
    then: Callable[[], Awaitable[None]] | None = None if plan is None else plan.func
    added: list[str] = []
    for runtime in runtimes:
        roster = getattr(runtime, "roster", None)
        if roster is None or not callable(getattr(roster, "run", None)):
            continue
        platform = getattr(getattr(runtime, "platform", None), "value", "platform")
        job_id = f"roster_{platform}"
        scheduler.add_job(
            _synced_then(_logged(job_id, roster.run), then),
            IntervalTrigger(seconds=every.total_seconds(), timezone=scheduler.timezone),
            id=job_id,
            name=f"sync the {platform} roster",
            next_run_time=now or dt.datetime.now(dt.UTC),
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
        )
        added.append(job_id)
    return added


def _synced_then(
    sync: Callable[[], Awaitable[bool]], then: Callable[[], Awaitable[object]] | None
) -> Callable[[], Awaitable[bool]]:
    if then is None:
        return sync

    async def run() -> bool:
        synced = await sync()
        await then()
        return synced

    run.__name__ = sync.__name__
    return run


def _report_due_this_week(now: dt.datetime, *, place: ZoneInfo, weekday: int, at: dt.time) -> bool:
    local = now.astimezone(place)
    due = dt.datetime.combine(
        local.date() - dt.timedelta(days=local.isoweekday() - weekday), at, tzinfo=place
    )
    return due <= local
