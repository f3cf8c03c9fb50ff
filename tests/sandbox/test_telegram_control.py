"""The control API over HTTP: add people, act as them, read what they got, steer the rest."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import NetworkError

from pulse_mirror.sandbox.telegram import TelegramSandbox


async def call(
    sandbox: TelegramSandbox, path: str, body: dict[str, Any] | None = None
) -> tuple[int, dict[str, Any]]:
    async with aiohttp.ClientSession() as http:
        url = f"{sandbox.control_url}{path}"
        request = http.get(url) if body is None else http.post(url, json=body)
        async with request as response:
            return response.status, await response.json()


async def test_people_act_and_read_what_they_received(
    telegram_sandbox: TelegramSandbox, telegram_bot: Bot
) -> None:
    status, added = await call(
        telegram_sandbox, "/users", {"id": 77, "first_name": "Gus", "language_code": "de"}
    )
    assert status == 200 and added["user"]["language_code"] == "de"
    status, started = await call(telegram_sandbox, "/users/77/start", {"payload": "vip"})
    assert started["update"]["message"]["text"] == "/start vip"

    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("5", callback_data="s:5")]])
    sent = await telegram_bot.send_message(77, "Satisfied?", reply_markup=keyboard)
    _, received = await call(telegram_sandbox, "/chats/77/received")
    assert [m["text"] for m in received["messages"]] == ["Satisfied?"]

    _, pressed = await call(
        telegram_sandbox, "/users/77/press", {"message_id": sent.message_id, "data": "s:5"}
    )
    query_id = pressed["update"]["callback_query"]["id"]
    await telegram_bot.answer_callback_query(query_id, text="Danke")
    _, answers = await call(telegram_sandbox, "/callback_answers")
    assert answers["answers"][0]["text"] == "Danke"

    _, pending = await call(telegram_sandbox, "/updates")
    assert [next(k for k in u if k != "update_id") for u in pending["updates"]] == [
        "message",
        "callback_query",
    ]


async def test_unknown_person_or_button_is_a_clear_400(telegram_sandbox: TelegramSandbox) -> None:
    status, body = await call(telegram_sandbox, "/users/5/text", {"text": "hi"})
    assert status == 400 and "no user 5" in body["error"]
    await call(telegram_sandbox, "/users", {"id": 5})
    status, body = await call(telegram_sandbox, "/users/5/press", {"message_id": 1, "data": "x"})
    assert status == 400 and "received no message 1" in body["error"]
    status, body = await call(telegram_sandbox, "/users/5/dance", {})
    assert status == 400 and "unknown action" in body["error"]


async def test_faults_limits_and_reset(
    telegram_sandbox: TelegramSandbox, telegram_bot: Bot
) -> None:
    status, body = await call(
        telegram_sandbox,
        "/faults",
        {"method": "getMe", "kind": "status", "status": 503, "times": 2},
    )
    assert status == 200 and body["pending"] == {"getMe": 2}
    for _ in range(2):
        with pytest.raises(NetworkError):
            await telegram_bot.get_me()
    assert (await telegram_bot.get_me()).is_bot

    status, body = await call(telegram_sandbox, "/limits", {"per_chat_per_second": 5})
    assert body["limits"] == {"per_chat_per_second": 5.0, "overall_per_second": 30}

    await call(telegram_sandbox, "/users", {"id": 1, "first_name": "A", "started": True})
    await call(telegram_sandbox, "/reset", {})
    _, users = await call(telegram_sandbox, "/users")
    assert users["users"] == []
    _, limits = await call(telegram_sandbox, "/limits")
    assert limits["limits"]["per_chat_per_second"] == 1


async def test_group_messages_and_blocking(telegram_sandbox: TelegramSandbox) -> None:
    await call(telegram_sandbox, "/users", {"id": 8, "first_name": "Hal"})
    _, body = await call(telegram_sandbox, "/groups/-200/messages", {"user_id": 8, "text": "hey"})
    assert body["update"]["message"]["chat"] == {
        "id": -200,
        "title": "Sandbox group",
        "type": "group",
    }
    _, body = await call(telegram_sandbox, "/users/8/block", {})
    assert body["update"]["my_chat_member"]["new_chat_member"]["status"] == "kicked"


async def test_many_presses_in_one_request(
    telegram_sandbox: TelegramSandbox, telegram_bot: Bot
) -> None:
    sent = {}
    for user_id in (31, 32):
        await call(telegram_sandbox, "/users", {"id": user_id, "started": True})
        keyboard = InlineKeyboardMarkup(
            [[InlineKeyboardButton("Yes", callback_data=f"y{user_id}")]]
        )
        sent[user_id] = await telegram_bot.send_message(user_id, "?", reply_markup=keyboard)
    presses = [
        {"user_id": 31, "message_id": sent[31].message_id, "data": "y31"},
        {"user_id": 32, "message_id": sent[32].message_id, "text": "Yes"},
    ]
    status, body = await call(telegram_sandbox, "/presses", {"presses": presses})
    assert status == 200 and body == {"ok": True, "queued": 2}
    queries = [u["callback_query"] for u in telegram_sandbox.pending_updates()]
    assert [(q["from"]["id"], q["data"]) for q in queries] == [(31, "y31"), (32, "y32")]

    wrong = [presses[0], {"user_id": 32, "message_id": sent[32].message_id, "data": "nope"}]
    status, body = await call(telegram_sandbox, "/presses", {"presses": wrong})
    assert status == 400 and body["queued"] == 1 and "press 1" in body["error"]
    assert len(telegram_sandbox.pending_updates()) == 3
