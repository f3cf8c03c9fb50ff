"""Delivery at scale, on a virtual clock for the platforms' time (issue 18).

* Slack: one pulse to N employees through the Slack stand-in, whose workspace ceiling (never
  told to the bot) is 5 and then 20 messages a second; the product's own dispatcher, adaptive
  pacer and messenger through the real slack_sdk client. Figures: the makespan as a ratio of
  the ideal N / ceiling (worst ceiling), 429s as a share of calls, conversations.open calls,
  duplicates and lost.
* Telegram: one pulse to M customers through the Telegram stand-in at its real limits (30/s,
  1/s per chat) with the real python-telegram-bot client: the achieved rate as a fraction of
  30/s, 429s, duplicates and lost.

Virtual time moves only when no request and no database call is in flight
(``tests.outbox.stepped``), so the figures are the pacing's own, not this machine's; the real
time per run is printed too. Through real HTTP on 2 shared cores a send costs ~4-5 ms of real
time, so 100,000 Telegram customers would take 8-11 minutes: the default is 20,000
(``PULSE_BENCH_TELEGRAM_PEOPLE`` / ``PULSE_BENCH_SLACK_PEOPLE`` change the sizes). At a fixed
pace the rate fraction does not depend on the size past the first seconds.
``measure()`` returns the figures; run as a script it prints one JSON line.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import platform
import sys
import time
from collections import Counter
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from slack_sdk.web.async_client import AsyncWebClient  # noqa: E402
from telegram import Bot  # noqa: E402
from telegram.request import HTTPXRequest  # noqa: E402

from pulse_mirror.outbox.adaptive import ChannelPacer  # noqa: E402
from pulse_mirror.outbox.delivery_state import DeliveryContext  # noqa: E402
from pulse_mirror.outbox.dispatcher import Dispatcher, DispatchStats  # noqa: E402
from pulse_mirror.outbox.pacing import Pacer, Rate  # noqa: E402
from pulse_mirror.sandbox.slack import SlackSandbox  # noqa: E402
from pulse_mirror.sandbox.telegram import TelegramSandbox  # noqa: E402
from pulse_mirror.slack.blocks import Framing  # noqa: E402
from pulse_mirror.slack.messenger import SlackMessenger  # noqa: E402
from pulse_mirror.storage.deliveries.claims import DispatchStore  # noqa: E402
from pulse_mirror.storage.engine import create_engine  # noqa: E402
from pulse_mirror.storage.migrate import upgrade  # noqa: E402
from pulse_mirror.storage.repository import SqlRepository  # noqa: E402
from pulse_mirror.surveys.bank import load_bank  # noqa: E402
from pulse_mirror.surveys.model import IsoWeek, Side  # noqa: E402
from pulse_mirror.surveys.ports import Messenger, Pace  # noqa: E402
from pulse_mirror.surveys.records import DeliveryKind, DeliveryStatus, NewDelivery  # noqa: E402
from tests.outbox.fakes import TelegramTextMessenger  # noqa: E402
from tests.outbox.helpers import add_people  # noqa: E402
from tests.outbox.stepped import Holding, SteppedClock  # noqa: E402

START = dt.datetime(2026, 3, 3, 9, 0, tzinfo=dt.UTC)  # a Tuesday
SLACK_PEOPLE = int(os.environ.get("PULSE_BENCH_SLACK_PEOPLE", "10000"))
TELEGRAM_PEOPLE = int(os.environ.get("PULSE_BENCH_TELEGRAM_PEOPLE", "20000"))
CEILINGS = (5.0, 20.0)
CONCURRENCY = 64


class Stepped:
    """A messenger whose calls hold the stepped clock still; notes when each was answered."""

    def __init__(self, inner: Messenger, clock: SteppedClock) -> None:
        self.platform = inner.platform
        self._inner = inner
        self._clock = clock
        self.sent: list[float] = []

    async def send_pulse(self, **kwargs: Any) -> str:
        ref = await self._clock.call(lambda: self._inner.send_pulse(**kwargs))
        self.sent.append(self._clock.seconds())
        return ref


async def _pulse(url: str, *, side: Side, count: int) -> tuple[SqlRepository, list[str]]:
    await upgrade(url)
    repository = SqlRepository(create_engine(url))
    now = START - dt.timedelta(seconds=1)
    people = await add_people(repository, side=side, count=count, now=now)
    pulse = await repository.get_or_create_pulse(
        week=IsoWeek.of(now.date()), side=side, items=[f"effort.{side.value}"],
        opens_at=now, closes_at=now + dt.timedelta(days=7),
    )  # fmt: skip
    rows = [NewDelivery(pulse.id, p.id, DeliveryKind.QUESTION, now) for p in people]
    for first in range(0, len(rows), 5000):
        await repository.enqueue(rows[first : first + 5000])
    return repository, [p.platform_user_id for p in people]


async def _dispatch(
    repository: SqlRepository, *, messenger: Stepped, pacer: Pace, clock: SteppedClock
) -> tuple[DispatchStats, int]:
    """Send everything due; the run's stats and the rows not sent."""
    work = Dispatcher(
        store=Holding(DispatchStore(repository.engine), clock),
        repository=Holding(repository, clock),
        context=DeliveryContext(repository=repository, bank=load_bank()), messenger=messenger,
        pacer=pacer, clock=clock, worker="bench", concurrency=CONCURRENCY,
    )  # fmt: skip
    stats = await clock.run(work.dispatch_due())
    counts = await repository.count_by_status()
    return stats, sum(n for status, n in counts.items() if status is not DeliveryStatus.SENT)


