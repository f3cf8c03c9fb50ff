"""The platforms' pace: at most N messages in any window, overall and per chat, on a Clock.

One ``Pacer`` per platform, shared by everything that sends there: the dispatcher's pulses
and, on Telegram, the handlers' confirmations and replies, so together they keep the
platform's limits. The limiter mirrors how the platforms count (a sliding log of recent
sends), plus a small safety margin on the window so that network jitter between our send and
the platform's count does not turn a send at the edge into a 429. Every wait goes through
``Clock.sleep``, so a virtual clock drives it in tests. A 429 holds every sender of the
platform (or of one chat, when the platform said it of that chat) until it is over.
"""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass

from pulse_mirror.surveys.ports import Clock

DEFAULT_MARGIN = 0.02  # seconds added to each window
_EPSILON = 1e-6
_MIN_SLEEP = 0.001


@dataclass(frozen=True)
class Rate:
    """At most ``limit`` sends in any ``per`` seconds."""

    limit: int
    per: float

    @classmethod
    def per_second(cls, value: float) -> Rate:
        """A rate of ``value`` sends a second; a fraction (0.5/s) becomes 1 per 2 seconds."""
        if value <= 0:
            raise ValueError(f"a rate must be above 0, not {value}")
        limit = max(1, int(value))
        return cls(limit=limit, per=limit / value)


class SlidingLog:
    """The send times of one key within the last window."""

    def __init__(self, rate: Rate, *, margin: float) -> None:
        self.rate = rate
        self.window = rate.per + margin
        self._sent: deque[float] = deque()
        self.held_until = 0.0

    def wait(self, now: float) -> float:
        """Seconds until one more send fits (0 if it does now).

        Sends are also spaced at least ``per / limit`` apart: a burst of the whole window's
        allowance at once arrives spread by network jitter and would overlap the next one.
        """
        while self._sent and self._sent[0] <= now - self.window:
            self._sent.popleft()
        spacing = self.held_until - now
        if self._sent:
            spacing = max(spacing, self._sent[-1] + self.rate.per / self.rate.limit - now)
        if len(self._sent) < self.rate.limit:
            return max(spacing, 0.0)
        return max(self._sent[0] + self.window - now, spacing, 0.0)

    def idle(self, now: float) -> bool:
        """Whether nothing was sent within the window before ``now`` and no hold lasts."""
        recent = bool(self._sent) and self._sent[-1] > now - self.window
        return not recent and self.held_until <= now

    def record(self, now: float) -> None:
        """Count a send at ``now``."""
        self._sent.append(now)


class Pacer:
    """Paces one platform's sends: an overall rate, an optional per-chat rate, and 429 holds."""

    def __init__(
        self,
        *,
        clock: Clock,
        overall: Rate | None,
        per_chat: Rate | None = None,
        margin: float = DEFAULT_MARGIN,
    ) -> None:
        self._clock = clock
        self._margin = margin
        self._overall = None if overall is None else SlidingLog(overall, margin=margin)
        self._per_chat_rate = per_chat
        self._chats: dict[str, SlidingLog] = {}
        self._lock = asyncio.Lock()
        self._held_until = 0.0

    @property
    def per_second(self) -> float | None:
        """The overall messages a second, if limited."""
        return None if self._overall is None else self._overall.rate.limit / self._overall.rate.per

    def _now(self) -> float:
        return self._clock.now().timestamp()

    async def acquire(self, chat: str) -> None:
        """Wait until one more message to ``chat`` fits every limit, then count it."""
        # One queue for all: a second message to a busy chat waits its turn in order. Pulses
        # rarely go to one chat twice within a second (a question and its reminder are days
        # apart), and Telegram's replies pick the chat that is ready first (``ready_at``), so
        # this head-of-line wait costs next to nothing.
        async with self._lock:
            while True:
                now = self._now()
                wait = max(self._held_until - now, 0.0)
                if self._overall is not None:
                    wait = max(wait, self._overall.wait(now))
                chat_log = self._chat_log(chat, now)
                if chat_log is not None:
                    wait = max(wait, chat_log.wait(now))
                if wait <= _EPSILON:
                    break
                # Clocks count in microseconds: a shorter sleep might not move one at all.
                await self._clock.sleep(max(wait, _MIN_SLEEP))
            if self._overall is not None:
                self._overall.record(now)
            if chat_log is not None:
                chat_log.record(now)

    def ready_at(self, chat: str) -> float:
        """When (clock seconds) ``chat`` may get its next message, the overall pace aside."""
        now = self._now()
        found = self._chats.get(chat)
        return now if found is None else now + found.wait(now)

    def _chat_log(self, chat: str, now: float) -> SlidingLog | None:
        if self._per_chat_rate is None:
            return None
        found = self._chats.get(chat)
        if found is None:
            if len(self._chats) > 10_000:
                self._forget_idle(now)
            found = self._chats[chat] = SlidingLog(self._per_chat_rate, margin=self._margin)
        return found

    def _forget_idle(self, now: float) -> None:
        for key in [key for key, log in self._chats.items() if log.idle(now)]:
            del self._chats[key]

    def hold(self, seconds: float, *, chat: str | None = None) -> None:
        """After a 429: send nothing for ``seconds``, to ``chat`` only if given, else to anyone.

        A chat's hold needs the per-chat limit; without one it holds the whole platform.
        """
        until = self._now() + max(seconds, 0.0)
        chat_log = None if chat is None else self._chat_log(chat, self._now())
        if chat_log is None:
            self._held_until = max(self._held_until, until)
        else:
            chat_log.held_until = max(chat_log.held_until, until)
