"""Benchmark: planning a week and the weekly report at size, on SQLite and PostgreSQL.

Planning: 50,000 employees in 20 time zones and 1,000,000 opted-in customers (a tenth sampled,
nobody asked twice within 28 days; some asked recently, some paused). The plan runs in a
child process so its peak RSS is the planner's alone (targets: < 60 s, < 500 MB), then runs
again as the 15-minute job does (target < 2 s). Report: the weekly report data over
10,000,000 answers as a ratio to one ``SELECT sum(value)`` over the same table (target <= 3).
Figures are the worst of the two databases. People and answers are generated inside the
database (a recursive CTE on SQLite, ``generate_series`` on PostgreSQL) with the secondary
indexes built after the load, so seeding takes a minute, not an hour.

Run: python benchmarks/scale_planning.py [--size small]; prints one JSON line last.
``measure(size)`` returns the same figures for ``benchmarks/scale.py``.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from pulse_mirror.reports.job import ReportSettings, build_week
from pulse_mirror.runtime.jobs import Jobs, PlanSettings
from pulse_mirror.storage.engine import create_engine
from pulse_mirror.storage.locks import SoleProcess
from pulse_mirror.storage.migrate import upgrade
from pulse_mirror.storage.operations import OperationsStore
from pulse_mirror.storage.reports.aggregates import ReportAggregates
from pulse_mirror.storage.repository import SqlRepository
from pulse_mirror.surveys.anonymity import Anonymity
from pulse_mirror.surveys.bank import load_bank
from pulse_mirror.surveys.model import IsoWeek
from pulse_mirror.surveys.planning.weekly import CustomerRules, EmployeeRules

POSTGRES = os.environ.get(
    "PULSE_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
WEEK = IsoWeek(2026, 10)
NOW = dt.datetime(2026, 3, 2, 0, 30, tzinfo=dt.UTC)  # Monday 01:30 in Berlin, before any slot
REPORT_WEEKS = 12
REPEAT = 3
ZONES = (
    "Pacific/Auckland", "Australia/Sydney", "Asia/Tokyo", "Asia/Shanghai", "Asia/Kolkata",
    "Asia/Dubai", "Europe/Moscow", "Europe/Istanbul", "Europe/Berlin", "Europe/London",
    "Atlantic/Azores", "America/Sao_Paulo", "America/Halifax", "America/New_York",
    "America/Chicago", "America/Denver", "America/Los_Angeles", "America/Anchorage",
    "Pacific/Honolulu", "Africa/Lagos",
)  # fmt: skip
SETTINGS = PlanSettings(
    employees=EmployeeRules(
        weekdays=(2,), send_time=dt.time(10), answer_window_days=5, reminders=2,
        default_tz="Europe/Berlin",
    ),
    customers=CustomerRules(
        min_days_between=28, answer_window_days=7, sample_fraction=0.1,
        default_tz="Europe/Berlin",
    ),
    employee_questions=3,
    customer_questions=2,
    organisation_tz="Europe/Berlin",
)  # fmt: skip


@dataclass(frozen=True)
class Size:
    """How many people and answers one run seeds."""

    employees: int
    customers: int
    answers: int


SIZES = {
    "full": Size(employees=50_000, customers=1_000_000, answers=10_000_000),
    "small": Size(employees=5_000, customers=100_000, answers=1_000_000),
}


class _Clock:
    """A clock stopped at ``NOW``: the plan sees the same week on every run."""

    def now(self) -> dt.datetime:
        return NOW

    async def sleep(self, seconds: float) -> None:
        """Planning never waits."""


def _people_sql(dialect: str, *, side: str, count: int, offset: int) -> str:
    """One INSERT ... SELECT that generates ``count`` people of ``side`` in the database.

    Customers: a quarter asked 10 days ago (not eligible), a quarter 40 days ago, the rest
    never; one in 50 paused (half of them until a time already past); all consented.
    """
    platform_, prefix = ("slack", "'U'") if side == "employee" else ("telegram", "'T'")
    if dialect == "sqlite":
        zone = "(SELECT z FROM zones WHERE k = i % 20)"
        stamp = "strftime('%Y-%m-%d %H:%M:%f000', '2026-03-02 00:30:00', {})"
        source = (
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {count}),"
            " zones(k, z) AS (VALUES {zones}) "
        ).format(
            count=count,
            zones=", ".join(f"({k}, '{z}')" for k, z in enumerate(ZONES)),
        )
        text = "CAST(i + {offset} AS TEXT)"
        tail = "FROM n"
    else:
        zone = "(ARRAY[{}])[1 + i % 20]".format(", ".join(f"'{z}'" for z in ZONES))
        stamp = "(TIMESTAMPTZ '2026-03-02 00:30:00+00' + INTERVAL {})"
        source = ""
        text = "(i + {offset})::text"
        tail = f"FROM generate_series(1, {count}) AS i"
    shifts = {
        "10": "-10 days",
        "40": "-40 days",
        "1": "-1 days",
        "in3": "3 days",
        "400": "-400 days",
    }
    before = {key: stamp.format(f"'{shift}'") for key, shift in shifts.items()}
    customer = side == "customer"
    asked = (
        f"CASE i % 4 WHEN 0 THEN {before['10']} WHEN 1 THEN {before['40']} ELSE NULL END"
        if customer
        else "NULL"
    )
    status = "CASE WHEN i % 50 = 0 THEN 'paused' ELSE 'active' END"
    until = f"CASE WHEN i % 100 = 0 THEN {before['1']} WHEN i % 50 = 0 THEN {before['in3']} END"
    consent = before["400"] if customer else "NULL"
    return (
        f"{source}INSERT INTO person (side, platform, platform_user_id, language, time_zone,"
        ' "group", status, paused_until, consent_at, last_asked_at, created_at)'
        f" SELECT '{side}', '{platform_}', {prefix} || {text.format(offset=offset)}, 'en',"
        f" {zone}, NULL, {status}, {until}, {consent}, {asked}, {before['400']} {tail}"
    )


def _answers_sql(dialect: str, *, count: int) -> list[str]:
    """Statements that generate ``count`` answers over 12 weeks and every rated item."""
    bank = load_bank()
    items = [item for item in bank.items if not item.is_text and item.scale is not None]
    rows = []
    for k, item in enumerate(items):
        assert item.scale is not None
        span = item.scale.high - item.scale.low + 1
        rows.append(f"({k}, '{item.key}', '{item.side.value}', {item.scale.low}, {span})")
    weeks = ", ".join(f"({k}, '{WEEK.shift(-k)}')" for k in range(REPORT_WEEKS))
    join = (
        f" JOIN items ON items.k = i % {len(items)}"
        f" JOIN weeks ON weeks.k = (i / 7) % {REPORT_WEEKS}"
    )
    if dialect == "sqlite":  # keyed lookup tables: a CTE would be scanned once per answer
        numbers = f"n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {count - 1})"
        return [
            "CREATE TEMP TABLE items (k INTEGER PRIMARY KEY, item, side, low, span)",
            f"INSERT INTO items VALUES {', '.join(rows)}",
            "CREATE TEMP TABLE weeks (k INTEGER PRIMARY KEY, week)",
            f"INSERT INTO weeks VALUES {weeks}",
            f"WITH RECURSIVE {numbers} INSERT INTO answer (id, item, side, week, value)"
            " SELECT printf('%032x', i), items.item, items.side, weeks.week,"
            f" low + abs(random()) % span FROM n{join}",
        ]
    return [
        f"WITH items(k, item, side, low, span) AS (VALUES {', '.join(rows)}),"
        f" weeks(k, week) AS (VALUES {weeks})"
        " INSERT INTO answer (id, item, side, week, value)"
        " SELECT lpad(to_hex(i), 32, '0'), items.item, items.side, weeks.week,"
        f" low + floor(random() * span)::int FROM generate_series(0, {count - 1}) AS i{join}"
    ]


def _seed_sqlite(path: Path, statements: list[str], *, table: str | None = None) -> None:
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA cache_size = -200000")
        # A bulk load that is thrown away on failure needs no journal; WAL returns afterwards.
        connection.execute("PRAGMA journal_mode = OFF")
        connection.execute("PRAGMA synchronous = OFF")
        indexes = []
        if table is not None:  # build the secondary indexes once, after the load
            indexes = connection.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ?"
                " AND sql IS NOT NULL",
                (table,),
            ).fetchall()
            for name, _ in indexes:
                connection.execute(f'DROP INDEX "{name}"')
        for statement in statements:
            connection.execute(statement)
        for _, sql in indexes:
            connection.execute(sql)
        connection.commit()
        connection.execute("ANALYZE")
        connection.execute("PRAGMA journal_mode = WAL")


def _libpq(url: str) -> str:
    return sa.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _seed_postgres(url: str, statements: list[str], *, table: str | None = None) -> None:
    with psycopg.connect(_libpq(url)) as connection:
        indexes: list[tuple[str, str]] = []
        if table is not None:  # build the secondary indexes once, after the load
            found = connection.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s"
                " AND indexname LIKE 'ix\\_%%'",  # not the ones behind a constraint
                (table,),
            ).fetchall()
            indexes = [(str(name), str(sql)) for name, sql in found]
            for name, _ in indexes:
                connection.execute(f'DROP INDEX "{name}"')
        for statement in statements:
            connection.execute(statement)
        for _, sql in indexes:
            connection.execute(sql)
        connection.commit()
    with psycopg.connect(_libpq(url), autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")


async def _plan(url: str) -> dict[str, Any]:
    """Plan the week once and once more, in this process; seconds, peak RSS, messages."""
    engine = create_engine(url)
    try:
        jobs = Jobs(
            repository=SqlRepository(engine),
            operations=OperationsStore(engine),
            bank=load_bank(),
            settings=SETTINGS,
            clock=_Clock(),
            leader=SoleProcess(),
        )
        before = _peak_rss_mb()
        start = time.perf_counter()
        first = await jobs.plan_week(WEEK, now=NOW)
        plan_s = time.perf_counter() - start
        peak = _peak_rss_mb()
        start = time.perf_counter()
        again = await jobs.plan_week(WEEK, now=NOW)
        rerun_s = time.perf_counter() - start
    finally:
        await engine.dispose()
    return {
        "plan_seconds": round(plan_s, 2),
        "plan_rss_mb": round(peak, 1),
        "rss_before_plan_mb": round(before, 1),
        "plan_rerun_seconds": round(rerun_s, 3),
        "employees_asked": first.employees_asked,
        "customers_asked": first.customers_asked,
        "messages": first.employees + first.customers,
        "rerun_messages": again.employees + again.customers,
    }


def _peak_rss_mb() -> float:
    """This process's peak resident memory (``VmHWM``: unlike ``ru_maxrss``, not inherited)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _plan_in_child(url: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--plan", url], check=True, capture_output=True, text=True
    )
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


