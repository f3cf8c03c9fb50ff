"""Fixtures for the Telegram adapter tests: the runtime started against the stand-in."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio

from pulse_mirror.sandbox.telegram import TelegramSandbox
from pulse_mirror.storage.repository import SqlRepository
from tests.telegram.world import World, build_world


@pytest_asyncio.fixture
async def world(
    telegram_sandbox: TelegramSandbox, repository: SqlRepository
) -> AsyncIterator[World]:
    """The polling runtime on a fresh database; the stand-in's pace limits are off here."""
    telegram_sandbox.set_limits(per_chat_per_second=0, overall_per_second=0)
    built = await build_world(telegram_sandbox, repository)
    try:
        yield built
    finally:
        await built.runtime.stop()
