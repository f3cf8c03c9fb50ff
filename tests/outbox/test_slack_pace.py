"""Slack's pacer on its own: one message a second to each channel, channels in parallel, a
workspace pace that adapts to 429s, and a claim window that follows the pace."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools

import pytest

from pulse_mirror.outbox.adaptive import DECREASE, AdaptiveRate, ChannelPacer
from pulse_mirror.outbox.delivery_state import DeliveryContext
from pulse_mirror.outbox.dispatcher import Dispatcher
from pulse_mirror.storage.deliveries.claims import DispatchStore
from pulse_mirror.storage.repository import SqlRepository
from pulse_mirror.surveys.bank import load_bank
from pulse_mirror.surveys.model import Platform
from tests.fakes import FakeClock
from tests.outbox.fakes import RecordingMessenger
from tests.outbox.stepped import SteppedClock

START = dt.datetime(2026, 5, 5, 8, tzinfo=dt.UTC)


async def _granted(pacer: ChannelPacer, clock: SteppedClock, chats: list[str]) -> list[float]:
    """Acquire each of ``chats`` at once; the seconds after START at which each got through."""
    times: list[float] = [0.0] * len(chats)

    async def one(index: int, chat: str) -> None:
        await pacer.acquire(chat)
        times[index] = clock.seconds() - START.timestamp()

    await clock.run(asyncio.gather(*(one(i, chat) for i, chat in enumerate(chats))))
    return times


async def test_each_channel_gets_one_a_second_and_a_busy_channel_holds_up_no_other() -> None:
    clock = SteppedClock(START)
    pacer = ChannelPacer(clock=clock, start=10.0, maximum=10.0)
    chats = ["D1", "D1", "D1", "D2", "D3", "D4", "D5"]
    times = await _granted(pacer, clock, chats)

    first, second, third = times[:3]
    assert second - first >= 1.0 and third - second >= 1.0  # one a second to D1
    assert max(times[3:]) < 0.6  # the others went out at the workspace pace meanwhile
    ordered = sorted(times)
    assert all(b - a >= 0.1 - 1e-6 for a, b in itertools.pairwise(ordered))


async def test_a_429_holds_its_channel_for_retry_after_and_slows_the_workspace() -> None:
    clock = SteppedClock(START)
    pacer = ChannelPacer(clock=clock, start=8.0)
    pacer.hold(3.0, chat="D1")

    assert pacer.per_second == pytest.approx(8.0 * DECREASE)
    times = await _granted(pacer, clock, ["D1", "D2"])
    assert times[0] >= 3.0  # Retry-After honoured for the channel that got it
    assert times[1] < 1.0  # the others are only slowed, not stopped


async def test_429s_that_persist_after_a_slow_down_hold_every_channel() -> None:
    clock = SteppedClock(START)
    pacer = ChannelPacer(clock=clock, start=8.0)
    for _ in range(3):  # within one second: slowing down did not help
        pacer.hold(2.0)

    times = await _granted(pacer, clock, ["D7"])
    assert times[0] >= 2.0
    assert pacer.per_second == pytest.approx(8.0 * DECREASE)  # one decrease per event


def test_the_pace_starts_slow_doubles_then_probes_above_the_last_ceiling() -> None:
    rate = AdaptiveRate(value=1.0)
    for _ in range(4):
        rate.grow(1.0)
    assert rate.value == pytest.approx(16.0)  # slow start: doubling each second

    assert rate.limited(now=10.0) is False
    assert rate.ceiling == pytest.approx(16.0)
    assert rate.value == pytest.approx(16.0 * DECREASE)
    for _ in range(20):
        rate.grow(1.0)
    assert rate.value == pytest.approx(16.0 * DECREASE + 20 * 0.005 * 16.0)  # additive
    assert rate.limited(now=10.5) is False  # within the recovery period: the same event
    assert rate.value == pytest.approx(16.0)
    assert rate.limited(now=11.5) is False  # after it: a new event, a new decrease
    assert rate.ceiling == pytest.approx(16.0)
    assert rate.value == pytest.approx(16.0 * DECREASE)


async def test_the_claim_window_grows_with_slacks_adaptive_pace(
    repository: SqlRepository,
) -> None:
    clock = FakeClock(START)
    pacer = ChannelPacer(clock=clock, start=1.0)
    work = Dispatcher(
        store=DispatchStore(repository.engine),
        repository=repository,
        context=DeliveryContext(repository=repository, bank=load_bank()),
        messenger=RecordingMessenger(Platform.SLACK, clock),
        pacer=pacer,
        clock=clock,
        worker="w",
        concurrency=64,
    )
    assert work.claim_window == 3  # two seconds at 1/s, plus one
    pacer.rate.value = 20.0
    assert work.claim_window == 41
    pacer.rate.value = 90.0
    assert work.claim_window == 64  # never above the concurrency