async def _report_ratio(url: str) -> dict[str, float]:
    engine = create_engine(url)
    bank = load_bank()
    settings = ReportSettings(
        bank=bank, anonymity=Anonymity(), trend_weeks=REPORT_WEEKS, language="en"
    )

    async def scan() -> None:
        async with engine.connect() as connection:
            await connection.execute(sa.text("SELECT sum(value) FROM answer"))

    async def report() -> None:
        await build_week(ReportAggregates(engine), settings, week=WEEK, now=NOW)

    try:
        scan_s = await _median(scan)
        report_s = await _median(report)
    finally:
        await engine.dispose()
    return {
        "scan_seconds": round(scan_s, 3),
        "report_seconds": round(report_s, 3),
        "ratio": round(report_s / scan_s, 2),
    }


async def _median(run: Any) -> float:
    await run()  # warm the caches once
    times = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        await run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _one_database(url: str, dialect: str, size: Size, seed: Any) -> dict[str, Any]:
    asyncio.run(upgrade(url))
    start = time.perf_counter()
    seed(
        [
            _people_sql(dialect, side="employee", count=size.employees, offset=0),
            _people_sql(dialect, side="customer", count=size.customers, offset=0),
        ],
        table="person",
    )
    seeded_people = time.perf_counter() - start
    figures = _plan_in_child(url)
    start = time.perf_counter()
    seed(_answers_sql(dialect, count=size.answers), table="answer")
    figures["seed_people_seconds"] = round(seeded_people, 1)
    figures["seed_answers_seconds"] = round(time.perf_counter() - start, 1)
    figures["report"] = asyncio.run(_report_ratio(url))
    return figures


