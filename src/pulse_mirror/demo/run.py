"""``pulse demo`` end to end: build the company, start everything, drive the weeks, summarise."""

from __future__ import annotations

import asyncio
import datetime as dt
import gc
import json
import logging
import signal
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from pulse_mirror.demo.clock import VirtualClock
from pulse_mirror.demo.company import build_company
from pulse_mirror.demo.driver import DemoStopped, Driver, Progress
from pulse_mirror.demo.ledger import Ledger
from pulse_mirror.demo.output import Writer
from pulse_mirror.demo.reading import Reader
from pulse_mirror.demo.slack_people import SlackPeople
from pulse_mirror.demo.stage import Settings, Stage, open_stage
from pulse_mirror.demo.telegram_people import TelegramPeople
from pulse_mirror.proxies import without_proxies
from pulse_mirror.runtime.app import settle_heap
from pulse_mirror.storage.tables import delivery, person
from pulse_mirror.surveys.bank import load_bank
from pulse_mirror.surveys.model import IsoWeek, Side
from pulse_mirror.surveys.stats.gaps import Verdict

log = logging.getLogger(__name__)

__all__ = ["DemoOptions", "DemoResult", "DemoStopped", "run_demo", "run_until_ctrl_c"]

FIRST_WEEK = IsoWeek(2026, 10)  # Monday 2 March 2026: both daylight-saving changes follow


@dataclass(frozen=True)
class DemoOptions:
    """What ``pulse demo`` was asked for."""

    weeks: int = 8
    employees: int = 60
    customers: int = 600
    seed: int = 7
    out: Path = Path("demo-output")
    lang: str = "en"
    min_respondents: int = 5
    customer_fraction: float = 0.1
    readme_image: Path | None = None


@dataclass
class DemoResult:
    """What happened, for the summary and for the tests."""

    out: Path
    weeks: list[str]
    ledger: Ledger
    sent: dict[str, int] = field(default_factory=dict)
    answers: dict[str, int] = field(default_factory=dict)
    rates: dict[str, float | None] = field(default_factory=dict)
    biggest_gap: str | None = None
    chart: str | None = None
    # per report week: the confirmed answers' histograms when the report was made
    snapshots: dict[str, dict[tuple[str, Side, str], dict[int, int]]] = field(default_factory=dict)


async def run_demo(
    options: DemoOptions,
    *,
    on_week: Callable[[Progress], None] | None = None,
    stop: asyncio.Event | None = None,
) -> DemoResult:
    """Run the whole demo; the stand-ins and the app are stopped however it ends.

    It talks only to 127.0.0.1, so a proxy set in the environment is not used: slack_sdk
    would send even loopback calls through it (it ignores ``NO_PROXY``).

    Raises:
        DemoStopped: ``stop`` was set before the last week; everything was shut down.
    """
    with without_proxies():
        return await _run_demo(options, on_week=on_week, stop=stop)


async def run_until_ctrl_c(
    options: DemoOptions, *, on_week: Callable[[Progress], None] | None = None
) -> DemoResult:
    """Run the demo; Ctrl-C asks it to stop between two events, then everything shuts down.

    Asked, not cancelled: a cancellation can land inside a library that absorbs it, and the
    demo would then run on to its last week.

    Raises:
        DemoStopped: Ctrl-C was pressed before the last week.
    """
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGINT, stop.set)
    try:
        return await run_demo(options, on_week=on_week, stop=stop)
    finally:
        loop.remove_signal_handler(signal.SIGINT)


