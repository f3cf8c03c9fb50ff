"""Updates POSTed to the bot's webhook with the secret header, retried until it says 2xx."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest_asyncio
from aiohttp import web
from telegram import Bot, Update

from pulse_mirror.sandbox.telegram import TelegramSandbox


class Endpoint:
    """A real aiohttp webhook endpoint that records what arrives and can refuse it."""

    def __init__(self) -> None:
        self.received: asyncio.Queue[tuple[str | None, dict[str, Any]]] = asyncio.Queue()
        self.refuse = 0
        self.url = ""
        self._runner: web.AppRunner | None = None

    async def handle(self, request: web.Request) -> web.Response:
        secret = request.headers.get("X-Telegram-Bot-Api-Secret-Token")
        await self.received.put((secret, await request.json()))
        if self.refuse:
            self.refuse -= 1
            return web.Response(status=500)
        return web.Response(text="ok")

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/telegram", self.handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}/telegram"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def next(self) -> tuple[str | None, dict[str, Any]]:
        return await asyncio.wait_for(self.received.get(), timeout=5)


@pytest_asyncio.fixture
async def endpoint() -> AsyncIterator[Endpoint]:
    hook = Endpoint()
    await hook.start()
    yield hook
    await hook.stop()


async def test_updates_arrive_with_the_secret_header(
    telegram_sandbox: TelegramSandbox, telegram_bot: Bot, endpoint: Endpoint
) -> None:
    assert await telegram_bot.set_webhook(endpoint.url, secret_token="pulse-Secret_1")
    telegram_sandbox.add_user(42, first_name="Ada")
    telegram_sandbox.press_start(42, payload="retail")
    secret, body = await endpoint.next()
    assert secret == "pulse-Secret_1"
    update = Update.de_json(body, telegram_bot)
    assert update.message is not None and update.message.text == "/start retail"
    info = await telegram_bot.get_webhook_info()
    assert info.url == endpoint.url
    assert info.pending_update_count == 0


async def test_refused_delivery_is_retried_and_reported(
    telegram_sandbox: TelegramSandbox, telegram_bot: Bot, endpoint: Endpoint
) -> None:
    endpoint.refuse = 1
    await telegram_bot.set_webhook(endpoint.url)
    telegram_sandbox.add_user(42, first_name="Ada")
    telegram_sandbox.send_text(42, "hello")
    telegram_sandbox.send_text(42, "again")
    first_secret, first = await endpoint.next()
    _, retried = await endpoint.next()
    _, second = await endpoint.next()
    assert first_secret is None
    assert retried["update_id"] == first["update_id"]  # same update, in order
    assert second["message"]["text"] == "again"
    info = await telegram_bot.get_webhook_info()
    assert info.last_error_message is not None and "500" in info.last_error_message


async def test_delete_webhook_returns_to_polling_and_can_drop_pending(
    telegram_sandbox: TelegramSandbox, telegram_bot: Bot
) -> None:
    await telegram_bot.set_webhook("http://127.0.0.1:9/unreachable")
    telegram_sandbox.add_user(42, first_name="Ada")
    telegram_sandbox.send_text(42, "lost")
    await telegram_bot.delete_webhook(drop_pending_updates=True)
    assert (await telegram_bot.get_webhook_info()).url == ""
    assert await telegram_bot.get_updates(timeout=0) == ()
    telegram_sandbox.send_text(42, "kept")
    [update] = await telegram_bot.get_updates(timeout=0)
    assert update.message is not None and update.message.text == "kept"


async def test_chats_are_delivered_side_by_side_each_in_order(
    telegram_sandbox: TelegramSandbox, telegram_bot: Bot
) -> None:
    """Up to max_connections requests at once; a chat's next update waits for the last."""
    release = asyncio.Event()
    open_requests: list[tuple[int, str]] = []
    arrived: list[tuple[int, str]] = []

    async def handle(request: web.Request) -> web.Response:
        message = (await request.json())["message"]
        seen = (message["chat"]["id"], message["text"])
        open_requests.append(seen)
        await release.wait()
        arrived.append(seen)
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/telegram", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        url = f"http://127.0.0.1:{runner.addresses[0][1]}/telegram"
        await telegram_bot.set_webhook(url, max_connections=2)
        for user_id in (1, 2, 3):
            telegram_sandbox.add_user(user_id, first_name=f"U{user_id}")
        telegram_sandbox.send_text(1, "first")
        telegram_sandbox.send_text(1, "second")
        telegram_sandbox.send_text(2, "hello")
        telegram_sandbox.send_text(3, "hi")
        for _ in range(100):
            if len(open_requests) == 2:
                break
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.1)
        # Two connections: chat 1's first update and chat 2's; chat 1's second one waits.
        assert open_requests == [(1, "first"), (2, "hello")]
        release.set()
        for _ in range(200):
            if len(arrived) == 4:
                break
            await asyncio.sleep(0.01)
        assert sorted(arrived) == [(1, "first"), (1, "second"), (2, "hello"), (3, "hi")]
        assert arrived.index((1, "first")) < arrived.index((1, "second"))
        assert (await telegram_bot.get_webhook_info()).pending_update_count == 0
    finally:
        await telegram_bot.delete_webhook()
        await runner.cleanup()
