"""Telegram's limits and errors reach python-telegram-bot exactly as from the real platform."""

from __future__ import annotations

import datetime as dtm

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import (
    BadRequest,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.request import HTTPXRequest

from pulse_mirror.sandbox.faults import Fault
from pulse_mirror.sandbox.telegram import TelegramSandbox
from tests.fakes import FakeClock
from tests.fixtures.telegram_sandbox import bot_for


def seconds(value: int | dtm.timedelta) -> float:
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


async def test_second_message_to_one_chat_within_a_second_gets_retry_after(
    paced_telegram_sandbox: TelegramSandbox, telegram_clock: FakeClock
) -> None:
    sandbox = paced_telegram_sandbox
    sandbox.add_user(1, first_name="A", started=True)
    async with bot_for(sandbox) as bot:
        await bot.send_message(1, "one")
        telegram_clock.advance(0.4)
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(1, "two")
        assert seconds(caught.value.retry_after) == 1
        telegram_clock.advance(0.6)
        await bot.send_message(1, "two")
    assert [m["text"] for m in sandbox.received(1)] == ["one", "two"]


async def test_retry_after_counts_whole_seconds_left(
    paced_telegram_sandbox: TelegramSandbox, telegram_clock: FakeClock
) -> None:
    sandbox = paced_telegram_sandbox
    sandbox.set_limits(per_chat_per_second=0.2)  # one message per 5 seconds
    sandbox.add_user(1, first_name="A", started=True)
    async with bot_for(sandbox) as bot:
        await bot.send_message(1, "one")
        telegram_clock.advance(1.5)
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(1, "two")
    assert seconds(caught.value.retry_after) == 4  # 3.5 s left, rounded up


async def test_overall_limit_applies_across_chats(
    paced_telegram_sandbox: TelegramSandbox, telegram_clock: FakeClock
) -> None:
    sandbox = paced_telegram_sandbox
    sandbox.set_limits(overall_per_second=3)
    for user_id in range(1, 5):
        sandbox.add_user(user_id, first_name=f"U{user_id}", started=True)
    async with bot_for(sandbox) as bot:
        for user_id in (1, 2, 3):
            await bot.send_message(user_id, "hi")
        with pytest.raises(RetryAfter):
            await bot.send_message(4, "hi")
        telegram_clock.advance(1.0)
        await bot.send_message(4, "hi")


async def test_blocked_user_gives_forbidden_until_unblocked(
    telegram_sandbox: TelegramSandbox, telegram_bot: Bot
) -> None:
    telegram_sandbox.add_user(2, first_name="B", started=True)
    telegram_sandbox.set_limits(per_chat_per_second=0)
    update = telegram_sandbox.block(2)
    assert update["my_chat_member"]["new_chat_member"]["status"] == "kicked"
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await telegram_bot.send_message(2, "still there?")
    [member] = await telegram_bot.get_updates(timeout=0)
    assert member.my_chat_member is not None
    assert member.my_chat_member.new_chat_member.status == "kicked"
    telegram_sandbox.unblock(2)
    await telegram_bot.send_message(2, "welcome back")


async def test_user_who_never_started_cannot_be_messaged(
    telegram_sandbox: TelegramSandbox, telegram_bot: Bot
) -> None:
    telegram_sandbox.add_user(3, first_name="C")
    with pytest.raises(Forbidden, match="bot can't initiate conversation with a user"):
        await telegram_bot.send_message(3, "hello")


@pytest.mark.parametrize(
    ("text", "markup", "message"),
    [
        ("x" * 4097, None, "Message is too long"),
        ("", None, "Message text is empty"),
        ("ok", [[InlineKeyboardButton("b", callback_data="d" * 65)]], "Button_data_invalid"),
        ("<b>open", None, "Can't parse entities"),
    ],
)
async def test_bad_requests_carry_telegrams_description(
    telegram_sandbox: TelegramSandbox,
    telegram_bot: Bot,
    text: str,
    markup: list[list[InlineKeyboardButton]] | None,
    message: str,
) -> None:
    telegram_sandbox.add_user(4, first_name="D", started=True)
    with pytest.raises(BadRequest) as caught:
        await telegram_bot.send_message(
            4,
            text,
            parse_mode="HTML",
            reply_markup=InlineKeyboardMarkup(markup) if markup else None,
        )
    # PTB capitalises the description and drops Telegram's "Bad Request: " prefix.
    assert caught.value.message.startswith(message)
    assert telegram_sandbox.received(4) == []


async def test_exactly_4096_characters_is_allowed(
    telegram_sandbox: TelegramSandbox, telegram_bot: Bot
) -> None:
    telegram_sandbox.add_user(4, first_name="D", started=True)
    sent = await telegram_bot.send_message(4, "x" * 4096)
    assert sent.text is not None and len(sent.text) == 4096


async def test_caption_over_1024_characters_is_refused(
    telegram_sandbox: TelegramSandbox, telegram_bot: Bot
) -> None:
    telegram_sandbox.add_user(4, first_name="D", started=True)
    with pytest.raises(BadRequest, match="caption is too long"):
        await telegram_bot.send_photo(4, b"img", caption="c" * 1025)


async def test_edit_with_the_same_content_is_not_modified(
    telegram_sandbox: TelegramSandbox, telegram_bot: Bot
) -> None:
    telegram_sandbox.add_user(5, first_name="E", started=True)
    sent = await telegram_bot.send_message(5, "same")
    with pytest.raises(BadRequest, match="Message is not modified: specified new message"):
        await telegram_bot.edit_message_text("same", chat_id=5, message_id=sent.message_id)
    with pytest.raises(BadRequest, match="Message is not modified"):
        await telegram_bot.edit_message_reply_markup(chat_id=5, message_id=sent.message_id)


async def test_unknown_chat_and_message_and_query(
    telegram_sandbox: TelegramSandbox, telegram_bot: Bot
) -> None:
    with pytest.raises(BadRequest, match="Chat not found"):
        await telegram_bot.send_message(999, "anyone?")
    telegram_sandbox.add_user(6, first_name="F", started=True)
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await telegram_bot.edit_message_text("new", chat_id=6, message_id=77)
    with pytest.raises(BadRequest, match="Query is too old and response timeout expired"):
        await telegram_bot.answer_callback_query("12345")


async def test_a_callback_query_is_answered_once(
    telegram_sandbox: TelegramSandbox, telegram_bot: Bot
) -> None:
    telegram_sandbox.add_user(6, first_name="F", started=True)
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("ok", callback_data="ok")]])
    sent = await telegram_bot.send_message(6, "Press", reply_markup=markup)
    update = telegram_sandbox.press_button(6, message_id=sent.message_id, data="ok")
    query_id = update["callback_query"]["id"]
    assert await telegram_bot.answer_callback_query(query_id)
    with pytest.raises(BadRequest, match="Query is too old"):
        await telegram_bot.answer_callback_query(query_id)


