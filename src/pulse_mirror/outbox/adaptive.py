"""Slack's pace: one message a second to each channel, many channels at once, and a workspace
ceiling found from Slack's 429s.

Slack allows ``chat.postMessage`` about one message a second per channel (every DM is its own
channel) and keeps a workspace-wide limit it does not publish; going over either is answered
with HTTP 429 and ``Retry-After``. Each channel is paced at 1/s here, so a 429 means the
workspace is over its ceiling. The workspace pace adapts like TCP's congestion control:

* **slow start**: from the configured rate, the pace doubles every second of sending until
  the first 429;
* **multiplicative decrease**: a 429 cuts the pace to ``DECREASE`` of itself, at most once
  per ``RECOVERY`` seconds (the 429s of sends already under way belong to the same event);
* **additive increase**: afterwards the pace grows by ``PROBE`` of the last ceiling each
  second of sending, so the next 429 comes about ``(1 - DECREASE) / PROBE`` seconds later.
  At 0.9 and 0.005 that is one 429 per ~20 s, about 1% of the calls at 5/s and 0.25% at 20/s,
  while the pace averages 95% of the ceiling. Past 1.25 × the last ceiling with no 429 the
  ceiling has moved, and slow start resumes.

The pace grows only while it is what holds sends back, so a quiet night does not leave it
at its maximum. If 429s keep coming after a decrease, every channel waits ``Retry-After``.
Every wait goes through ``Clock.sleep``, so a virtual clock drives it in tests.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from pulse_mirror.outbox.pacing import DEFAULT_MARGIN, Rate, SlidingLog
from pulse_mirror.surveys.ports import Clock

DECREASE = 0.9  # share of the pace kept after a 429
PROBE = 0.005  # share of the last ceiling added per second of sending, after the first 429
RECOVERY = 1.0  # seconds after a decrease in which further 429s count as the same event
STUBBORN = 3  # 429s within the recovery period that make every channel wait Retry-After
RESTART = 1.25  # past this multiple of the last ceiling with no 429, slow start resumes
_EPSILON = 1e-6
_MIN_SLEEP = 0.001


@dataclass
class AdaptiveRate:
    """The workspace pace in messages a second: slow start, then additive increase and
    multiplicative decrease on 429s."""

    value: float
    floor: float = 0.2
    maximum: float = 100.0
    ceiling: float | None = None  # the pace at the last 429; None before the first
    _decreased_at: float = float("-inf")
    _recent_429s: int = 0

    def grow(self, seconds: float) -> None:
        """Raise the pace for ``seconds`` of sending that the pace held back."""
        seconds = min(max(seconds, 0.0), 1.0)
        if self.ceiling is None or self.value > RESTART * self.ceiling:
            self.value *= 2.0**seconds
        else:
            self.value += PROBE * self.ceiling * seconds
        self.value = min(self.value, self.maximum)

    def limited(self, now: float) -> bool:
        """Take a 429 at ``now``; True if 429s persist after a decrease (everyone should wait)."""
        if now - self._decreased_at < RECOVERY:
            self._recent_429s += 1
            return self._recent_429s >= STUBBORN
        self.ceiling = self.value
        self.value = max(self.floor, self.value * DECREASE)
        self._decreased_at = now
        self._recent_429s = 1
        return False


class ChannelPacer:
    """Paces Slack's messages: per channel, and over the workspace at an adaptive rate.

    A send waits for its own channel without blocking the others; only the workspace slot is
    taken in turn. ``per_second`` is the current workspace pace, so the dispatcher's claim
    window follows it.
    """

    def __init__(
        self,
        *,
        clock: Clock,
        start: float,
        maximum: float = 100.0,
        per_channel: Rate | None = None,
        margin: float = DEFAULT_MARGIN,
    ) -> None:
        if start <= 0 or maximum < start:
            raise ValueError(f"need 0 < start <= maximum, not {start} and {maximum}")
        self._clock = clock
        self._margin = margin
        self._per_channel = per_channel or Rate.per_second(1.0)
        self.rate = AdaptiveRate(value=start, maximum=maximum, floor=min(0.2, start))
        self._channels: dict[str, SlidingLog] = {}
        self._channel_locks: dict[str, tuple[asyncio.Lock, list[int]]] = {}  # lock, users
        self._lock = asyncio.Lock()
        self._next_slot = 0.0
        self._last_grant = float("-inf")
        self._held_until = 0.0

    @property
    def per_second(self) -> float:
        """The workspace pace now, in messages a second."""
        return self.rate.value

    def _now(self) -> float:
        return self._clock.now().timestamp()

    async def _sleep(self, seconds: float) -> None:
        # Clocks count in microseconds: a shorter sleep might not move one at all.
        await self._clock.sleep(max(seconds, _MIN_SLEEP))

    async def acquire(self, chat: str) -> None:
        """Wait until ``chat`` and the workspace may take one more message, then count it."""
        entry = self._channel_locks.get(chat)
        if entry is None:
            entry = self._channel_locks[chat] = (asyncio.Lock(), [0])
        lock, users = entry
        users[0] += 1
        try:
            async with lock:
                await self._acquire(chat)
        finally:
            users[0] -= 1
            if users[0] == 0:
                del self._channel_locks[chat]

    async def _acquire(self, chat: str) -> None:
        channel = self._channel(chat)
        while (wait := channel.wait(self._now())) > _EPSILON:
            await self._sleep(wait)  # this channel only: the others go on
        async with self._lock:
            paced = False  # whether the workspace pace, not a hold, was the last wait
            while True:
                now = self._now()
                slot = self._next_slot - now
                wait = max(slot, self._held_until - now, channel.wait(now))
                if wait <= _EPSILON:
                    break
                paced = slot >= wait - _EPSILON
                await self._sleep(wait)
            spacing = 1.0 / self.rate.value
            since = now - self._last_grant
            if paced or since <= 1.5 * spacing:
                # Credit only time spent sending at the pace, never a hold or a quiet spell.
                self.rate.grow(min(since, 1.5 * spacing))
            self._last_grant = now
            self._next_slot = now + 1.0 / self.rate.value
            channel.record(now)

    def _channel(self, chat: str) -> SlidingLog:
        found = self._channels.get(chat)
        if found is None:
            if len(self._channels) > 10_000:
                now = self._now()
                for key in [k for k, log in self._channels.items() if log.idle(now)]:
                    del self._channels[key]
            found = self._channels[chat] = SlidingLog(self._per_channel, margin=self._margin)
        return found

    def hold(self, seconds: float, *, chat: str | None = None) -> None:
        """After a 429: slow the workspace down; ``chat``, if given, waits ``seconds``.

        If 429s keep coming right after a slow-down, every channel waits ``seconds``.
        """
        now = self._now()
        until = now + max(seconds, 0.0)
        if chat is not None:
            channel = self._channel(chat)
            channel.held_until = max(channel.held_until, until)
        if self.rate.limited(now):
            self._held_until = max(self._held_until, until)
        self._next_slot = max(self._next_slot, now + 1.0 / self.rate.value)
