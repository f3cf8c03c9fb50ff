"""Recorded Telegram updates replayed through the bot's real webhook route.

Each file in tests/payloads/telegram (sources in its README) is POSTed as Telegram would
send it, with the secret header. Private chats are answered; edits, groups, supergroups,
forum topics and channels are ignored politely (no reply, no error); nothing is stored.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from pulse_mirror.sandbox.telegram.state import CallbackQuery, Message
from tests.telegram.hooks import JSON, SECRET, captured_log, post, stored_rows
from tests.telegram.world import World

RECORDED = Path(__file__).parents[1] / "payloads" / "telegram"
JANE, JOAO = 123456789, 234567891

# file -> (the chat the bot answers in, what the answer says); None: ignored
OUTCOMES: dict[str, tuple[int, str] | None] = {
    "update_message_start_deep_link.json": (JANE, "May we ask you?"),
    "update_callback_query.json": (JANE, "answer:"),
    "update_callback_query_inaccessible_message.json": (JANE, "answer:"),
    "update_edited_message.json": None,
    "update_message_sticker.json": (JANE, "I can only read text"),
    "update_message_photo.json": (JANE, "I can only read text"),
    "update_my_chat_member_kicked.json": None,
    "update_message_supergroup.json": None,
    "update_channel_post.json": None,
    "update_message_forum_topic.json": None,
    "update_message_language_region.json": (JOAO, "May we ask you?"),  # pt-br: the default, en
}


def test_every_recorded_update_has_an_expected_outcome() -> None:
    assert sorted(OUTCOMES) == sorted(p.name for p in RECORDED.glob("update_*.json"))


def _expect_query(world: World, update: dict[str, Any]) -> None:
    """Let the stand-in know the recorded callback query, so the bot can answer it."""
    query = update["callback_query"]
    user = world.sandbox.runtime.state.users[query["from"]["id"]]
    chat = world.sandbox.runtime.state.chats[query["message"]["chat"]["id"]]
    message = Message(message_id=query["message"]["message_id"], chat=chat,
                      sender=world.sandbox.runtime.state.bot, date=0)  # fmt: skip
    world.sandbox.runtime.state.queries[query["id"]] = CallbackQuery(
        query["id"], user, message, query["data"]
    )


@pytest.mark.parametrize("name", sorted(OUTCOMES))
async def test_a_recorded_update_is_answered_or_ignored(
    hooked: tuple[World, str], name: str
) -> None:
    world, url = hooked
    world.sandbox.add_user(JANE, first_name="Jane", started=True)
    world.sandbox.add_user(JOAO, first_name="João", language_code="pt-br", started=True)
    update = json.loads((RECORDED / name).read_text(encoding="utf-8"))
    if "callback_query" in update:
        _expect_query(world, update)
    with captured_log() as stream:
        async with aiohttp.ClientSession() as session:
            body = json.dumps(update).encode()
            status = await post(session, url, body, {"X-Telegram-Bot-Api-Secret-Token": SECRET,
                                                     "Content-Type": JSON})  # fmt: skip
        assert 200 <= status < 300
        expected = OUTCOMES[name]
        if expected is None:
            await _send_marker(url)  # handled after the replayed one
            await world.settled(lambda: len(world.sandbox.received(JANE)) == 1)
            assert "/mydata" in world.last(JANE)["text"]  # only the marker was answered
            for chat in (-1001234567890, -1001987654321, -1001122334455):
                assert world.sandbox.received(chat) == []
        elif expected[1] == "answer:":
            await world.settled(lambda: len(world.sandbox.callback_answers()) == 1)
            [answer] = world.sandbox.callback_answers()
            assert answer["text"] and "no longer" in answer["text"]  # an unknown pulse
        else:
            chat, text = expected
            await world.settled(lambda: text in world.last(chat)["text"])
    assert "Traceback" not in stream.getvalue() and "handler failed" not in stream.getvalue()
    assert await stored_rows(world.repository) == 0


def _help(user_id: int) -> dict[str, Any]:
    user = {"id": user_id, "is_bot": False, "first_name": "Jane"}
    return {"message_id": 9, "date": 1746268800, "from": user, "text": "/help",
            "chat": {"id": user_id, "type": "private"},
            "entities": [{"type": "bot_command", "offset": 0, "length": 5}]}  # fmt: skip


async def _send_marker(url: str) -> None:
    body = json.dumps({"update_id": 999_999_999, "message": _help(JANE)}).encode()
    async with aiohttp.ClientSession() as session:
        assert await post(session, url, body, {"X-Telegram-Bot-Api-Secret-Token": SECRET}) == 200
