"""Webhook mode on the shared aiohttp server (secret header verified) and start-up checks."""

from __future__ import annotations

import aiohttp
import pytest

from pulse_mirror.platforms import StartupError
from pulse_mirror.sandbox.telegram import TelegramSandbox
from pulse_mirror.storage.repository import SqlRepository
from pulse_mirror.surveys.bank import load_bank
from pulse_mirror.surveys.model import Platform
from pulse_mirror.surveys.service import PulseAnswers
from pulse_mirror.telegram.runtime import SECRET_HEADER, build_telegram
from tests.fakes import FakeClock
from tests.telegram.hooks import free_port
from tests.telegram.world import World, telegram_config


async def test_updates_arrive_by_webhook_and_are_answered(hooked: tuple[World, str]) -> None:
    world, url = hooked
    assert world.sandbox.runtime.webhook.url == url
    assert world.sandbox.runtime.webhook.secret_token == "hook-Secret_1"

    world.sandbox.add_user(61, first_name="Ada")
    world.sandbox.press_start(61, payload="b2b")
    await world.settled(lambda: "May we ask you?" in world.last(61)["text"])
    world.sandbox.press_button(61, message_id=world.last(61)["message_id"], text="Yes, ask me")
    await world.settled(lambda: "Thank you!" in world.last(61)["text"])
    person = await world.repository.find_person(platform=Platform.TELEGRAM, platform_user_id="61")
    assert person is not None and person.group == "Business"

    await world.deliver(person)
    world.sandbox.press_button(61, message_id=world.last(61)["message_id"], text="10")
    await world.settled(lambda: "Thank you, that helps" in world.last(61)["text"])
    assert await world.answers_of(61) == {"recommend.customer": 10}


@pytest.mark.parametrize("secret", [None, "wrong-secret", "hook-Secret_1x"])
async def test_a_wrong_or_missing_secret_is_rejected_and_nothing_processed(
    hooked: tuple[World, str], secret: str | None
) -> None:
    world, url = hooked
    world.sandbox.add_user(62, first_name="Mallory", started=True)
    update = {
        "update_id": 999,
        "message": {
            "message_id": 1, "date": 0, "text": "/start",
            "chat": {"id": 62, "type": "private", "first_name": "Mallory"},
            "from": {"id": 62, "is_bot": False, "first_name": "Mallory"},
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }  # fmt: skip
    headers = {} if secret is None else {SECRET_HEADER: secret}
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, json=update, headers=headers) as response,
    ):
        assert response.status == 403
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, json=update, headers={SECRET_HEADER: "hook-Secret_1"}) as response,
    ):
        assert response.status == 200  # the same update with the right secret is processed
    await world.settled(lambda: len(world.sandbox.received(62)) >= 1)
    assert len(world.sandbox.received(62)) == 1


async def test_a_bad_token_fails_start_up_with_one_clear_line(
    telegram_sandbox: TelegramSandbox, repository: SqlRepository
) -> None:
    config = telegram_config(telegram_sandbox, token="999:wrong-token")
    clock = FakeClock()
    answers = PulseAnswers(repository=repository, bank=load_bank(), clock=clock)
    runtime = build_telegram(config, answers=answers, repository=repository, clock=clock)
    with pytest.raises(StartupError) as raised:
        await runtime.start()
    message = str(raised.value)
    assert "TELEGRAM_BOT_TOKEN" in message and "\n" not in message
    assert "wrong-token" not in message
    assert all(request._session is None or request._session.closed for request in runtime._requests)


async def test_an_unreachable_api_fails_start_up_clearly(
    telegram_sandbox: TelegramSandbox, repository: SqlRepository
) -> None:
    port = free_port()
    config = telegram_config(telegram_sandbox, api_url=f"http://127.0.0.1:{port}/bot")
    clock = FakeClock()
    answers = PulseAnswers(repository=repository, bank=load_bank(), clock=clock)
    runtime = build_telegram(config, answers=answers, repository=repository, clock=clock)
    with pytest.raises(StartupError, match="cannot reach the Telegram Bot API"):
        await runtime.start()
    # Nothing is left open: no "Unclosed client session" when the runtime is collected.
    assert all(request._session is None or request._session.closed for request in runtime._requests)
