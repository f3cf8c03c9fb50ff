"""A real python-telegram-bot ``Application`` polls the stand-in and handles a person's taps."""

from __future__ import annotations

import asyncio

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
)

from pulse_mirror.sandbox.telegram import TelegramSandbox


async def test_application_handles_start_and_a_button_press(
    telegram_sandbox: TelegramSandbox,
) -> None:
    telegram_sandbox.set_limits(per_chat_per_second=0)
    started: list[list[str]] = []
    answered = asyncio.Event()
    greeted = asyncio.Event()

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        started.append(list(context.args or []))
        assert update.effective_chat is not None
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Yes", callback_data="consent")]])
        await context.bot.send_message(update.effective_chat.id, "Join?", reply_markup=keyboard)
        greeted.set()

    async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer("Welcome")
        await query.edit_message_text("You are in.")
        answered.set()

    app = (
        ApplicationBuilder()
        .token(telegram_sandbox.token)
        .base_url(telegram_sandbox.api_url)
        .base_file_url(telegram_sandbox.file_url)
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(pressed))
    telegram_sandbox.add_user(42, first_name="Ada")
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)
        telegram_sandbox.press_start(42, payload="segment-b2b")
        await asyncio.wait_for(greeted.wait(), timeout=10)
        [question] = telegram_sandbox.received(42)
        telegram_sandbox.press_button(42, message_id=question["message_id"], data="consent")
        await asyncio.wait_for(answered.wait(), timeout=10)
        await app.updater.stop()
        await app.stop()

    assert started == [["segment-b2b"]]
    [answer] = telegram_sandbox.callback_answers()
    assert answer["text"] == "Welcome" and answer["data"] == "consent"
    [message] = telegram_sandbox.received(42)
    assert message["text"] == "You are in."
    assert telegram_sandbox.pending_updates() == []
