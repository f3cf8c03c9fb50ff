"""Fakes of our own ports for tests: one clock that moves only when a test or a sleep says so."""

from __future__ import annotations

import asyncio
import datetime as dt

MONDAY = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)  # Monday of 2026-W48
STAND_IN_START = 1_000.0  # the stand-ins' seconds when a clock starts; only differences count


class FakeClock:
    """The ``Clock`` port on virtual time, and the seconds the stand-ins' rate limits run on.

    ``now()`` and ``sleep()`` serve the bot; calling the clock (or ``monotonic()``) gives
    the seconds the Slack and Telegram stand-ins take as ``now=``, so a bot and a stand-in
    on one clock share one time. The seconds move by exactly what was slept or advanced,
    without rounding to the microseconds a datetime keeps: a pace of 1/30 s adds up to
    exactly one second on the stand-in's side too.
    """

    def __init__(self, start: dt.datetime = MONDAY) -> None:
        self._current = start
        self._seconds = STAND_IN_START
        self.slept = 0.0  # seconds slept in total, for tests that check the bot kept a pace

    @property
    def current(self) -> dt.datetime:
        """The virtual time; a test may set it directly (also backwards)."""
        return self._current

    @current.setter
    def current(self, moment: dt.datetime) -> None:
        self._seconds += (moment - self._current).total_seconds()
        self._current = moment

    def now(self) -> dt.datetime:
        """The virtual time."""
        return self._current

    def monotonic(self) -> float:
        """Seconds on the same virtual time, for the stand-ins' rate limits."""
        return self._seconds

    def __call__(self) -> float:
        return self._seconds

    def advance(self, by: float | dt.timedelta) -> None:
        """Move time forward by seconds or a timedelta."""
        if isinstance(by, dt.timedelta):
            self.current += by
            return
        self._current += dt.timedelta(seconds=by)
        self._seconds += by

    def set(self, moment: dt.datetime) -> None:
        """Jump to ``moment``, never backwards."""
        if moment > self._current:
            self.current = moment

    async def sleep(self, seconds: float) -> None:
        """Advance by ``seconds`` at once (a negative wait is none), then let other tasks run.

        A real sleep gives the loop to other tasks; yielding once keeps that, so concurrent
        senders and listeners interleave as they would on the wall clock.
        """
        if seconds > 0:
            self.slept += seconds
            self.advance(seconds)
        await asyncio.sleep(0)
