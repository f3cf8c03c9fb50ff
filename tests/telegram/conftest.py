"""Fixtures for the Telegram adapter tests: the runtime started against the stand-in."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio
from aiohttp import web

from pulse_mirror.sandbox.telegram import TelegramSandbox
from pulse_mirror.storage.repository import SqlRepository
from tests.telegram.hooks import free_port
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


@pytest_asyncio.fixture
async def hooked(
    telegram_sandbox: TelegramSandbox, repository: SqlRepository
) -> AsyncIterator[tuple[World, str]]:
    """The runtime in webhook mode, its route served by a real aiohttp server."""
    telegram_sandbox.set_limits(per_chat_per_second=0, overall_per_second=0)
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram/hook"
    world = await build_world(telegram_sandbox, repository, mode="webhook", webhook_url=url)
    app = web.Application()
    app.add_routes(world.runtime.routes())
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield world, url
    finally:
        await world.runtime.stop()
        await runner.cleanup()
