"""Recorded Bot API payloads and the stand-in's own JSON have the same shape."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update

from pulse_mirror.sandbox.telegram import TelegramSandbox

RECORDED = Path(__file__).parents[1] / "payloads" / "telegram"


def recorded(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((RECORDED / name).read_text(encoding="utf-8"))
    return data


def shape(value: Any) -> Any:
    """Keys and value types, recursively; lists by their first element."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return type(value).__name__


def test_shape_sees_a_missing_key_and_a_changed_type() -> None:
    base = {"a": {"b": 1, "c": [{"d": "x"}]}}
    assert shape(base) != shape({"a": {"b": 1, "c": [{}]}})
    assert shape(base) != shape({"a": {"b": "1", "c": [{"d": "x"}]}})


@pytest.fixture
def jane(telegram_sandbox: TelegramSandbox) -> int:
    telegram_sandbox.add_user(
        123456789, first_name="Jane", last_name="Smith", username="janesmith", language_code="en"
    )
    return 123456789


QUESTION = InlineKeyboardMarkup(
    [[InlineKeyboardButton("1", callback_data="a:effect:1"),
      InlineKeyboardButton("7", callback_data="a:effect:7")]]
)  # fmt: skip


async def test_start_update_has_the_recorded_shape(
    telegram_sandbox: TelegramSandbox, jane: int
) -> None:
    update = telegram_sandbox.press_start(jane, payload="retail")
    assert shape(update) == shape(recorded("update_message_start_deep_link.json"))


async def test_callback_query_update_has_the_recorded_shape(
    telegram_sandbox: TelegramSandbox, telegram_bot: Bot, jane: int
) -> None:
    telegram_sandbox.press_start(jane)
    sent = await telegram_bot.send_message(
        jane, "How easy was it to get your issue solved with us?", reply_markup=QUESTION
    )
    update = telegram_sandbox.press_button(jane, message_id=sent.message_id, data="a:effect:7")
    assert shape(update) == shape(recorded("update_callback_query.json"))


async def test_recorded_updates_parse_the_same_way_as_the_stand_ins(telegram_bot: Bot) -> None:
    for name in ("update_message_start_deep_link.json", "update_callback_query.json"):
        update = Update.de_json(recorded(name), telegram_bot)
        assert update is not None and update.update_id > 0


async def test_send_message_response_has_the_recorded_shape(
    telegram_sandbox: TelegramSandbox, jane: int
) -> None:
    telegram_sandbox.press_start(jane)
    url = f"{telegram_sandbox.api_url}{telegram_sandbox.token}/sendMessage"
    body = {"chat_id": jane, "text": "How easy?", "reply_markup": QUESTION.to_dict()}
    async with aiohttp.ClientSession() as http, http.post(url, json=body) as response:
        assert response.status == 200
        answer = await response.json()
    assert shape(answer) == shape(recorded("send_message_response.json"))


async def test_error_responses_have_the_recorded_shape_and_status(
    telegram_sandbox: TelegramSandbox, jane: int
) -> None:
    telegram_sandbox.press_start(jane)
    url = f"{telegram_sandbox.api_url}{telegram_sandbox.token}/sendMessage"
    async with aiohttp.ClientSession() as http:
        async with http.post(url, json={"chat_id": jane, "text": "one"}) as response:
            assert response.status == 200
        async with http.post(url, json={"chat_id": jane, "text": "two"}) as response:
            assert response.status == 429
            too_many = await response.json()
        telegram_sandbox.block(jane)
        async with http.post(url, json={"chat_id": jane, "text": "three"}) as response:
            assert response.status == 403
            blocked = await response.json()
    assert shape(too_many) == shape(recorded("error_429_too_many_requests.json"))
    assert (
        too_many["description"]
        == f"Too Many Requests: retry after {too_many['parameters']['retry_after']}"
    )
    assert blocked == recorded("error_403_blocked.json")
