"""Benchmark: the weekly report over 1,000,000 stored answers on SQLite and PostgreSQL.

Measures the time to build the report data (SQL aggregation + statistics) as a ratio to one
plain ``SELECT sum(value)`` over the same answers table in the same run (target <= 3x), and
the time to render the three charts. Prints one JSON line last. Run: python benchmarks/report.py
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import platform
import random
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import psycopg
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pulse_mirror.reports.charts import render_all
from pulse_mirror.reports.job import ReportSettings, build_week
from pulse_mirror.storage.engine import create_engine
from pulse_mirror.storage.migrate import upgrade
from pulse_mirror.storage.reports.aggregates import ReportAggregates
from pulse_mirror.surveys.anonymity import Anonymity
from pulse_mirror.surveys.bank import load_bank
from pulse_mirror.surveys.model import IsoWeek
from pulse_mirror.surveys.report.build import WeekReport

ANSWERS = int(os.environ.get("PULSE_BENCH_ANSWERS", "1000000"))
WEEKS = 12
WEEK = IsoWeek(2026, 47)
POSTGRES = os.environ.get(
    "PULSE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REPEAT = 5


def _rows() -> list[tuple[str, str, str, str, int]]:
    bank = load_bank()
    items = [item for item in bank.items if not item.is_text and item.scale is not None]
    weeks = [str(WEEK.shift(-offset)) for offset in range(WEEKS)]
    rng = random.Random(47)
    rows = []
    for index in range(ANSWERS):
        item = items[index % len(items)]
        assert item.scale is not None
        value = rng.randint(item.scale.low, item.scale.high)
        rows.append((uuid.uuid4().hex, item.key, item.side.value, weeks[index % WEEKS], value))
    return rows


def _load_sqlite(path: Path, rows: list[tuple[str, str, str, str, int]]) -> None:
    with sqlite3.connect(path) as connection:
        connection.executemany(
            "INSERT INTO answer (id, item, side, week, value) VALUES (?, ?, ?, ?, ?)", rows
        )
        connection.execute("ANALYZE")


def _load_postgres(url: str, rows: list[tuple[str, str, str, str, int]]) -> None:
    libpq = sa.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(libpq) as connection:
        with (
            connection.cursor() as cursor,
            cursor.copy("COPY answer (id, item, side, week, value) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        connection.commit()
    with psycopg.connect(libpq, autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE answer")


async def _median(run: Callable[[], Awaitable[Any]]) -> float:
    await run()  # warm the caches once
    times = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        await run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


async def _measure(url: str) -> tuple[dict[str, float], WeekReport]:
    engine = create_engine(url)
    bank = load_bank()
    built: list[WeekReport] = []

    async def scan() -> None:
        async with engine.connect() as connection:
            await connection.execute(sa.text("SELECT sum(value) FROM answer"))

    async def report() -> None:
        built.append(
            await build_week(
                ReportAggregates(engine),
                ReportSettings(bank=bank, anonymity=Anonymity(), trend_weeks=WEEKS, language="en"),
                week=WEEK,
                now=dt.datetime.now(dt.UTC),
            )
        )

    try:
        scan_s = await _median(scan)
        report_s = await _median(report)
    finally:
        await engine.dispose()
    figures = {
        "scan_seconds": round(scan_s, 4),
        "report_data_seconds": round(report_s, 4),
        "report_to_scan_ratio": round(report_s / scan_s, 2),
    }
    return figures, built[-1]


async def _postgres_database() -> str | None:
    base = sa.make_url(POSTGRES)
    admin = base.set(drivername="postgresql", database="postgres").render_as_string(
        hide_password=False
    )
    name = f"pulse_bench_{uuid.uuid4().hex[:8]}"
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=3) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error:
        return None
    return base.set(database=name).render_as_string(hide_password=False)


def _drop_postgres(url: str) -> None:
    base = sa.make_url(url)
    admin = base.set(drivername="postgresql", database="postgres").render_as_string(
        hide_password=False
    )
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{base.database}" WITH (FORCE)')


async def main() -> None:
    """Run the benchmark and print its JSON line."""
    rows = _rows()
    figures: dict[str, Any] = {"answers": ANSWERS, "weeks": WEEKS}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.db"
        await upgrade(f"sqlite+aiosqlite:///{path}")
        _load_sqlite(path, rows)
        sqlite_figures, report = await _measure(f"sqlite+aiosqlite:///{path}")
        figures["sqlite"] = sqlite_figures
    postgres = await _postgres_database()
    if postgres is None:
        figures["postgresql"] = "skipped: server not reachable"
    else:
        try:
            await upgrade(postgres)
            _load_postgres(postgres, rows)
            figures["postgresql"], _ = await _measure(postgres)
        finally:
            _drop_postgres(postgres)
    start = time.perf_counter()
    pngs = await asyncio.to_thread(render_all, report)
    figures["charts_render_seconds"] = round(time.perf_counter() - start, 3)
    figures["charts"] = len(pngs)
    machine = {
        "cpu_count": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
    }
    print(json.dumps({"benchmark": "report", "figures": figures, "machine": machine}))


if __name__ == "__main__":
    asyncio.run(main())
