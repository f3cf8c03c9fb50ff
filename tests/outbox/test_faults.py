"""The dispatcher against the stand-ins: their pace, 429s, 5xx, timeouts and blocked people.

Everything ends sent, failed or unknown (nothing pending, nothing lost), nothing is sent
twice, and the sends never exceed the configured pace on the (virtual) clock.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import AsyncIterator

import pytest_asyncio
from slack_sdk.web.async_client import AsyncWebClient
from telegram import Bot
from telegram.request import HTTPXRequest

from pulse_mirror.outbox.dispatcher import Dispatcher, RetryPolicy
from pulse_mirror.sandbox.faults import Fault
from pulse_mirror.sandbox.slack import SlackSandbox
from pulse_mirror.sandbox.slack.limits import RateLimit
from pulse_mirror.sandbox.telegram import TelegramSandbox
from pulse_mirror.storage.repository import SqlRepository
from pulse_mirror.surveys.conversation import PulseState
from pulse_mirror.surveys.model import IsoWeek, PersonStatus, Side
from pulse_mirror.surveys.ports import Clock, Messenger, SystemClock
from pulse_mirror.surveys.records import DeliveryKind, DeliveryStatus, NewDelivery
from tests.fakes import FakeClock
from tests.outbox.fakes import SlackTextMessenger, TelegramTextMessenger
from tests.outbox.helpers import add_people, dispatcher

START = dt.datetime(2026, 5, 4, 8, tzinfo=dt.UTC)
WEEK = IsoWeek(2026, 19)


class Timed:
    """Wraps a messenger and notes the (virtual) time of every send attempt."""

    def __init__(self, inner: Messenger, clock: Clock) -> None:
        self.platform = inner.platform
        self._inner = inner
        self._clock = clock
        self.attempts: list[float] = []

    async def send_pulse(self, *, address: str, state: PulseState, kind: DeliveryKind) -> str:
        self.attempts.append(self._clock.now().timestamp())
        return await self._inner.send_pulse(address=address, state=state, kind=kind)


def busiest_second(times: list[float]) -> int:
    """The most sends in any window of one second."""
    ordered = sorted(times)
    best, low = 0, 0
    for high, moment in enumerate(ordered):
        while ordered[low] <= moment - 1.0:
            low += 1
        best = max(best, high - low + 1)
    return best


async def enqueue_for(
    repository: SqlRepository, *, side: Side, count: int, start: dt.datetime = START
) -> list[str]:
    """One question to each of ``count`` new people of ``side``, all due now; their addresses."""
    people = await add_people(repository, side=side, count=count, now=start)
    item = f"effort.{side.value}"
    pulse = await repository.get_or_create_pulse(
        week=WEEK, side=side, items=[item], opens_at=start, closes_at=start + dt.timedelta(days=7)
    )
    await repository.enqueue(
        [NewDelivery(pulse.id, p.id, DeliveryKind.QUESTION, start) for p in people]
    )
    return [p.platform_user_id for p in people]


async def drain(work: Dispatcher, clock: FakeClock, repository: SqlRepository) -> None:
    """Dispatch until nothing is pending, moving the clock past retry times."""
    for _ in range(200):
        await work.dispatch_due()
        counts = await repository.count_by_status()
        if counts[DeliveryStatus.PENDING] == 0:
            return
        clock.advance(dt.timedelta(seconds=30))
    raise AssertionError(f"still pending: {counts}")


@pytest_asyncio.fixture
async def clock() -> FakeClock:
    return FakeClock(START)


@pytest_asyncio.fixture
async def telegram(clock: FakeClock) -> AsyncIterator[TelegramSandbox]:
    sandbox = TelegramSandbox(now=clock.monotonic)
    await sandbox.start(host="127.0.0.1", port=0)
    try:
        yield sandbox
    finally:
        await sandbox.stop()


def telegram_bot(sandbox: TelegramSandbox, *, read_timeout: float = 5.0) -> Bot:
    request = HTTPXRequest(connection_pool_size=64, read_timeout=read_timeout)
    return Bot(sandbox.token, base_url=sandbox.api_url, request=request)


async def test_at_telegrams_real_limits_no_429_and_never_over_the_pace(
    repository: SqlRepository, telegram_sandbox: TelegramSandbox
) -> None:
    # Real time here: the stand-in counts arrivals, and on a virtual clock time would jump
    # ahead while requests are still on their way.
    clock = SystemClock()
    addresses = await enqueue_for(repository, side=Side.CUSTOMER, count=75, start=clock.now())
    for address in addresses:
        telegram_sandbox.add_user(int(address), first_name="C", started=True)
    async with telegram_bot(telegram_sandbox) as bot:
        messenger = Timed(TelegramTextMessenger(bot), clock)
        work = dispatcher(repository, messenger=messenger, clock=clock, rate=30, per_chat=1)
        stats = await work.dispatch_due()

    assert (stats.sent, stats.rate_limited) == (75, 0)
    assert busiest_second(messenger.attempts) <= 30
    assert all(len(telegram_sandbox.received(int(a))) == 1 for a in addresses)


async def test_429s_5xx_timeouts_and_blocked_people_end_sent_failed_or_unknown(
    repository: SqlRepository, telegram: TelegramSandbox, clock: FakeClock
) -> None:
    addresses = await enqueue_for(repository, side=Side.CUSTOMER, count=120)
    for address in addresses:
        telegram.add_user(int(address), first_name="C", started=True)
    # The last three are blocked: the queued faults hit the first sends, so a blocked
    # person's send never times out instead (which would leave it unknown, not failed).
    blocked = addresses[-3:]
    for address in blocked:
        telegram.block(int(address))
    telegram.set_limits(overall_per_second=10)  # stricter than the configured 30/s: real 429s
    telegram.inject_fault("sendMessage", Fault("status", status=502), times=15)
    # Real seconds: a normal send on a busy machine must stay well inside the read timeout.
    telegram.inject_fault("sendMessage", Fault("timeout", delay=3.0), times=2)
    async with telegram_bot(telegram, read_timeout=1.0) as bot:
        messenger = Timed(TelegramTextMessenger(bot), clock)
        work = dispatcher(
            repository, messenger=messenger, clock=clock, rate=30, per_chat=1,
            retry=RetryPolicy(max_attempts=3, base_delay=5.0),
        )  # fmt: skip
        await drain(work, clock, repository)

    counts = await repository.count_by_status()
    assert counts[DeliveryStatus.PENDING] == counts[DeliveryStatus.CLAIMED] == 0
    assert counts[DeliveryStatus.UNKNOWN] == 2  # the two timeouts: maybe sent, never resent
    assert counts[DeliveryStatus.FAILED] == 3  # the blocked people
    assert counts[DeliveryStatus.SENT] == 120 - 5
    received = Counter(a for a in addresses for _ in telegram.received(int(a)))
    assert sum(received.values()) == counts[DeliveryStatus.SENT]  # nothing lost
    assert max(received.values()) == 1  # nothing twice
    assert busiest_second(messenger.attempts) <= 30  # never over the configured pace
    for address in blocked:
        person = await repository.find_person(platform=messenger.platform, platform_user_id=address)
        assert person is not None and person.status is PersonStatus.BLOCKED


async def test_slack_429s_and_5xx_are_waited_out_and_retried(
    repository: SqlRepository, clock: FakeClock
) -> None:
    sandbox = SlackSandbox(now=clock.monotonic)
    await sandbox.start(host="127.0.0.1", port=0)
    try:
        addresses = await enqueue_for(repository, side=Side.EMPLOYEE, count=40)
        for address in addresses:
            sandbox.add_user(name=address.lower(), id=address)
        sandbox.set_rate_limit("chat.postMessage", RateLimit(limit=2, per=1.0, scope="method"))
        sandbox.inject_fault("chat.postMessage", Fault("status", status=503), times=5)
        client = AsyncWebClient(
            token=sandbox.bot_token, base_url=sandbox.api_url, retry_handlers=[]
        )
        messenger = Timed(SlackTextMessenger(client), clock)
        work = dispatcher(repository, messenger=messenger, clock=clock, rate=4.0)
        await drain(work, clock, repository)
        received = Counter(a for a in addresses for _ in sandbox.received(a)["messages"])
    finally:
        await sandbox.stop()

    counts = await repository.count_by_status()
    assert counts[DeliveryStatus.SENT] == 40
    assert sorted(received.values()) == [1] * 40
    assert busiest_second(messenger.attempts) <= 4
