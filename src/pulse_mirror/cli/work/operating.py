"""The work behind ``pulse run``, ``status``, ``send-now``, ``pause`` and ``resume``.

``cli/operate.py`` declares the commands and imports this module only when one runs, so
``pulse --help`` never loads SQLAlchemy.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

from rich.table import Table

from pulse_mirror.cli.support import brief, fail, load, out, runtime
from pulse_mirror.config.settings import Config
from pulse_mirror.logs import configure
from pulse_mirror.platforms import StartupError
from pulse_mirror.storage.engine import create_engine
from pulse_mirror.storage.operations import OperationsStore, SideWeek
from pulse_mirror.storage.reports.runs import ReportRunStore
from pulse_mirror.surveys.model import IsoWeek
from pulse_mirror.surveys.records import ReportRunRecord, ReportStatus


def run(config: Path | None) -> None:
    """Run the bot until Ctrl-C / SIGTERM."""
    cfg = load(config, tokens=True)
    configure(secrets=cfg.secrets.values(), log_format=cfg.logging.format)
    try:
        asyncio.run(runtime().run(cfg))
    except StartupError as error:
        raise fail([str(error)]) from None


def status(config: Path | None) -> None:
    """Print this week per side and the next jobs."""
    cfg = load(config)
    try:
        week, summaries, paused, next_due, unposted = asyncio.run(_status(cfg))
    except Exception as error:  # the database cannot be read: one line, exit 2
        raise fail([f"status: {brief(error)}"]) from None
    table = Table(title=f"Pulse Mirror, week {week}" + (" (PAUSED)" if paused else ""))
    for column in ("side", "planned", "sent", "answered", "rate", "failed", "unknown", "pending"):
        table.add_column(column, justify="left" if column == "side" else "right")
    for side in summaries:
        table.add_row(*_row(side, min_respondents=cfg.anonymity.min_respondents))
    out.print(table)
    for line in _next_jobs(cfg, next_due=next_due, paused=paused):
        out.print(line, markup=False, highlight=False)
    for run in unposted:
        detail = f": {run.last_error}" if run.last_error else ""
        state = "NOT POSTED"
        if run.status is ReportStatus.UNKNOWN:
            state = "MAY HAVE BEEN POSTED"
            detail += (
                f" — look in the {run.destination} report chat; if it is not there,"
                f" `pulse report --week {run.week} --post --again` posts it"
            )
        out.print(
            f"report {run.week} to {run.destination} {state} ({run.status.value},"
            f" {run.attempts} attempts){detail}",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )


def _row(side: SideWeek, *, min_respondents: int) -> list[str]:
    """One side's counts; how many answered (and the rate) only from ``min_respondents`` on."""
    if side.answered < min_respondents:
        answered, rate = f"< {min_respondents}", "—"
    else:
        answered = str(side.answered)
        rate = "—" if side.response_rate is None else f"{side.response_rate:.0%}"
    counts = (side.planned, side.sent, answered, rate, side.failed, side.unknown, side.pending)
    return [side.side.value, *(str(value) for value in counts)]


def _next_jobs(cfg: Config, *, next_due: dt.datetime | None, paused: bool) -> list[str]:
    place = ZoneInfo(cfg.organisation.timezone)
    now = dt.datetime.now(place)
    days = (cfg.report.weekday - now.isoweekday()) % 7
    report = dt.datetime.combine(now.date() + dt.timedelta(days=days), cfg.report.time, place)
    if report <= now:
        report += dt.timedelta(days=7)
    lines = [f"next report: {report:%a %Y-%m-%d %H:%M %Z}"]
    if next_due is not None:
        lines.append(f"next message due: {next_due.astimezone(place):%a %Y-%m-%d %H:%M %Z}")
    if paused:
        lines.append("all pulses are paused: run `pulse resume` to continue")
    return lines


async def _status(
    cfg: Config,
) -> tuple[object, list[SideWeek], bool, dt.datetime | None, list[ReportRunRecord]]:
    engine = create_engine(cfg.database_url)
    try:
        store = OperationsStore(engine)
        week = IsoWeek.of(dt.datetime.now(ZoneInfo(cfg.organisation.timezone)).date())
        unposted = await ReportRunStore(engine).unposted_reports(
            since=week.shift(-cfg.report.trend_weeks)
        )
        return (
            week,
            await store.week_summary(week),
            await store.is_paused(),
            await store.next_due(),
            unposted,
        )
    finally:
        await engine.dispose()


def send_now(config: Path | None) -> None:
    """Plan the current week and send its questions now."""
    cfg = load(config, tokens=True)
    try:
        lines = asyncio.run(_send_now(cfg))
    except StartupError as error:
        raise fail([str(error)]) from None
    for line in lines:
        out.print(line, markup=False, highlight=False)


async def _send_now(cfg: Config) -> list[str]:
    app = await runtime().start_app(cfg, schedule=False, serve=False)
    try:
        now = app.jobs.now()
        week = app.jobs.weeks_to_plan(now)[0]
        planned = await app.jobs.plan_week(week, now=now)
        moved = await OperationsStore(app.engine).bring_forward(week, now=now)
        stats = await app.jobs.dispatch()
    finally:
        await app.stop()
    return [
        f"week {week}: {planned.employees} employee and {planned.customers} customer messages"
        f" planned, {moved} questions brought forward",
        f"sent {stats.sent}, failed {stats.failed}, unknown {stats.unknown},"
        f" retrying {stats.retried}, cancelled {stats.cancelled}",
    ]


def set_paused(config: Path | None, *, paused: bool) -> None:
    """Pause or resume every pulse of the organisation."""
    cfg = load(config)
    try:
        asyncio.run(_write_paused(cfg, paused=paused))
    except Exception as error:
        raise fail([f"{'pause' if paused else 'resume'}: {brief(error)}"]) from None


async def _write_paused(cfg: Config, *, paused: bool) -> None:
    engine = create_engine(cfg.database_url)
    try:
        await OperationsStore(engine).set_paused(paused, now=dt.datetime.now(dt.UTC))
    finally:
        await engine.dispose()