def _admin(action: str, name: str) -> None:
    base = sa.make_url(POSTGRES)
    admin = _libpq(base.set(database="postgres").render_as_string(hide_password=False))
    with psycopg.connect(admin, autocommit=True, connect_timeout=3) as connection:
        if action == "create":
            connection.execute(f'CREATE DATABASE "{name}"')
        else:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def measure(size: str = "full") -> dict[str, object]:
    """Seed, plan, re-plan and report at ``size`` ("full" or "small") on both databases."""
    chosen = SIZES[size]
    per_database: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "scale.db"
        seed = lambda statements, table: _seed_sqlite(path, statements, table=table)  # noqa: E731
        per_database["sqlite"] = _one_database(
            f"sqlite+aiosqlite:///{path}", "sqlite", chosen, seed
        )
    name = f"pulse_scale_{uuid.uuid4().hex[:8]}"
    _admin("create", name)
    try:
        url = sa.make_url(POSTGRES).set(database=name).render_as_string(hide_password=False)
        seed = lambda statements, table: _seed_postgres(url, statements, table=table)  # noqa: E731
        per_database["postgresql"] = _one_database(url, "postgresql", chosen, seed)
    finally:
        _admin("drop", name)
    runs = list(per_database.values())
    return {
        "size": size,
        "employees": chosen.employees,
        "customers": chosen.customers,
        "answers": chosen.answers,
        "time_zones": len(ZONES),
        "plan_seconds": max(run["plan_seconds"] for run in runs),
        "plan_rss_mb": max(run["plan_rss_mb"] for run in runs),
        "plan_rerun_seconds": max(run["plan_rerun_seconds"] for run in runs),
        "report_ratio_to_scan": max(run["report"]["ratio"] for run in runs),
        "databases": per_database,
    }


def machine() -> dict[str, object]:
    """The machine the figures were measured on, with its load."""
    return {
        "cpu_count": os.cpu_count(),
        "load_average": [round(load, 2) for load in os.getloadavg()],
        "platform": platform.platform(),
        "python": platform.python_version(),
    }


def main() -> None:
    """Run the benchmark (or, with ``--plan URL``, only the planning child) and print JSON."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", choices=sorted(SIZES), default="full")
    parser.add_argument("--plan", metavar="URL")
    arguments = parser.parse_args()
    if arguments.plan:
        print(json.dumps(asyncio.run(_plan(arguments.plan))))
        return
    load_before = machine()["load_average"]
    figures = measure(arguments.size)
    line = {"benchmark": "scale_planning", "figures": figures, "machine": machine()}
    line["machine"]["load_average_before"] = load_before  # type: ignore[index]
    print(json.dumps(line))


if __name__ == "__main__":
    main()
