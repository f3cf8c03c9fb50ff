"""A pulse to many employees through the Slack stand-in: the product's dispatcher, adaptive pacer
and messenger, the real slack_sdk client, and a workspace ceiling the bot is never told.

Time is a stepped virtual clock: it moves only when no request is in flight, so the bot's pace
and the stand-in's limits count the same instants.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter
from collections.abc import AsyncIterator

import pytest_asyncio
from slack_sdk.web.async_client import AsyncWebClient

from pulse_mirror.outbox.adaptive import ChannelPacer
from pulse_mirror.outbox.delivery_state import DeliveryContext
from pulse_mirror.outbox.dispatcher import Dispatcher, DispatchStats
from pulse_mirror.sandbox.slack import SlackSandbox
from pulse_mirror.sandbox.slack.limits import RateLimit
from pulse_mirror.sandbox.slack.webapi import CallRecord
from pulse_mirror.slack.blocks import Framing
from pulse_mirror.slack.messenger import SlackMessenger
from pulse_mirror.storage.deliveries.claims import DispatchStore
from pulse_mirror.storage.repository import SqlRepository
from pulse_mirror.surveys.bank import load_bank
from pulse_mirror.surveys.conversation import PulseState
from pulse_mirror.surveys.model import IsoWeek, Side
from pulse_mirror.surveys.records import DeliveryKind, DeliveryStatus, NewDelivery
from tests.outbox.helpers import add_people
from tests.outbox.stepped import Holding, SteppedClock

START = dt.datetime(2026, 5, 5, 8, tzinfo=dt.UTC)
WEEK = IsoWeek(2026, 19)


class OnTheClock:
    """The real messenger, its calls holding the stepped clock still."""

    def __init__(self, inner: SlackMessenger, clock: SteppedClock) -> None:
        self.platform = inner.platform
        self._inner = inner
        self._clock = clock
        self.sent: list[float] = []

    async def send_pulse(self, *, address: str, state: PulseState, kind: DeliveryKind) -> str:
        ref = await self._clock.call(
            lambda: self._inner.send_pulse(address=address, state=state, kind=kind)
        )
        self.sent.append(self._clock.seconds())
        return ref


@pytest_asyncio.fixture
async def clock() -> SteppedClock:
    return SteppedClock(START)


@pytest_asyncio.fixture
async def slack(clock: SteppedClock) -> AsyncIterator[SlackSandbox]:
    sandbox = SlackSandbox(now=clock.seconds, wall=clock.seconds)
    await sandbox.start(host="127.0.0.1", port=0)
    try:
        yield sandbox
    finally:
        await sandbox.stop()


def messenger(sandbox: SlackSandbox) -> SlackMessenger:
    client = AsyncWebClient(token=sandbox.bot_token, base_url=sandbox.api_url, retry_handlers=[])
    return SlackMessenger(client=client, framing=Framing())


async def enqueue(repository: SqlRepository, sandbox: SlackSandbox, count: int) -> list[str]:
    people = await add_people(repository, side=Side.EMPLOYEE, count=count, now=START)
    for person in people:
        sandbox.add_user(name=person.platform_user_id.lower(), id=person.platform_user_id)
    pulse = await repository.get_or_create_pulse(
        week=WEEK, side=Side.EMPLOYEE, items=["effort.employee"],
        opens_at=START, closes_at=START + dt.timedelta(days=5),
    )  # fmt: skip
    await repository.enqueue(
        [NewDelivery(pulse.id, p.id, DeliveryKind.QUESTION, START) for p in people]
    )
    return [p.platform_user_id for p in people]


def dispatcher(
    repository: SqlRepository,
    sender: OnTheClock,
    pacer: ChannelPacer,
    clock: SteppedClock,
    *,
    worker: str = "slack-test",
) -> Dispatcher:
    """The product's dispatcher; its database calls hold the clock still too."""
    return Dispatcher(
        store=Holding(DispatchStore(repository.engine), clock),
        repository=Holding(repository, clock),
        context=DeliveryContext(repository=repository, bank=load_bank()), messenger=sender,
        pacer=pacer, clock=clock, worker=worker,
    )  # fmt: skip


async def deliver(
    repository: SqlRepository, sandbox: SlackSandbox, clock: SteppedClock, *, start: float
) -> tuple[DispatchStats, OnTheClock, ChannelPacer]:
    sender = OnTheClock(messenger(sandbox), clock)
    pacer = ChannelPacer(clock=clock, start=start)
    work = dispatcher(repository, sender, pacer, clock)
    stats = await clock.run(work.dispatch_due())
    return stats, sender, pacer


def posts(sandbox: SlackSandbox) -> list[CallRecord]:
    return [c for c in sandbox.calls if c.method == "chat.postMessage"]


