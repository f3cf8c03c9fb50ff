"""A virtual clock that moves only when no platform call is under way.

The demo's clock moves on as soon as anyone sleeps, so while a request travels to a stand-in
the clock may run seconds ahead and the stand-in counts it later than it was sent. Here time
jumps to the next sleeper's wake-up only when no call is in flight: a call takes no virtual
time, and the bot's pace and the stand-in's limits see the same instants.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import heapq
import inspect
import itertools
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

T = TypeVar("T")


class SteppedClock:
    """A ``Clock`` on simulated time, advanced by :meth:`run` between platform calls."""

    def __init__(self, start: dt.datetime) -> None:
        self._now = start.astimezone(dt.UTC)
        self._sleepers: list[tuple[dt.datetime, int, asyncio.Future[None]]] = []
        self._order = itertools.count()
        self.in_flight = 0

    def now(self) -> dt.datetime:
        """The simulated time (UTC)."""
        return self._now

    def seconds(self) -> float:
        """The simulated time as Unix seconds, for the stand-ins' limits."""
        return self._now.timestamp()

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` of simulated time."""
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        wake = asyncio.get_running_loop().create_future()
        at = self._now + dt.timedelta(seconds=seconds)
        heapq.heappush(self._sleepers, (at, next(self._order), wake))
        await wake

    async def call(self, work: Callable[[], Awaitable[T]]) -> T:
        """Run one platform call; the clock holds still until it is answered."""
        self.in_flight += 1
        try:
            return await work()
        finally:
            self.in_flight -= 1

    async def run(self, main: Awaitable[T], *, idle: float = 0.0005) -> T:
        """Drive ``main`` to its end, moving time on whenever nothing else can happen."""
        task = asyncio.ensure_future(main)
        while not task.done():
            await asyncio.sleep(idle)  # real time: lets requests and database work go on
            if self.in_flight or not self._sleepers:
                continue
            at = self._sleepers[0][0]
            self._now = max(self._now, at)
            while self._sleepers and self._sleepers[0][0] <= self._now:
                _, _, wake = heapq.heappop(self._sleepers)
                if not wake.done():
                    wake.set_result(None)
        return await task


class Holding:
    """Wraps a store so that each of its calls holds the clock still, as a platform call does.

    A claim or a record takes real time; virtual time must not run on meanwhile (another
    replica sleeping would move it), or the figures would count the database's real latency
    at the virtual clock's speed, a couple of hundred times over.
    """

    def __init__(self, inner: object, clock: SteppedClock) -> None:
        self._inner = inner
        self._clock = clock

    def __getattr__(self, name: str) -> Any:
        found = getattr(self._inner, name)
        if not inspect.iscoroutinefunction(found):
            return found

        async def held(*args: object, **kwargs: object) -> object:
            return await self._clock.call(lambda: found(*args, **kwargs))

        return held
