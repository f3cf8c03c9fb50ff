"""Each Bot API method of the Telegram stand-in, driven by the real python-telegram-bot."""

from __future__ import annotations

import asyncio

import aiohttp
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllPrivateChats,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)

from pulse_mirror.sandbox.telegram import TelegramSandbox
from tests.fakes import FakeClock

PNG = (
    b"\x89PNG\r\n\x1a\n"
    + b"\x00\x00\x00\rIHDR"
    + (640).to_bytes(4, "big")
    + (480).to_bytes(4, "big")
    + bytes(200)
)


def keyboard(*pairs: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(t, callback_data=d) for t, d in pairs]])


async def test_get_me_names_the_bot_from_the_token(telegram_bot: Bot) -> None:
    me = await telegram_bot.get_me()
    assert me.id == 123456
    assert me.is_bot is True
    assert me.username == "pulse_mirror_sandbox_bot"


async def test_send_message_is_visible_in_the_chat_with_its_keyboard(
    telegram_sandbox: TelegramSandbox, telegram_bot: Bot
) -> None:
    telegram_sandbox.add_user(42, first_name="Ada", started=True)
    sent = await telegram_bot.send_message(
        42, "<b>How easy</b> was it?", parse_mode="HTML", reply_markup=keyboard(("1", "q:1"))
    )
    assert sent.chat.id == 42
    assert sent.text == "How easy was it?"
    assert sent.reply_markup == keyboard(("1", "q:1"))
    [received] = telegram_sandbox.received(42)
    assert received["message_id"] == sent.message_id
    assert received["text"] == "How easy was it?"
    assert received["parse_mode"] == "HTML"
    assert received["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "q:1"


async def test_edits_change_what_the_person_sees(
    telegram_sandbox: TelegramSandbox, telegram_bot: Bot
) -> None:
    telegram_sandbox.add_user(42, first_name="Ada", started=True)
    sent = await telegram_bot.send_message(42, "Question?", reply_markup=keyboard(("Yes", "y")))
    edited = await telegram_bot.edit_message_text(
        "Thanks, noted.", chat_id=42, message_id=sent.message_id
    )
    assert isinstance(edited, Message)
    assert edited.text == "Thanks, noted." and edited.edit_date is not None
    [now] = telegram_sandbox.received(42)
    assert now["text"] == "Thanks, noted."
    assert "reply_markup" not in now  # editMessageText without a keyboard removes it

    await telegram_bot.edit_message_reply_markup(
        chat_id=42, message_id=sent.message_id, reply_markup=keyboard(("Undo", "undo"))
    )
    [now] = telegram_sandbox.received(42)
    assert now["reply_markup"]["inline_keyboard"][0][0]["text"] == "Undo"


async def test_send_photo_uploads_bytes_as_multipart(
    telegram_sandbox: TelegramSandbox, telegram_bot: Bot
) -> None:
    telegram_sandbox.add_user(7, first_name="Ben", started=True)
    sent = await telegram_bot.send_photo(7, PNG, caption="Perception gap, week 12")
    assert sent.caption == "Perception gap, week 12"
    assert (sent.photo[-1].width, sent.photo[-1].height) == (640, 480)
    assert sent.photo[-1].file_size == len(PNG)
    [received] = telegram_sandbox.received(7)
    assert received["photo_size"] == len(PNG)
    assert received["caption"] == "Perception gap, week 12"

    file = await telegram_bot.get_file(sent.photo[-1].file_id)
    assert bytes(await file.download_as_bytearray()) == PNG


async def test_send_document_keeps_name_and_size(
    telegram_sandbox: TelegramSandbox, telegram_bot: Bot
) -> None:
    telegram_sandbox.add_user(7, first_name="Ben", started=True)
    data = b"week,gap\n12,14.5\n"
    sent = await telegram_bot.send_document(7, data, filename="gap.csv", caption="Export")
    assert sent.document is not None
    assert sent.document.file_name == "gap.csv"
    assert sent.document.file_size == len(data)
    assert telegram_sandbox.received(7)[0]["document_size"] == len(data)


async def test_get_updates_returns_start_with_deep_link_then_button_press(
    telegram_sandbox: TelegramSandbox, telegram_bot: Bot
) -> None:
    telegram_sandbox.add_user(42, first_name="Ada", username="ada", language_code="de")
    poll = asyncio.create_task(telegram_bot.get_updates(timeout=5))
    await asyncio.sleep(0.05)  # the poll is now waiting on the stand-in
    assert not poll.done()
    telegram_sandbox.press_start(42, payload="segment-smb")
    [start] = await poll
    assert start.message is not None
    assert start.message.text == "/start segment-smb"
    assert start.message.entities[0].type == "bot_command"
    assert start.message.from_user is not None and start.message.from_user.language_code == "de"

    sent = await telegram_bot.send_message(42, "Recommend us?", reply_markup=keyboard(("9", "r:9")))
    telegram_sandbox.press_button(42, message_id=sent.message_id, data="r:9")
    [press] = await telegram_bot.get_updates(offset=start.update_id + 1, timeout=1)
    query = press.callback_query
    assert query is not None
    assert query.data == "r:9"
    assert query.from_user.id == 42
    assert query.message is not None and query.message.message_id == sent.message_id
    assert query.chat_instance

    assert await telegram_bot.answer_callback_query(query.id, text="Thanks!")
    assert telegram_sandbox.callback_answers()[0]["text"] == "Thanks!"
    # Confirming with the next offset empties the queue.
    assert await telegram_bot.get_updates(offset=press.update_id + 1, timeout=0) == ()


async def test_press_button_by_label(telegram_sandbox: TelegramSandbox, telegram_bot: Bot) -> None:
    telegram_sandbox.add_user(3, first_name="Cy", started=True)
    sent = await telegram_bot.send_message(
        3, "Pick", reply_markup=keyboard(("Low", "l"), ("High", "h"))
    )
    update = telegram_sandbox.press_button(3, message_id=sent.message_id, text="High")
    assert update["callback_query"]["data"] == "h"


async def test_person_messages_stickers_photos_edits_and_groups(
    telegram_sandbox: TelegramSandbox, telegram_bot: Bot
) -> None:
    telegram_sandbox.add_user(5, first_name="Dee")
    text = telegram_sandbox.send_text(5, "hello")
    telegram_sandbox.send_sticker(5)
    telegram_sandbox.send_photo(5, caption="look")
    telegram_sandbox.edit_text(5, message_id=text["message"]["message_id"], text="hello!")
    telegram_sandbox.send_group_message(-100, user_id=5, text="hi all", title="Team")
    updates = await telegram_bot.get_updates(timeout=0)
    assert updates[0].message is not None and updates[0].message.text == "hello"
    assert updates[1].message is not None and updates[1].message.sticker is not None
    assert updates[2].message is not None and updates[2].message.caption == "look"
    assert updates[3].edited_message is not None
    assert updates[3].edited_message.text == "hello!"
    assert updates[4].message is not None and updates[4].message.chat.type == "group"
    assert updates[4].message.chat.title == "Team"


async def test_commands_are_kept_per_scope_and_language(telegram_bot: Bot) -> None:
    await telegram_bot.set_my_commands([BotCommand("stop", "Stop surveys")])
    await telegram_bot.set_my_commands(
        [BotCommand("stop", "Umfragen beenden")],
        scope=BotCommandScopeAllPrivateChats(),
        language_code="de",
    )
    default = await telegram_bot.get_my_commands()
    german = await telegram_bot.get_my_commands(
        scope=BotCommandScopeAllPrivateChats(), language_code="de"
    )
    assert [c.description for c in default] == ["Stop surveys"]
    assert [c.description for c in german] == ["Umfragen beenden"]


async def test_delete_message_removes_it_from_the_chat(
    telegram_sandbox: TelegramSandbox, telegram_bot: Bot
) -> None:
    telegram_sandbox.add_user(9, first_name="Eve", started=True)
    sent = await telegram_bot.send_message(9, "oops")
    assert await telegram_bot.delete_message(9, sent.message_id)
    assert telegram_sandbox.received(9) == []


async def test_json_and_form_bodies_are_accepted_like_telegram(
    telegram_sandbox: TelegramSandbox,
) -> None:
    telegram_sandbox.add_user(11, first_name="Fay", started=True)
    telegram_sandbox.set_limits(per_chat_per_second=0)
    url = f"{telegram_sandbox.api_url}{telegram_sandbox.token}/sendMessage"
    markup = {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}
    async with aiohttp.ClientSession() as http:
        async with http.post(
            url, json={"chat_id": 11, "text": "json", "reply_markup": markup}
        ) as r:
            body = await r.json()
        assert body["ok"] is True and body["result"]["reply_markup"] == markup
        async with http.post(url, data={"chat_id": "11", "text": "form"}) as r:
            assert (await r.json())["result"]["text"] == "form"
        async with http.get(url, params={"chat_id": "11", "text": "query"}) as r:
            assert (await r.json())["result"]["text"] == "query"
    assert [m["text"] for m in telegram_sandbox.received(11)] == ["json", "form", "query"]


async def test_close_and_log_out_are_harmless(telegram_bot: Bot) -> None:
    assert await telegram_bot.log_out() is True
    assert (await telegram_bot.get_me()).id == 123456


async def test_start_and_stop_leave_nothing_running() -> None:
    clock = FakeClock()
    sandbox = TelegramSandbox(now=clock)
    await sandbox.start()
    assert sandbox.api_url.startswith("http://127.0.0.1:")
    assert sandbox.port > 0
    await sandbox.stop()
    async with aiohttp.ClientSession() as http:
        try:
            await http.get(f"{sandbox.api_url}{sandbox.token}/getMe")
        except aiohttp.ClientConnectionError:
            return
    raise AssertionError("the stand-in still answers after stop()")