async def _run_demo(
    options: DemoOptions,
    *,
    on_week: Callable[[Progress], None] | None = None,
    stop: asyncio.Event | None = None,
) -> DemoResult:
    company = build_company(
        seed=options.seed, employees=options.employees, customers=options.customers,
        weeks=options.weeks, lang=options.lang,
    )  # fmt: skip
    tz = ZoneInfo("Europe/Berlin")
    clock = VirtualClock(dt.datetime.combine(FIRST_WEEK.monday(), dt.time(0), tzinfo=tz))
    out = options.out.resolve()
    settings = Settings(
        out=out, lang=options.lang, min_respondents=options.min_respondents,
        customer_fraction=options.customer_fraction,
    )  # fmt: skip
    stage = await open_stage(company, settings=settings, clock=clock)
    ledger = Ledger()
    writer = Writer(out=out)
    try:
        settle_heap()  # as ``pulse run`` does once started: full collections skip start-up's heap
        reader = Reader(load_bank(custom=stage.config.custom_dimensions()), lang=options.lang)
        common = {"clock": clock, "reader": reader, "story": company.story, "ledger": ledger,
                  "seed": company.seed}  # fmt: skip
        driver = Driver(
            stage=stage, company=company, clock=clock, ledger=ledger, writer=writer,
            slack_people=SlackPeople(sandbox=stage.slack, **common),  # type: ignore[arg-type]
            telegram_people=TelegramPeople(sandbox=stage.telegram, **common),  # type: ignore[arg-type]
            first_week=FIRST_WEEK, weeks=options.weeks, on_week=on_week, stop=stop,
        )  # fmt: skip
        await driver.run()
        await writer.finish()
        result = await _result(stage, writer, ledger, out=out, weeks=driver.reports)
        result.snapshots = driver.snapshots
    finally:
        try:
            await writer.close()  # done already after a whole run; on a stop, never raises
        finally:
            await stage.stop()
            gc.unfreeze()  # the demo may run inside a longer process (the tests)
    if options.readme_image is not None and result.chart is not None:
        writer.copy_chart(result.chart, options.readme_image)
    (out / "summary.json").write_text(json.dumps(summary_json(result), indent=1), "utf-8")
    return result


async def _result(
    stage: Stage, writer: Writer, ledger: Ledger, *, out: Path, weeks: list[IsoWeek]
) -> DemoResult:
    statement = (
        sa.select(person.c.side, sa.func.count())
        .select_from(delivery.join(person, person.c.id == delivery.c.person_id))
        .where(delivery.c.status == "sent")
        .group_by(person.c.side)
    )
    async with stage.app.engine.connect() as connection:
        sent = {str(side): int(n) for side, n in (await connection.execute(statement)).all()}
    answers = {side.value: sum(1 for g in ledger.answers if g.side is side) for side in Side}
    result = DemoResult(out=out, weeks=[str(w) for w in weeks], ledger=ledger, sent=sent,
                        answers=answers)  # fmt: skip
    rates: dict[str, list[float]] = {side.value: [] for side in Side}
    best: tuple[float, str, str] | None = None
    for week, report in writer.reports.items():
        for rate in report.response_rates:
            if rate.rate is not None:
                rates[rate.side.value].append(rate.rate)
        for dim in report.mirrored:
            estimate = dim.gap.estimate
            real = estimate is not None and dim.gap.verdict.value == "real"
            if real and estimate is not None and (best is None or abs(estimate.value) > best[0]):
                best = (abs(estimate.value), week, f"{dim.title} {estimate.value:+.0f} points")
    result.rates = {side: (sum(v) / len(v) if v else None) for side, v in rates.items()}
    if best is not None:
        result.biggest_gap = f"{best[2]} ({best[1]})"
    result.chart = _chart_week(writer)
    return result


def _chart_week(writer: Writer) -> str | None:
    """The README's picture: the latest week whose mirror shows the effort gap, preferably
    beside a dimension whose gap is noise, so the picture tells both."""
    shown: list[str] = []
    for week in sorted(writer.reports, reverse=True):
        gaps = {d.key: d.gap for d in writer.reports[week].mirrored if d.gap.estimate is not None}
        if "effort" not in gaps:
            continue
        if any(gap.verdict is Verdict.NOISE for gap in gaps.values()):
            return week
        shown.append(week)
    if shown:
        return shown[0]
    return max(writer.reports) if writer.reports else None


def summary_json(result: DemoResult) -> dict[str, object]:
    """The summary as JSON: what was sent, answered, the rates and the biggest gap."""
    return {
        "weeks": result.weeks,
        "messages_sent": result.sent,
        "answers": result.answers,
        "mean_response_rate": result.rates,
        "biggest_gap": result.biggest_gap,
        "moves": dict(result.ledger.moves),
        "comments": sum(result.ledger.comments.values()),
        "unconfirmed_clicks": result.ledger.unconfirmed,
    }
