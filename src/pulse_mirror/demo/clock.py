"""The demo's virtual clock: ``sleep`` moves time forward at once instead of waiting."""

from __future__ import annotations

import asyncio
import datetime as dt


class VirtualClock:
    """A ``Clock`` on simulated time, shared by the bot, the stand-ins and the simulation.

    Waiting for a rate limit costs no real time: ``sleep`` moves the clock on by the wait
    and lets other tasks run. Time only ever moves forward.
    """

    def __init__(self, start: dt.datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("the virtual clock needs a time zone-aware start")
        self._now = start.astimezone(dt.UTC)
        self.slept = 0.0

    def now(self) -> dt.datetime:
        """The simulated time (UTC)."""
        return self._now

    async def sleep(self, seconds: float) -> None:
        """Move time on by ``seconds`` and let other tasks run."""
        if seconds > 0:
            self.slept += seconds
            self._now += dt.timedelta(seconds=seconds)
        await asyncio.sleep(0)

    def advance_to(self, moment: dt.datetime) -> None:
        """Jump to ``moment``; a moment in the past changes nothing."""
        self._now = max(self._now, moment.astimezone(dt.UTC))

    def seconds(self) -> float:
        """The simulated time as Unix seconds, for the stand-ins' rate limits and dates."""
        return self._now.timestamp()