async def test_wrong_token_is_invalid_token(telegram_sandbox: TelegramSandbox) -> None:
    bot = bot_for(telegram_sandbox, token="123456:wrong-token")
    with pytest.raises(InvalidToken):
        await bot.get_me()


async def test_get_updates_conflicts_with_an_active_webhook(telegram_bot: Bot) -> None:
    await telegram_bot.set_webhook("http://127.0.0.1:9/hook")
    with pytest.raises(Conflict, match="webhook is active"):
        await telegram_bot.get_updates(timeout=0)


async def test_injected_server_error_is_a_network_error_once(
    telegram_sandbox: TelegramSandbox, telegram_bot: Bot
) -> None:
    telegram_sandbox.inject_fault("sendMessage", Fault(kind="status", status=502), times=1)
    telegram_sandbox.add_user(8, first_name="H", started=True)
    with pytest.raises(NetworkError):
        await telegram_bot.send_message(8, "first")
    await telegram_bot.send_message(8, "second")
    assert [m["text"] for m in telegram_sandbox.received(8)] == ["second"]


async def test_injected_drop_is_a_network_error(
    telegram_sandbox: TelegramSandbox, telegram_bot: Bot
) -> None:
    telegram_sandbox.inject_fault("getMe", Fault(kind="drop"))
    with pytest.raises(NetworkError) as caught:
        await telegram_bot.get_me()
    assert not isinstance(caught.value, TimedOut)
    assert (await telegram_bot.get_me()).id == 123456


async def test_injected_hang_is_timed_out(telegram_sandbox: TelegramSandbox) -> None:
    telegram_sandbox.inject_fault("*", Fault(kind="timeout", delay=10.0))
    request = HTTPXRequest(read_timeout=0.2)
    bot = Bot(telegram_sandbox.token, base_url=telegram_sandbox.api_url, request=request)
    with pytest.raises(TimedOut):
        await bot.get_me()
    await request.shutdown()
    assert telegram_sandbox.runtime.faults.pending() == {}