def retry_after_kept(calls: list[CallRecord]) -> bool:
    """Whether no channel was posted to again before the Retry-After of its 429 ran out."""
    refused: dict[str, float] = {}
    for call in calls:
        channel = str(call.args["channel"])
        if channel in refused and call.at < refused.pop(channel) - 1e-6:
            return False
        if call.status == 429:
            assert call.retry_after is not None
            refused[channel] = call.at + call.retry_after
    return True


async def test_a_pulse_finds_the_hidden_ceiling_with_few_429s_and_no_duplicate(
    repository: SqlRepository, slack: SlackSandbox, clock: SteppedClock
) -> None:
    people = await enqueue(repository, slack, 400)
    slack.set_ceiling(10.0)  # never told to the bot, which starts at 1/s

    stats, sender, pacer = await deliver(repository, slack, clock, start=1.0)

    assert stats.sent == 400
    counts = await repository.count_by_status()
    assert counts[DeliveryStatus.SENT] == 400
    per_dm = Counter(m.channel for m in slack.workspace.messages)
    assert len(per_dm) == 400 and set(per_dm.values()) == {1}  # none lost, none twice
    calls = posts(slack)
    limited = sum(1 for c in calls if c.status == 429)
    assert 0 < limited <= 0.05 * len(calls)  # it probed the ceiling, rarely
    assert slack.limits.refused.get("chat.postMessage", 0) == 0  # never a channel's limit
    assert 7.0 <= pacer.per_second <= 13.0  # converged near the ceiling
    makespan = max(sender.sent) - START.timestamp()
    assert 400 / 10.0 / makespan >= 0.7  # slow start from 1/s included
    assert retry_after_kept(calls)
    assert not [c for c in slack.calls if c.method == "conversations.open"]
    assert {c.args["channel"] for c in calls} == set(people)  # posted by user id


async def test_retry_after_is_honoured_for_the_refused_message(
    repository: SqlRepository, slack: SlackSandbox, clock: SteppedClock
) -> None:
    await enqueue(repository, slack, 5)
    # Two posts per 20 s in all: three of five get a 429 with a long Retry-After at first.
    slack.set_rate_limit("chat.postMessage", RateLimit(limit=2, per=20.0, scope="method"))

    stats, _, _ = await deliver(repository, slack, clock, start=5.0)

    assert stats.sent == 5 and stats.rate_limited >= 3
    calls = posts(slack)
    assert max(c.retry_after or 0 for c in calls) > 10
    assert retry_after_kept(calls)
    assert len({m.channel for m in slack.workspace.messages}) == 5


async def test_a_restart_reopens_no_dm_and_the_ref_names_the_dm(
    repository: SqlRepository, slack: SlackSandbox, clock: SteppedClock
) -> None:
    [person] = await add_people(repository, side=Side.EMPLOYEE, count=1, now=START)
    user = person.platform_user_id
    slack.add_user(name="ada", id=user)
    state = PulseState(
        token="tok_abcdefgh", side=Side.EMPLOYEE, lang="en",
        items=(load_bank().item("effort.employee"),), closes_at=START + dt.timedelta(days=1),
    )  # fmt: skip

    first = await messenger(slack).send_pulse(address=user, state=state, kind=DeliveryKind.QUESTION)
    restarted = messenger(slack)  # a new process: nothing in memory
    second = await restarted.send_pulse(address=user, state=state, kind=DeliveryKind.REMINDER_1)

    channel, ts = first.split(":")
    assert channel.startswith("D") and second.split(":")[0] == channel
    assert not [c for c in slack.calls if c.method == "conversations.open"]
    client = AsyncWebClient(token=slack.bot_token, base_url=slack.api_url)
    updated = await client.chat_update(channel=channel, ts=ts, text="answered")
    assert updated["ok"]


async def test_two_replicas_share_the_hidden_ceiling_each_adapting_on_its_own(
    repository: SqlRepository, slack: SlackSandbox, clock: SteppedClock
) -> None:
    await enqueue(repository, slack, 1000)
    slack.set_ceiling(10.0)
    senders = [OnTheClock(messenger(slack), clock) for _ in range(2)]
    pacers = [ChannelPacer(clock=clock, start=1.0) for _ in range(2)]
    workers = [
        dispatcher(repository, sender, pacer, clock, worker=f"replica-{index}")
        for index, (sender, pacer) in enumerate(zip(senders, pacers, strict=True))
    ]

    await clock.run(asyncio.gather(*(work.dispatch_due() for work in workers)))

    per_dm = Counter(m.channel for m in slack.workspace.messages)
    assert len(per_dm) == 1000 and set(per_dm.values()) == {1}
    calls = posts(slack)
    limited = sum(1 for c in calls if c.status == 429)
    assert limited <= 0.05 * len(calls)
    together = sum(pacer.per_second for pacer in pacers)
    assert 7.0 <= together <= 13.0  # like TCP flows, the two paces add up to the ceiling
    makespan = max(max(sender.sent) for sender in senders) - START.timestamp()
    assert 1000 / 10.0 / makespan >= 0.85
