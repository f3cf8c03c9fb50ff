"""Telegram's pace (1 message a second per chat, 30 overall) kept by the bot; a 429 waited out."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from pulse_mirror.outbox.pacing import Pacer, Rate
from pulse_mirror.sandbox.telegram import TelegramSandbox
from pulse_mirror.storage.repository import SqlRepository
from pulse_mirror.surveys.callbacks import Choice, encode
from pulse_mirror.telegram.outbound import Outbound
from tests.fakes import FakeClock
from tests.fixtures.telegram_sandbox import bot_for
from tests.telegram.world import World, build_world


@pytest_asyncio.fixture
async def paced_world(
    paced_telegram_sandbox: TelegramSandbox,
    telegram_clock: FakeClock,
    repository: SqlRepository,
) -> AsyncIterator[World]:
    """The runtime with Telegram's real limits on, on the same clock as the stand-in."""
    built = await build_world(paced_telegram_sandbox, repository, clock=telegram_clock)
    try:
        yield built
    finally:
        await built.runtime.stop()


def _pacer(clock: FakeClock) -> Pacer:
    """Telegram's limits as the runtime configures them by default."""
    return Pacer(clock=clock, overall=Rate.per_second(30), per_chat=Rate.per_second(1))


async def test_pacer_spaces_sends_per_chat_and_overall() -> None:
    clock = FakeClock()
    pacer = Pacer(clock=clock, overall=Rate.per_second(10), per_chat=Rate.per_second(1), margin=0)
    start = clock.now()
    times = []
    for chat in ("1", "2", "3", "1"):
        await pacer.acquire(chat)
        times.append((clock.now() - start).total_seconds())
    assert times == pytest.approx([0.0, 0.1, 0.2, 1.0])  # chat 1 had its message at 0.0
    pacer.hold(5.0, chat="2")  # Telegram said so of chat 2 only
    assert pacer.ready_at("2") == pytest.approx(start.timestamp() + 6.0)
    await pacer.acquire("3")
    assert (clock.now() - start).total_seconds() == pytest.approx(1.2)  # chat 3 is not held
    await pacer.acquire("2")
    assert (clock.now() - start).total_seconds() == pytest.approx(6.0)


async def test_the_dispatcher_and_the_replies_wait_on_one_pacer(paced_world: World) -> None:
    runtime, clock = paced_world.runtime, paced_world.clock
    paced_world.sandbox.add_user(61, first_name="Ada", started=True)
    start = clock.now()
    await runtime.pacer.acquire("61")  # a pulse to chat 61, as the dispatcher sends it
    runtime.outbound.send(61, "a confirmation right after the pulse")
    await runtime.outbound.idle()
    # The reply waited for chat 61's one message a second, counted with the pulse's.
    assert (clock.now() - start).total_seconds() >= 1.0
    runtime.pacer.hold(3.0)  # a 429 on a pulse holds the replies too
    held = clock.now()
    runtime.outbound.send(61, "a reply during the hold")
    await runtime.outbound.idle()
    assert (clock.now() - held).total_seconds() >= 3.0
    assert [m["text"] for m in paced_world.sandbox.received(61)] == [
        "a confirmation right after the pulse",
        "a reply during the hold",
    ]


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
    paced_telegram_sandbox: TelegramSandbox, telegram_clock: FakeClock
) -> None:
    sandbox = paced_telegram_sandbox
    sandbox.set_limits(per_chat_per_second=0.25)  # stricter than the bot believes
    sandbox.add_user(51, first_name="Ada", started=True)
    async with bot_for(sandbox) as bot:  # the bot's pacer and the stand-in share one clock
        outbound = Outbound(bot=bot, pacer=_pacer(telegram_clock), parallel=1)
        outbound.start()
        for text in ("one", "two", "three"):
            outbound.send(51, text)
        await outbound.idle()
        await outbound.stop()
    assert [m["text"] for m in sandbox.received(51)] == ["one", "two", "three"]
    assert outbound.stats.rate_limited >= 1
    assert outbound.stats.delivered == 3
