"""Counting at the ports: a 429 seen by a pacer or a reply, an input stored, a job's run.

The composition root puts these around the real parts; nothing inside the core or the
adapters knows it is counted.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any, Protocol, runtime_checkable

from apscheduler.events import (  # type: ignore[import-untyped]
    EVENT_JOB_ERROR,
    EVENT_JOB_EXECUTED,
    JobExecutionEvent,
)

from pulse_mirror.surveys.model import Platform, Side
from pulse_mirror.surveys.ports import Pace
from pulse_mirror.surveys.records import AnswerOutcome
from pulse_mirror.surveys.stores import Answers, ClickContext

STORED = frozenset({AnswerOutcome.RECORDED, AnswerOutcome.CHANGED})
# Tokens whose side is remembered between the click's context read and its record: the core
# reads the context first, so a few thousand cover every input in flight.
REMEMBERED_TOKENS = 4096


class RateLimits(Protocol):
    """Where 429s are counted."""

    def rate_limited(self, platform: str) -> None:
        """Count one 429 from ``platform``."""
        ...


class AnswerCounts(Protocol):
    """Where stored answers, comments and skips are counted."""

    def answer_recorded(self, outcome: str) -> None:
        """Count one stored answer."""
        ...

    def comment_recorded(self, side: str) -> None:
        """Count one stored comment of ``side``."""
        ...

    def skip_recorded(self, side: str) -> None:
        """Count one stored skip of ``side``."""
        ...


@runtime_checkable
class RepliesRateLimited(Protocol):
    """A platform whose handlers send replies past the dispatcher, and say when one got a 429."""

    platform: Platform

    def on_reply_rate_limited(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` for each such 429."""
        ...


def count_reply_rate_limits(runtimes: Iterable[object], counts: RateLimits) -> None:
    """Count the 429s the platforms' own replies get, with the dispatcher's, by platform."""
    for runtime in runtimes:
        if isinstance(runtime, RepliesRateLimited):
            runtime.on_reply_rate_limited(partial(counts.rate_limited, runtime.platform.value))


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
    """The answers port, counting each click that stored a value, each comment and skip."""

    def __init__(self, answers: Answers, *, counts: AnswerCounts) -> None:
        self._answers = answers
        self._counts = counts
        self._sides: OrderedDict[str, Side] = OrderedDict()

    async def click_context(self, token: str) -> ClickContext | None:
        """As the wrapped port; remembers the token's side for the record that follows."""
        found = await self._answers.click_context(token)
        if found is not None:
            self._sides[token] = found.pulse.side
            self._sides.move_to_end(token)
            while len(self._sides) > REMEMBERED_TOKENS:
                self._sides.popitem(last=False)
        return found

    async def _side(self, token: str) -> str:
        side = self._sides.pop(token, None)
        if side is None:  # not read through this port first: read it now (rare)
            found = await self._answers.click_context(token)
            side = found.pulse.side if found is not None else None
        return side.value if side is not None else "unknown"

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
        """Record through the wrapped port; count it, by side, when it was stored."""
        outcome = await self._answers.record_comment(token=token, item=item, text=text, now=now)
        if outcome in STORED:
            self._counts.comment_recorded(await self._side(token))
        return outcome

    async def record_skip(self, *, token: str, item: str, now: dt.datetime) -> AnswerOutcome:
        """Record through the wrapped port; count it, by side, when it was stored."""
        outcome = await self._answers.record_skip(token=token, item=item, now=now)
        if outcome is AnswerOutcome.RECORDED:
            self._counts.skip_recorded(await self._side(token))
        return outcome


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
