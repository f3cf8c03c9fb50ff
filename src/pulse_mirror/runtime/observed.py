"""Counting at the ports: a 429 seen by a pacer, an answer stored, a scheduled job's run.

The composition root puts these around the real parts; nothing inside the core or the
adapters knows it is counted.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Protocol

from apscheduler.events import (  # type: ignore[import-untyped]
    EVENT_JOB_ERROR,
    EVENT_JOB_EXECUTED,
    JobExecutionEvent,
)

from pulse_mirror.surveys.ports import Pace
from pulse_mirror.surveys.records import AnswerOutcome
from pulse_mirror.surveys.stores import Answers, ClickContext

STORED = frozenset({AnswerOutcome.RECORDED, AnswerOutcome.CHANGED})


class RateLimits(Protocol):
    """Where 429s are counted."""

    def rate_limited(self, platform: str) -> None:
        """Count one 429 from ``platform``."""
        ...


class AnswerCounts(Protocol):
    """Where stored answers are counted."""

    def answer_recorded(self, outcome: str) -> None:
        """Count one stored answer."""
        ...


class JobCounts(Protocol):
    """Where job runs are counted."""

    def job_known(self, job: str) -> None:
        """Show ``job`` before its first run."""
        ...

    def job_ran(self, job: str, *, ok: bool) -> None:
        """Count one run, and a failure unless ``ok``."""
        ...


class CountedPace:
    """A platform's pacer that counts every 429 hold: the dispatcher holds once per 429."""

    def __init__(self, pace: Pace, *, platform: str, counts: RateLimits) -> None:
        self._pace = pace
        self._platform = platform
        self._counts = counts

    @property
    def per_second(self) -> float | None:
        """The wrapped pacer's overall rate."""
        return self._pace.per_second

    async def acquire(self, chat: str) -> None:
        """Wait for the wrapped pacer."""
        await self._pace.acquire(chat)

    def hold(self, seconds: float, *, chat: str | None = None) -> None:
        """Count the 429, then hold the wrapped pacer."""
        self._counts.rate_limited(self._platform)
        self._pace.hold(seconds, chat=chat)


class CountedAnswers:
    """The answers port, counting each click that stored a value."""

    def __init__(self, answers: Answers, *, counts: AnswerCounts) -> None:
        self._answers = answers
        self._counts = counts

    async def click_context(self, token: str) -> ClickContext | None:
        """As the wrapped port."""
        return await self._answers.click_context(token)

    async def record_answer(
        self, *, token: str, item: str, value: int, now: dt.datetime, acted_at: float | None = None
    ) -> AnswerOutcome:
        """Record through the wrapped port; count it when a value was stored."""
        outcome = await self._answers.record_answer(
            token=token, item=item, value=value, now=now, acted_at=acted_at
        )
        if outcome in STORED:
            self._counts.answer_recorded(outcome.value)
        return outcome

    async def record_comment(
        self, *, token: str, item: str, text: str, now: dt.datetime
    ) -> AnswerOutcome:
        """As the wrapped port."""
        return await self._answers.record_comment(token=token, item=item, text=text, now=now)

    async def record_skip(self, *, token: str, item: str, now: dt.datetime) -> AnswerOutcome:
        """As the wrapped port."""
        return await self._answers.record_skip(token=token, item=item, now=now)


def count_job_runs(scheduler: Any, counts: JobCounts) -> None:
    """Count every run of the scheduler's jobs by job id, and the failed ones.

    A run failed when the job raised, or when it returned ``False``: the scheduler's logging
    wrapper catches the error to log it, and says so by its return value.
    """
    for job in scheduler.get_jobs():
        counts.job_known(job.id)

    def ran(event: JobExecutionEvent) -> None:
        failed = event.exception is not None or event.retval is False
        counts.job_ran(event.job_id, ok=not failed)

    scheduler.add_listener(ran, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
