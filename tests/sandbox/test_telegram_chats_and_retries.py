"""The stand-in as the Bot API behaves where it matters: old messages, other chats, retries."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from typing import Any

import pytest_asyncio
from aiohttp import web
from telegram import Bot, Update

from pulse_mirror.sandbox.telegram import TelegramSandbox
from tests.fixtures.telegram_sandbox import bot_for


class Hook:
    """A webhook endpoint that answers from a script of statuses (then 200) and records."""

    def __init__(self) -> None:
        self.script: list[int | str] = []  # a status, or "hang" for no answer in time
        self.seen: list[tuple[float, int, Any]] = []  # (loop time, update_id, chat id)
        self.url = ""
        self._runner: web.AppRunner | None = None

    async def handle(self, request: web.Request) -> web.Response:
        update = await request.json()
        payload = next(v for k, v in update.items() if k != "update_id")
        chat = payload.get("chat", {}).get("id")
        self.seen.append((asyncio.get_running_loop().time(), update["update_id"], chat))
        step = self.script.pop(0) if self.script else 200
        if step == "hang":
            await asyncio.sleep(5)
            return web.Response(text="late")
        headers = {"Retry-After": "3"} if step == 429 else {}
        return web.Response(status=int(step), headers=headers)

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/hook", self.handle)
        self._runner = web.AppRunner(app, shutdown_timeout=0.1, handler_cancellation=True)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}/hook"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()


@pytest_asyncio.fixture
async def hooked() -> AsyncIterator[tuple[TelegramSandbox, Bot, Hook]]:
    sandbox = TelegramSandbox(webhook_backoff_unit=0.02, webhook_timeout=0.5)
    await sandbox.start()
    hook = Hook()
    await hook.start()
    async with bot_for(sandbox) as bot:
        await bot.set_webhook(hook.url)
        yield sandbox, bot, hook
    await hook.stop()
    await sandbox.stop()


async def _until(check: Any, timeout: float = 10.0) -> None:
    for _ in range(int(timeout / 0.01)):
        if check():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("not reached in time")


async def test_failed_deliveries_back_off_as_telegram_does_and_keep_chat_order(
    hooked: tuple[TelegramSandbox, Bot, Hook],
) -> None:
    sandbox, bot, hook = hooked
    hook.script = [500, 502, 404, "hang", 429]
    sandbox.add_user(1, first_name="A")
    sandbox.add_user(2, first_name="B")
    first = sandbox.send_text(1, "first")["update_id"]
    sandbox.send_text(1, "second")
    await _until(lambda: len(sandbox.pending_updates()) == 0)
    # Immediately, then 2, 4 and 8 units, then the 3 units the Retry-After asked for.
    assert sandbox.runtime.webhook.backoffs == [(first, 0), (first, 2), (first, 4), (first, 8),
                                                (first, 3)]  # fmt: skip
    attempts = [t for t, update_id, _ in hook.seen if update_id == first]
    gaps = [later - earlier for earlier, later in itertools.pairwise(attempts)]
    assert len(attempts) == 6
    assert gaps[1] >= 2 * 0.02 and gaps[2] >= 4 * 0.02 and gaps[3] >= 8 * 0.02
    assert [u for _, u, chat in hook.seen if chat == 1][-2:] == [first, first + 1]  # in order
    info = await bot.get_webhook_info()
    assert info.last_error_message is not None and "429" in info.last_error_message


async def test_another_chat_is_delivered_while_one_waits_out_a_back_off(
    hooked: tuple[TelegramSandbox, Bot, Hook],
) -> None:
    sandbox, _, hook = hooked
    sandbox.runtime.webhook.max_connections = 1
    hook.script = [500, 500, 500]
    sandbox.add_user(1, first_name="A")
    sandbox.add_user(2, first_name="B")
    sandbox.send_text(1, "stuck for a while")
    other = sandbox.send_text(2, "hello")["update_id"]
    await _until(lambda: len(sandbox.pending_updates()) == 0)
    order = [update_id for _, update_id, _ in hook.seen]
    assert order.index(other) < len(order) - 1  # chat 2 went through before chat 1 did


async def test_a_tap_on_a_deleted_or_old_message_carries_an_inaccessible_message(
    telegram_sandbox: TelegramSandbox, telegram_bot: Bot
) -> None:
    telegram_sandbox.set_limits(per_chat_per_second=0, overall_per_second=0)
    telegram_sandbox.add_user(5, first_name="Old", language_code="en-GB", started=True)
    keyboard = {"inline_keyboard": [[{"text": "7", "callback_data": "x:7"}]]}
    sent = [await telegram_bot.send_message(5, f"q{i}", reply_markup=keyboard) for i in range(3)]
    await telegram_bot.delete_message(5, sent[0].message_id)
    telegram_sandbox.age_message(5, message_id=sent[1].message_id, seconds=49 * 3600)
    for message, accessible in zip(sent, (False, False, True), strict=True):
        raw = telegram_sandbox.press_button(5, message_id=message.message_id, data="x:7")
        update = Update.de_json(raw, telegram_bot)
        assert update.callback_query is not None and update.callback_query.message is not None
        assert update.callback_query.message.is_accessible is accessible
        if not accessible:
            assert set(raw["callback_query"]["message"]) == {"chat", "message_id", "date"}
            assert raw["callback_query"]["message"]["date"] == 0
        assert raw["callback_query"]["from"]["language_code"] == "en-GB"
        assert await update.callback_query.answer()


async def test_supergroups_forum_topics_and_channels_have_the_bot_api_shape(
    telegram_sandbox: TelegramSandbox, telegram_bot: Bot
) -> None:
    telegram_sandbox.add_user(6, first_name="Member")
    group = telegram_sandbox.send_supergroup_message(-1001234567890, user_id=6, text="hi")
    topic = telegram_sandbox.send_supergroup_message(-1009, user_id=6, text="hi", topic=3)
    post = telegram_sandbox.post_in_channel(-1007, text="news")
    assert group["message"]["chat"]["type"] == "supergroup"
    assert "message_thread_id" not in group["message"]
    assert "is_forum" not in group["message"]["chat"]
    assert topic["message"]["message_thread_id"] == 3 and topic["message"]["is_topic_message"]
    assert topic["message"]["chat"]["is_forum"] is True
    assert "from" not in post["channel_post"]
    assert post["channel_post"]["sender_chat"] == post["channel_post"]["chat"]
    assert post["channel_post"]["chat"]["type"] == "channel"
    parsed = [Update.de_json(u, telegram_bot) for u in (group, topic, post)]
    assert [u.effective_chat.type for u in parsed if u.effective_chat] == [
        "supergroup", "supergroup", "channel"
    ]  # fmt: skip
    assert parsed[1].effective_message is not None and parsed[1].effective_message.is_topic_message
    assert parsed[2].channel_post is not None and parsed[2].channel_post.from_user is None


async def test_channel_posts_reach_the_bot_only_when_it_asks_for_them(
    telegram_sandbox: TelegramSandbox,
) -> None:
    async with bot_for(telegram_sandbox) as bot:
        telegram_sandbox.post_in_channel(-1007, text="heard")
        [heard] = await bot.get_updates(timeout=0)
        assert heard.channel_post is not None
        await bot.get_updates(offset=heard.update_id + 1, timeout=0, allowed_updates=["message"])
        telegram_sandbox.post_in_channel(-1007, text="not asked for")
        assert await bot.get_updates(timeout=0) == ()
