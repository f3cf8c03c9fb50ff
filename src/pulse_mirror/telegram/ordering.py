"""Many chats at once, each chat in order: how the application runs its handlers.

With ``concurrent_updates`` PTB runs updates side by side, in any order. Two taps of one
person would then read the same pulse state and the later edit could show a state without
the other answer, though both are stored. Here updates of different chats still run
concurrently, but one chat's updates run one after the other, in the order they came, so
each tap sees what the one before it stored.

An update waits for its chat's turn before it takes one of the concurrent slots, so a flood
from one chat (a person tapping fast, or a forged stream) holds one slot, not all of them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

_UNBOUNDED = 1 << 30  # for PTB's own semaphore; the real limit is ChatOrder._slots


@dataclass
class _Turn:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    holders: int = 0  # updates of this chat running or waiting


class ChatOrder(BaseUpdateProcessor):
    """Up to ``max_concurrent_updates`` updates at once; one chat's strictly in order.

    PTB's own slot is taken before an update is handed here, so this processor tells PTB it
    takes any number and keeps the real limit itself, behind the chat's turn.
    """

    __slots__ = ("_limit", "_running", "_slots", "_turns")

    def __init__(self, max_concurrent_updates: int) -> None:
        """Process at most ``max_concurrent_updates`` updates at the same time."""
        if max_concurrent_updates < 1:
            raise ValueError("max_concurrent_updates must be at least 1")
        super().__init__(_UNBOUNDED)
        self._limit = max_concurrent_updates
        self._slots = asyncio.Semaphore(max_concurrent_updates)
        self._running = 0
        self._turns: dict[int, _Turn] = {}

    @property
    def limit(self) -> int:
        """The most updates whose handlers run at the same time (PTB's own count is unbounded)."""
        return self._limit

    @property
    def running(self) -> int:
        """How many updates' handlers run right now (waiting ones not counted)."""
        return self._running

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Wait until every earlier update of the same chat has finished, then take a slot."""
        chat = chat_of(update)
        if chat is None:
            await self._run(coroutine)
            return
        turn = self._turns.setdefault(chat, _Turn())
        turn.holders += 1
        try:
            async with turn.lock:  # asyncio.Lock wakes its waiters first come, first served
                await self._run(coroutine)
        finally:
            turn.holders -= 1
            if turn.holders == 0:
                del self._turns[chat]

    async def _run(self, coroutine: Awaitable[Any]) -> None:
        async with self._slots:
            self._running += 1
            try:
                await coroutine
            finally:
                self._running -= 1

    @property
    def waiting_chats(self) -> int:
        """How many chats have an update running or waiting (for tests and metrics)."""
        return len(self._turns)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""


def chat_of(update: object) -> int | None:
    """The chat (or else the person) an update belongs to; None for neither."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    if update.effective_user is not None:
        return update.effective_user.id
    return None
