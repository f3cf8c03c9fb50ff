"""Real processes: a ``kill -9`` in the middle of a dispatch, and two replicas on PostgreSQL."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import sys
from collections import Counter
from pathlib import Path

import pytest
import sqlalchemy as sa

from pulse_mirror.sandbox.telegram import TelegramSandbox
from pulse_mirror.storage.engine import create_engine
from pulse_mirror.storage.migrate import upgrade
from pulse_mirror.storage.repository import SqlRepository
from pulse_mirror.storage.tables import delivery
from pulse_mirror.surveys.model import IsoWeek, Side
from pulse_mirror.surveys.records import DeliveryKind, DeliveryStatus, NewDelivery
from tests.outbox.helpers import add_people

ROOT = Path(__file__).resolve().parents[2]
WEEK = IsoWeek(2026, 19)


async def _prepare(url: str, sandbox: TelegramSandbox, *, count: int) -> list[int]:
    """``count`` customers with a due question each; returns their chat ids."""
    await upgrade(url)
    engine = create_engine(url)
    try:
        repository = SqlRepository(engine)
        now = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
        people = await add_people(repository, side=Side.CUSTOMER, count=count, now=now)
        pulse = await repository.get_or_create_pulse(
            week=WEEK, side=Side.CUSTOMER, items=["effort.customer"],
            opens_at=now, closes_at=now + dt.timedelta(days=7),
        )  # fmt: skip
        await repository.enqueue(
            [NewDelivery(pulse.id, p.id, DeliveryKind.QUESTION, now) for p in people]
        )
    finally:
        await engine.dispose()
    sandbox.set_limits(per_chat_per_second=0, overall_per_second=0)
    chats = [int(p.platform_user_id) for p in people]
    for chat in chats:
        sandbox.add_user(chat, first_name="C", started=True)
    return chats


async def _spawn(url: str, sandbox: TelegramSandbox, *extra: str) -> asyncio.subprocess.Process:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.outbox.worker_process",
        "--database", url, "--api", sandbox.api_url, *extra,
        cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip


async def _statuses(url: str) -> dict[str, int]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            rows = (
                await connection.execute(
                    sa.select(delivery.c.status, sa.func.count()).group_by(delivery.c.status)
                )
            ).all()
    finally:
        await engine.dispose()
    return {status: count for status, count in rows}


def _received(sandbox: TelegramSandbox, chats: list[int]) -> Counter[int]:
    return Counter({chat: len(sandbox.received(chat)) for chat in chats})


async def test_kill_9_mid_dispatch_then_restart_sends_nothing_twice(
    tmp_path: Path, telegram_sandbox: TelegramSandbox
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'pulse.db'}"
    chats = await _prepare(url, telegram_sandbox, count=3000)

    first = await _spawn(url, telegram_sandbox)
    while sum(_received(telegram_sandbox, chats[::10]).values()) < 60:  # ~600 of 3000 sent
        assert first.returncode is None, (await first.communicate())[1].decode()[-2000:]
        await asyncio.sleep(0.02)
    first.send_signal(signal.SIGKILL)
    await first.wait()
    assert first.returncode == -signal.SIGKILL
    at_crash = await _statuses(url)
    in_flight = at_crash.get(DeliveryStatus.CLAIMED.value, 0)
    assert at_crash.get(DeliveryStatus.PENDING.value, 0) > 0  # killed mid-way, not at the end

    second = await _spawn(url, telegram_sandbox)
    out, err = await second.communicate()
    assert second.returncode == 0, err.decode()[-2000:]
    assert f"recovered {in_flight}" in out.decode()

    final = await _statuses(url)
    received = _received(telegram_sandbox, chats)
    assert final.get(DeliveryStatus.PENDING.value, 0) == final.get("claimed", 0) == 0
    assert final[DeliveryStatus.SENT.value] + final.get("unknown", 0) == 3000
    assert final.get("unknown", 0) == in_flight  # in-flight at the kill: counted, never resent
    assert max(received.values()) == 1  # 0 duplicates
    assert sum(received.values()) >= final[DeliveryStatus.SENT.value]  # every other delivered
    assert sum(received.values()) <= 3000


async def test_a_second_process_on_the_same_sqlite_file_refuses_to_start(
    tmp_path: Path, telegram_sandbox: TelegramSandbox
) -> None:
    from pulse_mirror.storage.locks import AlreadyRunning, FileLock

    database = tmp_path / "pulse.db"
    holder = FileLock(database)
    holder.acquire()
    try:
        with pytest.raises(AlreadyRunning, match="SQLite allows one process"):
            FileLock(database).acquire()
        url = f"sqlite+aiosqlite:///{database}"
        await upgrade(url)
        child = await _spawn(url, telegram_sandbox)
        _, err = await child.communicate()
        assert child.returncode != 0
        assert f"already uses {database}" in err.decode()
    finally:
        holder.release()


async def test_two_replicas_on_postgres_share_the_work_with_no_duplicate(
    postgres_url: str, telegram_sandbox: TelegramSandbox
) -> None:
    chats = await _prepare(postgres_url, telegram_sandbox, count=2000)
    report_chat = -100_123
    telegram_sandbox.add_user(report_chat, first_name="Leaders", started=True)

    replicas = [
        await _spawn(postgres_url, telegram_sandbox, "--report-chat", str(report_chat),
                     "--hold", "1.0", "--concurrency", "32")
        for _ in range(2)
    ]  # fmt: skip
    results = [await replica.communicate() for replica in replicas]
    for replica, (_, err) in zip(replicas, results, strict=True):
        assert replica.returncode == 0, err.decode()[-2000:]

    final = await _statuses(postgres_url)
    received = _received(telegram_sandbox, chats)
    assert final == {DeliveryStatus.SENT.value: 2000}
    assert sorted(set(received.values())) == [1]  # every one delivered, none twice
    assert len(telegram_sandbox.received(report_chat)) == 1  # the weekly report posted once
    engine = create_engine(postgres_url)
    try:
        async with engine.connect() as connection:
            workers = (
                await connection.execute(
                    sa.select(delivery.c.claimed_by, sa.func.count()).group_by(
                        delivery.c.claimed_by
                    )
                )
            ).all()
    finally:
        await engine.dispose()
    assert len(workers) == 2  # both replicas did part of the work
