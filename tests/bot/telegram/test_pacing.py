"""Telegram's pace (1 message a second per chat, 30 overall) kept by the bot; a 429 waited out."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from pulse_mirror.sandbox.telegram import TelegramSandbox
from pulse_mirror.storage.repository import SqlRepository
from pulse_mirror.surveys.callbacks import Choice, encode
from pulse_mirror.telegram.outbound import Outbound
from pulse_mirror.telegram.pacing import Pacer
from tests.bot.telegram.world import FakeClock, World, build_world
from tests.fixtures.telegram_sandbox import ManualClock, bot_for


@pytest_asyncio.fixture
async def paced_world(
    paced_telegram_sandbox: TelegramSandbox,
    telegram_clock: ManualClock,
    repository: SqlRepository,
) -> AsyncIterator[World]:
    """The runtime with Telegram's real limits on, its clock driving the stand-in's."""
    clock = FakeClock(linked=telegram_clock)
    built = await build_world(paced_telegram_sandbox, repository, clock=clock)
    try:
        yield built
    finally:
        await built.runtime.stop()


def test_pacer_spaces_slots_per_chat_and_overall() -> None:
    clock = FakeClock()
    pacer = Pacer(clock=clock, per_second=10, per_chat_per_second=1, margin=1.0)
    waits = [pacer.reserve(chat) for chat in (1, 2, 3)]
    assert waits == pytest.approx([0.0, 0.1, 0.2])
    assert pacer.reserve(1) == pytest.approx(1.0)  # chat 1 had its message at 0.0
    pacer.hold(2, 5.0)
    assert pacer.reserve(2) == pytest.approx(5.0)


async def test_a_burst_is_delivered_at_the_pace_without_a_single_429(paced_world: World) -> None:
    customers = [await paced_world.customer(100 + n) for n in range(40)]
    for customer in customers:  # 40 questions: more than Telegram takes in one second
        await paced_world.deliver(customer, items=("recommend.customer", "effort.customer"))
    for n in range(40):  # everyone taps at once; customer 100 also answers the second question
        message_id = paced_world.last(100 + n)["message_id"]
        token = paced_world.tokens[100 + n]
        paced_world.sandbox.press_button(
            100 + n, message_id=message_id, data=encode(Choice(token, 0, n % 11))
        )
    paced_world.forge_tap(  # answers question 2 before the edit that shows it has gone out
        100, message_id=paced_world.last(100)["message_id"],
        data=encode(Choice(paced_world.tokens[100], 1, 5)),
    )  # fmt: skip

    await paced_world.settled(
        lambda: (
            all("✓" in paced_world.last(100 + n)["text"] for n in range(40))
            and "Thank you" in paced_world.last(100)["text"]
        ),
        timeout=30,
    )
    for n in range(40):
        assert await paced_world.answers_of(100 + n) == (
            {"recommend.customer": 0, "effort.customer": 5} if n == 0
            else {"recommend.customer": n % 11}
        )  # fmt: skip
    assert paced_world.runtime.outbound.stats.rate_limited == 0
    assert paced_world.runtime.outbound.stats.failed == 0
    # 40 sends and >= 40 edits at <= 30/s (with margin): the virtual clock moved on accordingly.
    assert paced_world.clock.slept >= 79 / 30


async def test_a_429_is_waited_out_and_nothing_is_lost(
    paced_telegram_sandbox: TelegramSandbox, telegram_clock: ManualClock
) -> None:
    sandbox = paced_telegram_sandbox
    sandbox.set_limits(per_chat_per_second=0.25)  # stricter than the bot believes
    sandbox.add_user(51, first_name="Ada", started=True)
    clock = FakeClock(linked=telegram_clock)
    async with bot_for(sandbox) as bot:
        outbound = Outbound(bot=bot, pacer=Pacer(clock=clock), parallel=1)
        outbound.start()
        for text in ("one", "two", "three"):
            outbound.send(51, text)
        await outbound.idle()
        await outbound.stop()
    assert [m["text"] for m in sandbox.received(51)] == ["one", "two", "three"]
    assert outbound.stats.rate_limited >= 1
    assert outbound.stats.delivered == 3