async def slack_run(count: int, ceiling: float) -> dict[str, float]:
    """One pulse to ``count`` employees against a hidden ceiling of ``ceiling`` per second."""
    clock = SteppedClock(START)
    sandbox = SlackSandbox(now=clock.seconds, wall=clock.seconds)
    await sandbox.start()
    began = time.monotonic()
    try:
        sandbox.set_ceiling(ceiling)
        with TemporaryDirectory() as folder:
            repository, users = await _pulse(
                f"sqlite+aiosqlite:///{folder}/slack.db", side=Side.EMPLOYEE, count=count
            )
            for user in users:
                sandbox.add_user(name=user.lower(), id=user)
            client = AsyncWebClient(
                token=sandbox.bot_token, base_url=sandbox.api_url, retry_handlers=[]
            )
            messenger = Stepped(SlackMessenger(client=client, framing=Framing()), clock)
            pacer = ChannelPacer(clock=clock, start=1.0)
            _, unsent = await _dispatch(repository, messenger=messenger, pacer=pacer, clock=clock)
            await repository.engine.dispose()
    finally:
        await sandbox.stop()
    posts = [c for c in sandbox.calls if c.method == "chat.postMessage"]
    limited = sum(1 for c in posts if c.status == 429)
    per_dm = Counter(m.channel for m in sandbox.workspace.messages)
    makespan = max(messenger.sent) - START.timestamp()
    return {
        "people": count,
        "ceiling": ceiling,
        "makespan_s": round(makespan, 1),
        "makespan_ratio": round(count / ceiling / makespan, 3),
        "calls": len(posts),
        "429s": limited,
        "429_share": round(limited / len(posts), 4),
        "conversations_open": sum(1 for c in sandbox.calls if c.method == "conversations.open"),
        "final_pace": round(pacer.per_second, 2),
        "duplicates": sum(n - 1 for n in per_dm.values() if n > 1),
        "lost": count - len(per_dm),
        "unsent_rows": unsent,
        "real_seconds": round(time.monotonic() - began, 1),
    }


async def telegram_run(count: int) -> dict[str, float]:
    """One pulse to ``count`` customers at Telegram's real limits."""
    clock = SteppedClock(START)
    sandbox = TelegramSandbox(now=clock.seconds, clock=clock.seconds)
    await sandbox.start()
    began = time.monotonic()
    try:
        with TemporaryDirectory() as folder:
            repository, chats = await _pulse(
                f"sqlite+aiosqlite:///{folder}/telegram.db", side=Side.CUSTOMER, count=count
            )
            for chat in chats:
                sandbox.add_user(int(chat), first_name="C", started=True)
            request = HTTPXRequest(connection_pool_size=CONCURRENCY)
            async with Bot(sandbox.token, base_url=sandbox.api_url, request=request) as bot:
                messenger = Stepped(TelegramTextMessenger(bot), clock)
                pacer = Pacer(clock=clock, overall=Rate.per_second(30), per_chat=Rate(1, 1.0))
                stats, unsent = await _dispatch(
                    repository, messenger=messenger, pacer=pacer, clock=clock
                )
            await repository.engine.dispose()
        delivered = Counter({chat: len(sandbox.received(int(chat))) for chat in chats})
    finally:
        await sandbox.stop()
    makespan = max(messenger.sent) - START.timestamp()
    return {
        "people": count,
        "makespan_s": round(makespan, 1),
        "rate_fraction": round(count / makespan / 30, 3),
        "429s": stats.rate_limited,
        "duplicates": sum(n - 1 for n in delivered.values() if n > 1),
        "lost": sum(1 for n in delivered.values() if n == 0),
        "unsent_rows": unsent,
        "real_seconds": round(time.monotonic() - began, 1),
    }


def _machine() -> dict[str, object]:
    return {
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


async def _measure() -> dict[str, object]:
    load_before = [round(x, 2) for x in os.getloadavg()]
    slack = [await slack_run(SLACK_PEOPLE, ceiling) for ceiling in CEILINGS]
    telegram = await telegram_run(TELEGRAM_PEOPLE)
    calls = sum(int(run["calls"]) for run in slack)
    figures = {
        "slack_people": SLACK_PEOPLE,
        "slack_makespan_ratio": min(float(run["makespan_ratio"]) for run in slack),
        "slack_429_share": round(sum(int(run["429s"]) for run in slack) / calls, 4),
        "slack_conversations_open": sum(int(run["conversations_open"]) for run in slack),
        "telegram_people": TELEGRAM_PEOPLE,
        "telegram_rate_fraction": telegram["rate_fraction"],
        "telegram_429s": telegram["429s"],
        "duplicates": sum(int(r["duplicates"]) for r in slack) + int(telegram["duplicates"]),
        "lost": sum(int(r["lost"]) for r in slack) + int(telegram["lost"]),
    }
    machine = _machine() | {"load_average_before": load_before}
    return {
        "benchmark": "scale_delivery",
        "figures": figures,
        "runs": {"slack": slack, "telegram": telegram},
        "machine": machine,
    }


def measure() -> dict[str, object]:
    """Run the delivery benchmark; the figures, the runs and the machine."""
    return asyncio.run(_measure())


if __name__ == "__main__":
    print(json.dumps(measure()))
