"""The bot's pending updates: confirmed by ``offset``, awaited by long polls and webhooks."""

from __future__ import annotations

import asyncio
from typing import Any

# Telegram leaves these out unless they are asked for explicitly.
NOT_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


def update_type(update: dict[str, Any]) -> str:
    """The one optional field that says what kind of update this is."""
    return next(key for key in update if key != "update_id")


class UpdateQueue:
    """Updates waiting for the bot, in order, with a wake-up for whoever waits for them."""

    def __init__(self) -> None:
        self._pending: list[dict[str, Any]] = []
        self._next_id = 1
        self._arrived = asyncio.Event()
        self._closed = False
        self.allowed: list[str] | None = None

    def push(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Queue a new update of ``kind`` and wake the waiters; return the update."""
        update = {"update_id": self._next_id, kind: payload}
        self._next_id += 1
        if self._is_allowed(kind):
            self._pending.append(update)
            self._arrived.set()
        return update

    def _is_allowed(self, kind: str) -> bool:
        if self.allowed:
            return kind in self.allowed
        return kind not in NOT_DEFAULT

    def confirm(self, offset: int) -> None:
        """Forget every update with an id below ``offset`` (negative: keep the last -offset)."""
        if offset < 0:
            self._pending = self._pending[offset:]
        else:
            self._pending = [u for u in self._pending if u["update_id"] >= offset]

    def peek(self, limit: int = 100) -> list[dict[str, Any]]:
        """The oldest pending updates, without confirming them."""
        return list(self._pending[:limit])

    def pending(self) -> list[dict[str, Any]]:
        """Every pending update, oldest first (the queue's own list: do not change it)."""
        return self._pending

    def drop(self, update_id: int) -> None:
        """Remove one delivered update (found from the oldest: deliveries run near the head)."""
        for index, update in enumerate(self._pending):
            if update["update_id"] == update_id:
                del self._pending[index]
                return

    def clear(self) -> None:
        """Drop every pending update."""
        self._pending.clear()

    def __len__(self) -> int:
        return len(self._pending)

    def wake(self) -> None:
        """Wake every waiter without a new update (a conflict, a webhook change)."""
        self._arrived.set()

    def close(self) -> None:
        """Release every waiter for good; the stand-in is stopping."""
        self._closed = True
        self._arrived.set()

    @property
    def closed(self) -> bool:
        """Whether the stand-in is stopping."""
        return self._closed

    async def wait(self, timeout: float) -> None:
        """Wait up to ``timeout`` seconds for something to happen."""
        if self._closed:
            return
        self._arrived.clear()
        try:
            await asyncio.wait_for(self._arrived.wait(), timeout)
        except TimeoutError:
            return
