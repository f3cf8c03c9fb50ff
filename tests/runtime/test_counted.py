"""What the app counts itself: 429s at the pacer, stored answers, job runs and failures."""

from __future__ import annotations

import asyncio
import datetime as dt

from apscheduler.events import (  # type: ignore[import-untyped]
    EVENT_JOB_ERROR,
    EVENT_JOB_EXECUTED,
    JobExecutionEvent,
)
from apscheduler.schedulers.asyncio import AsyncIOScheduler  # type: ignore[import-untyped]

from pulse_mirror.outbox.pacing import Pacer, Rate
from pulse_mirror.runtime.metrics import Metrics
from pulse_mirror.runtime.observed import CountedAnswers, CountedPace, count_job_runs
from pulse_mirror.storage.repository import SqlRepository
from pulse_mirror.surveys.model import Side
from pulse_mirror.surveys.records import AnswerOutcome
from tests.fakes import FakeClock
from tests.runtime.test_metrics import scrape, value
from tests.storage.builders import NOW, add_person, add_pulse, deliver


class Unreachable:
    async def delivery_counts(self, *, now: dt.datetime) -> list[object]:
        raise OSError("no database in this test")


def _metrics() -> Metrics:
    return Metrics(source=Unreachable(), clock=FakeClock(NOW))  # type: ignore[arg-type]


async def test_a_429_hold_is_counted_per_platform_and_still_holds_the_pacer() -> None:
    metrics, clock = _metrics(), FakeClock(NOW)
    pacer = Pacer(clock=clock, overall=Rate.per_second(30))
    counted = CountedPace(pacer, platform="telegram", counts=metrics)

    counted.hold(3.0)
    await counted.acquire("chat")

    assert clock.slept >= 3.0  # the real pacer was held
    _, _, samples = await scrape(metrics)
    assert value(samples, "pulse_rate_limited_total", platform="telegram") == 1
    assert value(samples, "pulse_rate_limited_total", platform="slack") == 0


async def test_stored_answers_are_counted_and_refused_ones_are_not(
    repository: SqlRepository,
) -> None:
    metrics = _metrics()
    answers = CountedAnswers(repository, counts=metrics)
    pulse = await add_pulse(repository, side=Side.EMPLOYEE)
    person = await add_person(repository, side=Side.EMPLOYEE, user="U1")
    row = await deliver(repository, pulse=pulse, person=person)
    item = pulse.items[0]

    first = await answers.record_answer(token=row.token, item=item, value=4, now=NOW)
    again = await answers.record_answer(token=row.token, item=item, value=4, now=NOW)
    changed = await answers.record_answer(token=row.token, item=item, value=2, now=NOW)
    unknown = await answers.record_answer(token="no-such-token", item=item, value=1, now=NOW)

    assert (first, again, changed, unknown) == (
        AnswerOutcome.RECORDED, AnswerOutcome.UNCHANGED, AnswerOutcome.CHANGED,
        AnswerOutcome.UNKNOWN_TOKEN,
    )  # fmt: skip
    _, _, samples = await scrape(metrics)
    assert value(samples, "pulse_answers_recorded_total", outcome="recorded") == 1
    assert value(samples, "pulse_answers_recorded_total", outcome="changed") == 1


async def test_job_runs_and_failures_are_counted_by_job_id() -> None:
    metrics = _metrics()
    done = asyncio.Event()

    async def fine() -> bool:
        return True

    async def raises() -> None:
        raise RuntimeError("boom")

    async def reports_failure() -> bool:  # as a logging wrapper that caught the error says it
        return False

    scheduler = AsyncIOScheduler(timezone=dt.UTC)
    start = dt.datetime.now(dt.UTC)
    for job in (fine, raises, reports_failure):
        scheduler.add_job(job, id=job.__name__, next_run_time=start, misfire_grace_time=None)
    scheduler.add_job(done.set, id="later", next_run_time=start + dt.timedelta(days=1))
    count_job_runs(scheduler, metrics)
    finished: list[str] = []

    def after(event: JobExecutionEvent) -> None:  # listeners run in order: counted by now
        finished.append(event.job_id)
        if len(finished) == 3:
            done.set()

    scheduler.add_listener(after, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
    scheduler.start()
    try:
        await asyncio.wait_for(done.wait(), timeout=30)
    finally:
        scheduler.shutdown(wait=False)

    _, _, samples = await scrape(metrics)
    for job in ("fine", "raises", "reports_failure"):
        assert value(samples, "pulse_job_runs_total", job=job) == 1
    assert value(samples, "pulse_job_failures_total", job="fine") == 0
    assert value(samples, "pulse_job_failures_total", job="raises") == 1
    assert value(samples, "pulse_job_failures_total", job="reports_failure") == 1
    assert value(samples, "pulse_job_runs_total", job="later") == 0
