"""The Telegram Messenger and the paced sender: what PTB raises becomes the ports' send errors."""

from __future__ import annotations

import datetime as dt

import pytest
from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.request import HTTPXRequest

from pulse_mirror.outbox.pacing import Pacer, Rate
from pulse_mirror.sandbox.faults import Fault
from pulse_mirror.sandbox.telegram import TelegramSandbox
from pulse_mirror.surveys.bank import load_bank
from pulse_mirror.surveys.conversation import PulseState
from pulse_mirror.surveys.model import Side
from pulse_mirror.surveys.ports import (
    PermanentSendError,
    RateLimited,
    RecipientGone,
    SendOutcomeUnknown,
    TransientSendError,
)
from pulse_mirror.surveys.records import DeliveryKind
from pulse_mirror.telegram.errors import is_not_modified, send_error
from pulse_mirror.telegram.messenger import TelegramMessenger
from pulse_mirror.telegram.outbound import Outbound
from tests.fakes import FakeClock
from tests.telegram.world import NOW


def _state(token: str = "Token12345678") -> PulseState:
    bank = load_bank()
    return PulseState(
        token=token,
        side=Side.CUSTOMER,
        lang="en",
        items=(bank.item("effort.customer"),),
        closes_at=NOW + dt.timedelta(days=7),
    )


def _bot(sandbox: TelegramSandbox, *, read_timeout: float = 5.0) -> Bot:
    request = HTTPXRequest(read_timeout=read_timeout, connection_pool_size=8)
    return Bot(sandbox.token, base_url=sandbox.api_url, request=request)


def _pacer() -> Pacer:
    return Pacer(clock=FakeClock(), overall=Rate.per_second(30), per_chat=Rate.per_second(1))


async def test_send_pulse_returns_the_message_ref_and_shows_the_keyboard(
    telegram_sandbox: TelegramSandbox,
) -> None:
    telegram_sandbox.add_user(41, first_name="Ada", started=True)
    async with _bot(telegram_sandbox) as bot:
        messenger = TelegramMessenger(bot=bot)
        ref = await messenger.send_pulse(address="41", state=_state(), kind=DeliveryKind.REMINDER_1)
    [message] = telegram_sandbox.received(41)
    assert ref == f"41:{message['message_id']}"
    assert message["text"].startswith("A gentle reminder:")
    rows = message["reply_markup"]["inline_keyboard"]
    assert [b["text"] for b in rows[0]] == ["1", "2", "3", "4", "5", "6", "7"]


async def test_a_blocked_customer_is_reported_gone(telegram_sandbox: TelegramSandbox) -> None:
    telegram_sandbox.add_user(42, first_name="Ada", started=True)
    telegram_sandbox.block(42)
    gone: list[str] = []

    async def on_gone(address: str) -> None:
        gone.append(address)

    async with _bot(telegram_sandbox) as bot:
        messenger = TelegramMessenger(bot=bot, on_gone=on_gone)
        with pytest.raises(RecipientGone):
            await messenger.send_pulse(address="42", state=_state(), kind=DeliveryKind.QUESTION)
    assert gone == ["42"]


async def test_429_becomes_rate_limited_with_retry_after(
    paced_telegram_sandbox: TelegramSandbox, telegram_clock: FakeClock
) -> None:
    sandbox = paced_telegram_sandbox
    sandbox.add_user(43, first_name="Ada", started=True)
    async with _bot(sandbox) as bot:
        # Nothing paces the messenger itself (the dispatcher does): the stand-in counts both.
        messenger = TelegramMessenger(bot=bot)
        await messenger.send_pulse(address="43", state=_state(), kind=DeliveryKind.QUESTION)
        with pytest.raises(RateLimited) as raised:
            await messenger.send_pulse(address="43", state=_state(), kind=DeliveryKind.REMINDER_1)
    assert raised.value.retry_after is not None and raised.value.retry_after >= 1


async def test_server_errors_are_transient_and_timeouts_unknown(
    telegram_sandbox: TelegramSandbox,
) -> None:
    telegram_sandbox.add_user(44, first_name="Ada", started=True)
    async with _bot(telegram_sandbox, read_timeout=0.3) as bot:
        messenger = TelegramMessenger(bot=bot)
        telegram_sandbox.inject_fault("sendMessage", Fault(kind="status", status=502))
        with pytest.raises(TransientSendError):
            await messenger.send_pulse(address="44", state=_state(), kind=DeliveryKind.QUESTION)
        telegram_sandbox.inject_fault("sendMessage", Fault(kind="timeout", delay=2))
        with pytest.raises(SendOutcomeUnknown):
            await messenger.send_pulse(address="44", state=_state(), kind=DeliveryKind.QUESTION)
        with pytest.raises(PermanentSendError):
            await messenger.send_pulse(address="not-a-chat", state=_state(),
                                       kind=DeliveryKind.QUESTION)  # fmt: skip


def test_error_mapping_follows_the_ports() -> None:
    not_modified = BadRequest(
        "Message is not modified: specified new message content and reply markup are exactly "
        "the same as a current content and reply markup of the message"
    )
    assert is_not_modified(not_modified)
    assert not is_not_modified(BadRequest("Message to edit not found"))
    assert isinstance(send_error(RetryAfter(dt.timedelta(seconds=3))), RateLimited)
    assert send_error(RetryAfter(dt.timedelta(seconds=3))).retry_after == 3
    assert isinstance(
        send_error(Forbidden("Forbidden: bot was blocked by the user")), RecipientGone
    )
    assert isinstance(send_error(TimedOut()), SendOutcomeUnknown)
    assert isinstance(send_error(NetworkError("connection reset")), TransientSendError)
    assert isinstance(send_error(BadRequest("Chat not found")), RecipientGone)
    assert isinstance(send_error(BadRequest("Message is too long")), PermanentSendError)


async def test_outbound_reports_a_403_and_drops_that_chats_queue(
    telegram_sandbox: TelegramSandbox,
) -> None:
    telegram_sandbox.set_limits(per_chat_per_second=0, overall_per_second=0)
    telegram_sandbox.add_user(45, first_name="Ada", started=True)
    telegram_sandbox.add_user(46, first_name="Bob", started=True)
    telegram_sandbox.block(45)
    gone: list[int] = []

    async def on_gone(chat_id: int) -> None:
        gone.append(chat_id)

    async with _bot(telegram_sandbox) as bot:
        outbound = Outbound(bot=bot, pacer=_pacer(), on_gone=on_gone, parallel=1)
        outbound.start()
        outbound.send(45, "one")
        outbound.send(45, "two")
        outbound.send(46, "hello")
        await outbound.idle()
        await outbound.stop()
    assert gone == [45]
    assert [m["text"] for m in telegram_sandbox.received(46)] == ["hello"]
    assert outbound.stats.delivered == 1 and outbound.stats.failed == 1


async def test_outbound_treats_not_modified_as_done(telegram_sandbox: TelegramSandbox) -> None:
    telegram_sandbox.set_limits(per_chat_per_second=0, overall_per_second=0)
    telegram_sandbox.add_user(47, first_name="Ada", started=True)
    async with _bot(telegram_sandbox) as bot:
        sent = await bot.send_message(47, "same")
        outbound = Outbound(bot=bot, pacer=_pacer(), parallel=1)
        outbound.start()
        outbound.edit(47, sent.message_id, "same", None)
        await outbound.idle()
        await outbound.stop()
    assert outbound.stats.not_modified == 1 and outbound.stats.failed == 0
