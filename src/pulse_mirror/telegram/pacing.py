"""Telegram's pace, kept by the bot itself: at most N messages a second overall and 1 per chat.

A 429 from Telegram is an exception, not the brake: every send and edit first reserves a slot
here. Slots are spaced evenly with a small margin so that network jitter never puts one
message too many into Telegram's one-second window.
"""

from __future__ import annotations

from pulse_mirror.surveys.ports import Clock

DEFAULT_MARGIN = 1.05


class Pacer:
    """Reserves send slots per chat and overall on an injected clock."""

    def __init__(
        self,
        *,
        clock: Clock,
        per_second: float = 30.0,
        per_chat_per_second: float = 1.0,
        margin: float = DEFAULT_MARGIN,
    ) -> None:
        self._clock = clock
        self._overall_gap = margin / per_second if per_second > 0 else 0.0
        self._chat_gap = margin / per_chat_per_second if per_chat_per_second > 0 else 0.0
        self._overall_next = 0.0
        self._chat_next: dict[int, float] = {}

    def _now(self) -> float:
        return self._clock.now().timestamp()

    def ready_at(self, chat_id: int) -> float:
        """When (clock seconds) ``chat_id`` may get its next message, overall pace aside."""
        return self._chat_next.get(chat_id, 0.0)

    def reserve(self, chat_id: int) -> float:
        """Reserve the next free slot for ``chat_id``; return how many seconds until it."""
        now = self._now()
        slot = max(now, self._overall_next, self._chat_next.get(chat_id, 0.0))
        self._overall_next = slot + self._overall_gap
        self._chat_next[chat_id] = slot + self._chat_gap
        if len(self._chat_next) > 10_000:
            self._forget_before(now)
        return slot - now

    async def wait(self, chat_id: int) -> None:
        """Wait for (and take) the next free slot for ``chat_id``."""
        delay = self.reserve(chat_id)
        if delay > 0:
            await self._clock.sleep(delay)

    def hold(self, chat_id: int, seconds: float) -> None:
        """Send nothing more to ``chat_id`` for ``seconds`` (Telegram asked us to wait)."""
        until = self._now() + seconds
        self._chat_next[chat_id] = max(self._chat_next.get(chat_id, 0.0), until)

    def _forget_before(self, now: float) -> None:
        for chat_id in [c for c, t in self._chat_next.items() if t <= now]:
            del self._chat_next[chat_id]
