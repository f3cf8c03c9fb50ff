"""Dispatch benchmark: pacing at the platforms' limits, capacity with the limits lifted.

Through the local stand-ins, with the real client libraries:

* pacing: N seconds at Telegram's real limits (30/s overall, 1/s per chat) and at the
  configured Slack pace: achieved rate as a fraction of the limit, 429s received;
* capacity: D deliveries with the limits lifted, on SQLite and PostgreSQL: deliveries per
  second, as a ratio to the bare python-telegram-bot client sending the same messages to the
  same stand-in in the same run; duplicates, lost, peak RSS of this process (stand-in included).

Prints one JSON line last. ``--quick`` for a short run.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import resource
import secrets
import sys
import time
from collections import Counter
from pathlib import Path
from tempfile import TemporaryDirectory

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from slack_sdk.web.async_client import AsyncWebClient  # noqa: E402
from telegram import Bot  # noqa: E402
from telegram.request import HTTPXRequest  # noqa: E402

from pulse_mirror.sandbox.slack import SlackSandbox  # noqa: E402
from pulse_mirror.sandbox.telegram import TelegramSandbox  # noqa: E402
from pulse_mirror.storage.engine import create_engine  # noqa: E402
from pulse_mirror.storage.migrate import upgrade  # noqa: E402
from pulse_mirror.storage.repository import SqlRepository  # noqa: E402
from pulse_mirror.surveys.model import IsoWeek, Side  # noqa: E402
from pulse_mirror.surveys.ports import SystemClock  # noqa: E402
from pulse_mirror.surveys.records import DeliveryKind, DeliveryStatus, NewDelivery  # noqa: E402
from tests.outbox.fakes import SlackTextMessenger, TelegramTextMessenger  # noqa: E402
from tests.outbox.helpers import add_people, dispatcher  # noqa: E402

POSTGRES = os.environ.get(
    "PULSE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
CONCURRENCY = 64


async def _setup(url: str, *, side: Side, count: int) -> tuple[SqlRepository, list[str]]:
    await upgrade(url)
    repository = SqlRepository(create_engine(url))
    now = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=5)
    people = await add_people(repository, side=side, count=count, now=now)
    pulse = await repository.get_or_create_pulse(
        week=IsoWeek.of(now.date()), side=side, items=[f"effort.{side.value}"],
        opens_at=now, closes_at=now + dt.timedelta(days=7),
    )  # fmt: skip
    rows = [NewDelivery(pulse.id, p.id, DeliveryKind.QUESTION, now) for p in people]
    for start in range(0, len(rows), 5000):
        await repository.enqueue(rows[start : start + 5000])
    return repository, [p.platform_user_id for p in people]


class Timed:
    """Notes when each send went out."""

    def __init__(self, inner: TelegramTextMessenger | SlackTextMessenger) -> None:
        self.platform = inner.platform
        self._inner = inner
        self.times: list[float] = []

    async def send_pulse(self, **kwargs: object) -> str:
        ref = await self._inner.send_pulse(**kwargs)  # type: ignore[arg-type]
        self.times.append(time.monotonic())
        return ref


async def _paced(work: object, timed: Timed, seconds: float) -> tuple[int, int]:
    task = asyncio.create_task(work.dispatch_due())  # type: ignore[attr-defined]
    started = time.monotonic()
    await asyncio.sleep(seconds)
    await work.stop(grace=5)  # type: ignore[attr-defined]
    stats = await task
    inside = sum(1 for t in timed.times if t <= started + seconds)
    return inside, stats.rate_limited


async def pacing_telegram(url: str, seconds: float) -> dict[str, float]:
    sandbox = TelegramSandbox()
    await sandbox.start()
    try:
        repository, chats = await _setup(url, side=Side.CUSTOMER, count=int(30 * seconds) + 60)
        for chat in chats:
            sandbox.add_user(int(chat), first_name="C", started=True)
        async with Bot(sandbox.token, base_url=sandbox.api_url,
                       request=HTTPXRequest(connection_pool_size=CONCURRENCY)) as bot:  # fmt: skip
            timed = Timed(TelegramTextMessenger(bot))
            work = dispatcher(repository, messenger=timed, clock=SystemClock(), rate=30, per_chat=1)
            sent, limited = await _paced(work, timed, seconds)
        await repository.engine.dispose()
    finally:
        await sandbox.stop()
    return {"telegram_rate_fraction_of_limit": round(sent / seconds / 30, 3),
            "telegram_429s": limited}  # fmt: skip


async def pacing_slack(url: str, seconds: float, per_second: float) -> dict[str, float]:
    sandbox = SlackSandbox()
    await sandbox.start(host="127.0.0.1", port=0)
    try:
        repository, users = await _setup(
            url, side=Side.EMPLOYEE, count=int(per_second * seconds) + 10
        )
        for user in users:
            sandbox.add_user(name=user.lower(), id=user)
        client = AsyncWebClient(
            token=sandbox.bot_token, base_url=sandbox.api_url, retry_handlers=[]
        )
        timed = Timed(SlackTextMessenger(client))
        work = dispatcher(
            repository, messenger=timed, clock=SystemClock(), rate=per_second, per_chat=1
        )
        sent, limited = await _paced(work, timed, seconds)
        await repository.engine.dispose()
    finally:
        await sandbox.stop()
    return {"slack_rate_fraction_of_limit": round(sent / seconds / per_second, 3),
            "slack_429s": limited, "slack_messages_per_second": per_second}  # fmt: skip


async def capacity(url: str, count: int, name: str) -> dict[str, float]:
    sandbox = TelegramSandbox(per_chat_per_second=0, overall_per_second=0)
    await sandbox.start()
    try:
        repository, chats = await _setup(url, side=Side.CUSTOMER, count=count)
        for chat in chats:
            sandbox.add_user(int(chat), first_name="C", started=True)
        async with Bot(sandbox.token, base_url=sandbox.api_url,
                       request=HTTPXRequest(connection_pool_size=CONCURRENCY)) as bot:  # fmt: skip
            # The bare library: the same messages, the same concurrency, no database.
            gate = asyncio.Semaphore(CONCURRENCY)

            async def bare(chat: str) -> None:
                async with gate:
                    await bot.send_message(chat_id=int(chat), text=f"bare {chat}")

            started = time.perf_counter()
            await asyncio.gather(*(bare(chat) for chat in chats))
            bare_rate = count / (time.perf_counter() - started)
            work = dispatcher(repository, messenger=TelegramTextMessenger(bot),
                              clock=SystemClock(), concurrency=CONCURRENCY)  # fmt: skip
            started = time.perf_counter()
            stats = await work.dispatch_due()
            rate = count / (time.perf_counter() - started)
        counts = await repository.count_by_status()
        await repository.engine.dispose()
        per_chat = Counter({chat: len(sandbox.received(int(chat))) for chat in chats})
    finally:
        await sandbox.stop()
    duplicates = sum(max(n - 2, 0) for n in per_chat.values())  # 1 bare + 1 dispatched each
    lost = count - counts[DeliveryStatus.SENT]
    return {f"{name}_deliveries_per_second": round(rate, 1),
            f"{name}_bare_client_per_second": round(bare_rate, 1),
            f"{name}_ratio_to_bare": round(rate / bare_rate, 3),
            f"{name}_duplicates": duplicates, f"{name}_lost": lost,
            f"{name}_sent": stats.sent}  # fmt: skip


def _postgres_database() -> str | None:
    import psycopg
    from sqlalchemy.engine import make_url

    server = make_url(POSTGRES)
    admin = server.set(drivername="postgresql", database="postgres").render_as_string(False)
    name = f"pulse_bench_{secrets.token_hex(4)}"
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=3) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error:
        return None
    return server.set(database=name).render_as_string(False)


async def main(args: argparse.Namespace) -> dict[str, object]:
    figures: dict[str, object] = {}
    with TemporaryDirectory() as folder:
        sqlite = f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        figures |= await pacing_telegram(sqlite, args.seconds)
        figures |= await pacing_slack(f"sqlite+aiosqlite:///{Path(folder) / 'slack.db'}",
                                      args.seconds, args.slack_rate)  # fmt: skip
        figures |= await capacity(f"sqlite+aiosqlite:///{Path(folder) / 'cap.db'}",
                                  args.deliveries, "sqlite")  # fmt: skip
    postgres = None if args.no_postgres else _postgres_database()
    if postgres is not None:
        figures |= await capacity(postgres, args.deliveries, "postgres")
    else:
        figures["postgres"] = "skipped (not reachable)"
    figures["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    figures["deliveries"] = args.deliveries
    figures["pacing_seconds"] = args.seconds
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="pacing run length")
    parser.add_argument("--deliveries", type=int, default=20_000, help="capacity run size")
    parser.add_argument(
        "--slack-rate", type=float, default=1.0, help="slack.rate.messages_per_second"
    )
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--quick", action="store_true", help="5 s pacing, 2,000 deliveries")
    options = parser.parse_args()
    if options.quick:
        options.seconds, options.deliveries = 5.0, 2000
    result = asyncio.run(main(options))
    machine = {
        "python": platform.python_version(),
        "system": platform.platform(),
        "cpus": os.cpu_count(),
        "processor": platform.processor() or platform.machine(),
    }
    print(json.dumps({"benchmark": "dispatch", "figures": result, "machine": machine}))
