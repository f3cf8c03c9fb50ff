"""A dispatcher in a process of its own, for the crash and replica tests.

Run as ``python -m tests.outbox.worker_process --database URL --api URL``. It starts as
``pulse run`` does (SQLite: the file lock, then every claim left by a crash becomes unknown;
PostgreSQL: leader election), sends every due message to the Telegram stand-in with the real
python-telegram-bot client, optionally posts the week's report once, and exits.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import sys

from telegram import Bot
from telegram.request import HTTPXRequest

from pulse_mirror.outbox.dispatcher import RetryPolicy
from pulse_mirror.runtime.jobs import Jobs
from pulse_mirror.storage.deliveries.claims import DispatchStore
from pulse_mirror.storage.engine import create_engine
from pulse_mirror.storage.locks import (
    FileLock,
    Leadership,
    PostgresLeader,
    SoleProcess,
    sqlite_file,
)
from pulse_mirror.storage.operations import OperationsStore
from pulse_mirror.storage.repository import SqlRepository
from pulse_mirror.surveys.bank import load_bank
from pulse_mirror.surveys.model import IsoWeek, Platform
from pulse_mirror.surveys.ports import SystemClock
from tests.outbox.fakes import TelegramTextMessenger
from tests.outbox.helpers import SETTINGS, dispatcher

TOKEN = "123456:sandbox-token"


async def main(args: argparse.Namespace) -> int:
    engine = create_engine(args.database)
    clock = SystemClock()
    path = sqlite_file(engine)
    lock = None
    if path is not None:
        lock = FileLock(path)
        lock.acquire()
    leader: Leadership = SoleProcess() if path is not None else PostgresLeader(engine)
    repository = SqlRepository(engine)
    store = DispatchStore(engine)
    request = HTTPXRequest(connection_pool_size=args.concurrency)
    async with Bot(TOKEN, base_url=args.api, request=request) as bot:
        work = dispatcher(
            repository, messenger=TelegramTextMessenger(bot), clock=clock,
            worker=f"worker-{os.getpid()}", concurrency=args.concurrency,
            retry=RetryPolicy(base_delay=0.2, max_delay=1.0),
        )  # fmt: skip
        jobs = Jobs(
            repository=repository, operations=OperationsStore(engine), bank=load_bank(),
            settings=SETTINGS, clock=clock, leader=leader, dispatchers=[work],
            dispatch_store=store,
        )  # fmt: skip
        if path is not None:
            recovered = await jobs.recover(older_than=dt.timedelta(0))
            print(f"recovered {recovered}", flush=True)
        print("ready", flush=True)
        # A loaded machine can time a send out; those rows come due again shortly after,
        # so keep dispatching until a run leaves nothing to retry (bounded).
        for _ in range(100):
            stats = await jobs.dispatch()
            if stats.retried == 0 and stats.handed_back == 0:
                break
            await asyncio.sleep(0.3)
        if args.report_chat is not None and await leader.is_leader():
            await _report(repository, bot, chat=args.report_chat, clock=clock)
            await asyncio.sleep(args.hold)  # keep the lock while the other replica looks
    await leader.release()
    await engine.dispose()
    if lock is not None:
        lock.release()
    return 0


async def _report(repository: SqlRepository, bot: Bot, *, chat: int, clock: SystemClock) -> None:
    run = await repository.claim_report_run(
        week=IsoWeek(2026, 19), destination=Platform.TELEGRAM.value, now=clock.now()
    )
    if run is not None:
        message = await bot.send_message(chat_id=chat, text="weekly report")
        await repository.mark_report_posted(
            run.id, platform_ref=str(message.message_id), now=clock.now()
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", required=True)
    parser.add_argument("--api", required=True)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--report-chat", type=int, default=None)
    parser.add_argument("--hold", type=float, default=0.0)
    sys.exit(asyncio.run(main(parser.parse_args())))
