"""Bot API calls over aiohttp: what PTB gets back, uploads, timeouts and transport failures."""

from __future__ import annotations

import pytest
from telegram import Bot
from telegram.error import NetworkError, TimedOut

from pulse_mirror.sandbox.faults import Fault
from pulse_mirror.sandbox.telegram import TelegramSandbox
from pulse_mirror.storage.repository import SqlRepository
from pulse_mirror.surveys.bank import load_bank
from pulse_mirror.surveys.service import PulseAnswers
from pulse_mirror.telegram.ordering import ChatOrder
from pulse_mirror.telegram.request import AiohttpRequest, ConnectionLost
from pulse_mirror.telegram.runtime import DEFAULT_CONCURRENT_UPDATES, build_telegram
from tests.fakes import FakeClock
from tests.telegram.world import telegram_config


def _bot(sandbox: TelegramSandbox, **timeouts: float) -> Bot:
    request = AiohttpRequest(connection_pool_size=4, **timeouts)
    return Bot(sandbox.token, base_url=sandbox.api_url, request=request)


async def test_calls_uploads_and_answers_arrive_as_ptb_expects(
    telegram_sandbox: TelegramSandbox,
) -> None:
    telegram_sandbox.set_limits(per_chat_per_second=0, overall_per_second=0)
    telegram_sandbox.add_user(51, first_name="Ada", started=True)
    async with _bot(telegram_sandbox) as bot:
        assert (await bot.get_me()).username == "pulse_mirror_sandbox_bot"
        sent = await bot.send_message(51, "Grüße & <tags>")
        edited = await bot.edit_message_text("edited", chat_id=51, message_id=sent.message_id)
        await bot.send_document(51, b"x" * 70_000, filename="mydata.json", caption="yours")
    assert not isinstance(edited, bool) and edited.text == "edited"
    text_message, document = telegram_sandbox.received(51)
    assert text_message["text"] == "edited"
    assert document["document_size"] == 70_000 and document["caption"] == "yours"


async def test_failures_become_ptbs_errors(telegram_sandbox: TelegramSandbox) -> None:
    async with _bot(telegram_sandbox, read_timeout=0.2) as bot:
        telegram_sandbox.inject_fault("getMe", Fault(kind="timeout", delay=2))
        with pytest.raises(TimedOut):
            await bot.get_me()
        telegram_sandbox.inject_fault("getMe", Fault(kind="drop"))
        with pytest.raises(ConnectionLost):  # the request was out: it may have been acted on
            await bot.get_me()
        telegram_sandbox.inject_fault("getMe", Fault(kind="status", status=502))
        with pytest.raises(NetworkError):
            await bot.get_me()
        assert (await bot.get_me()).is_bot


async def test_unreachable_api_is_a_network_error() -> None:
    request = AiohttpRequest(connect_timeout=1.0)
    bot = Bot("1:x", base_url="http://127.0.0.1:9/bot", request=request)
    try:
        with pytest.raises(NetworkError, match=r"aiohttp\.ClientConnectorError") as refused:
            await bot.initialize()  # getMe
        assert not isinstance(refused.value, ConnectionLost)  # nothing was sent: safe to retry
    finally:
        await request.shutdown()


async def test_a_request_must_be_initialized_and_can_be_reopened(
    telegram_sandbox: TelegramSandbox,
) -> None:
    request = AiohttpRequest()
    with pytest.raises(RuntimeError, match="not initialized"):
        await request.do_request(
            f"{telegram_sandbox.api_url}{telegram_sandbox.token}/getMe", "POST"
        )
    await request.initialize()
    await request.shutdown()
    await request.initialize()
    status, body = await request.do_request(
        f"{telegram_sandbox.api_url}{telegram_sandbox.token}/getMe", "POST"
    )
    await request.shutdown()
    assert status == 200 and b'"is_bot":true' in body.replace(b" ", b"")
    with pytest.raises(ValueError, match="at least 1"):
        AiohttpRequest(connection_pool_size=0)


async def test_the_bot_calls_telegram_through_it_one_chat_at_a_time(
    telegram_sandbox: TelegramSandbox, repository: SqlRepository
) -> None:
    config = telegram_config(telegram_sandbox)
    clock = FakeClock()
    answers = PulseAnswers(repository=repository, bank=load_bank(), clock=clock)
    runtime = build_telegram(config, answers=answers, repository=repository, clock=clock)
    bot = runtime.application.bot
    assert isinstance(bot.request, AiohttpRequest)
    updater = runtime.application.updater
    assert updater is not None and isinstance(updater.bot._request[0], AiohttpRequest)
    processor = runtime.application.update_processor
    assert isinstance(processor, ChatOrder)
    assert processor.limit == DEFAULT_CONCURRENT_UPDATES


def test_a_connection_lost_after_sending_is_never_a_retry() -> None:
    from pulse_mirror.surveys.ports import SendOutcomeUnknown, TransientSendError
    from pulse_mirror.telegram.errors import send_error

    assert isinstance(send_error(ConnectionLost("reset after the request")), SendOutcomeUnknown)
    assert isinstance(send_error(NetworkError("connection refused")), TransientSendError)
