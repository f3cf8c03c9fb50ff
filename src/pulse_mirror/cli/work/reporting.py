"""The work behind ``pulse report``, ``pulse export`` and ``pulse import``.

``cli/report.py`` declares the commands and imports this module only when one runs, so
``pulse --help`` never loads SQLAlchemy or the report code.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

import typer
from sqlalchemy.ext.asyncio import AsyncEngine

from pulse_mirror.cli.progress import Advance, progress
from pulse_mirror.cli.support import brief, err, fail, load, out, runtime
from pulse_mirror.config.settings import Config
from pulse_mirror.reports.job import ReportSettings, build_week, freeze_posted, post_report
from pulse_mirror.storage.engine import create_engine
from pulse_mirror.storage.reports.aggregates import (
    ReportAggregates,
    answer_histograms,
    window_closes,
)
from pulse_mirror.storage.reports.imports import (
    ImportedBefore,
    fingerprint,
    import_file,
    parse_answers_csv,
)
from pulse_mirror.storage.reports.published import published, with_published
from pulse_mirror.storage.reports.runs import ReportRunStore
from pulse_mirror.surveys.bank import BankError, QuestionBank, load_bank
from pulse_mirror.surveys.model import Answer, IsoWeek
from pulse_mirror.surveys.ports import SystemClock
from pulse_mirror.surveys.report.build import HistogramKey, WeekReport
from pulse_mirror.surveys.report.export import export_rows, rows_to_csv, rows_to_json
from pulse_mirror.surveys.report.markdown import markdown
from pulse_mirror.surveys.report.text import side_name
from pulse_mirror.surveys.report.windows import WindowKey, until_text

MAX_WEEKS = 520  # ten years, as export's --weeks


def _bank(cfg: Config) -> QuestionBank:
    """The configured question bank, or exit 2 with its problems."""
    try:
        return load_bank(custom=cfg.custom_dimensions())
    except BankError as exc:
        raise fail(exc.problems) from None


def chosen_week(text: str | None, cfg: Config) -> IsoWeek:
    """``--week``: an ISO week, or ``current`` / ``last`` in the organisation's zone."""
    today = dt.datetime.now(ZoneInfo(cfg.organisation.timezone)).date()
    if text is None or text == "last":
        return IsoWeek.of(today).shift(-1)
    if text == "current":
        return IsoWeek.of(today)
    try:
        return IsoWeek.parse(text)
    except ValueError as exc:
        raise fail([f"--week: {exc} (or: current, last)"]) from None


def report(
    *, week: str | None, out_dir: Path, post: bool, again: bool, config: Path | None
) -> None:
    """Write the week's files; with ``post``, post it too."""
    if again and not post:
        raise fail(["--again only goes with --post"])
    cfg = load(config, tokens=post)
    if week is not None and ".." in week:
        if post:
            raise fail(["--post takes one week, not a range: post each week on its own"])
        first, last = (chosen_week(part, cfg) for part in week.split("..", 1))
        report_weeks(cfg, first=first, last=last, out_dir=out_dir)
        return
    chosen = chosen_week(week, cfg)
    if week is None:
        out.print(f"week {chosen} (the last full week; pick another with --week)", markup=False,
                  highlight=False)  # fmt: skip
    settings = ReportSettings.from_config(cfg, _bank(cfg))
    try:
        written, posted = asyncio.run(
            _report(cfg, settings, week=chosen, out_dir=out_dir, post=post, again=again)
        )
    except Exception as exc:  # a database that cannot be reached, a folder we cannot write
        raise fail([f"report {chosen}: {brief(exc)}"]) from None
    for path in written:
        out.print(f"wrote {path}", markup=False, highlight=False)
    for line in posted:
        out.print(line, markup=False, highlight=False)


def report_weeks(cfg: Config, *, first: IsoWeek, last: IsoWeek, out_dir: Path) -> None:
    """Write every week's files from ``first`` to ``last`` into ``out_dir/<week>/``."""
    weeks = [first]
    while weeks[-1] < last and len(weeks) <= MAX_WEEKS:
        weeks.append(weeks[-1].shift(1))
    if last < first or len(weeks) > MAX_WEEKS:
        raise fail([f"--week: {first}..{last} is not a range of 1 to {MAX_WEEKS} weeks"])
    settings = ReportSettings.from_config(cfg, _bank(cfg))

    async def run(advance: Advance) -> list[str]:
        notes: list[str] = []
        for week in weeks:
            _, lines = await _report(cfg, settings, week=week, out_dir=out_dir / str(week),
                                     post=False)  # fmt: skip
            notes += lines
            advance(description=f"reported {week}")
        return notes

    with progress(f"reporting {len(weeks)} weeks", total=len(weeks)) as advance:
        try:
            notes = asyncio.run(run(advance))
        except Exception as exc:  # as for one week: one line
            raise fail([f"report {first}..{last}: {brief(exc)}"]) from None
    out.print(f"wrote {len(weeks)} weeks, {first} to {last}, into {out_dir}/<week>/ (report.png,"
              " trend.png, nps.png, report.md, report.json)", markup=False, highlight=False,
              soft_wrap=True)  # fmt: skip
    for line in notes:
        out.print(line, markup=False, highlight=False, soft_wrap=True)


async def _report(
    cfg: Config,
    settings: ReportSettings,
    *,
    week: IsoWeek,
    out_dir: Path,
    post: bool,
    again: bool = False,
) -> tuple[list[Path], list[str]]:
    # heavy: matplotlib (about 0.7 s) loads only when charts are drawn, not for `pulse --help`
    from pulse_mirror.reports.charts import render_all

    engine = create_engine(cfg.database_url)
    try:
        now = SystemClock().now()  # before the answers are read
        built = await build_week(ReportAggregates(engine), settings, week=week, now=now)
        pngs = await asyncio.to_thread(render_all, built)
        out_dir.mkdir(parents=True, exist_ok=True)
        written = []
        for name, data in pngs.items():
            (out_dir / name).write_bytes(data)
            written.append(out_dir / name)
        (out_dir / "report.md").write_text(markdown(built), encoding="utf-8")
        (out_dir / "report.json").write_text(
            json.dumps(built.to_json(), ensure_ascii=False, indent=1), encoding="utf-8"
        )
        written += [out_dir / "report.md", out_dir / "report.json"]
        posted = await _post(cfg, built, engine, settings, again=again) if post else []
        return written, _still_open(built) + posted
    finally:
        await engine.dispose()


def _still_open(built: WeekReport) -> list[str]:
    """The line saying the week is still open and until when; none once it has closed."""
    if not built.still_open:
        return []
    sides = ", ".join(
        f"{side_name(w.side, 'en').lower()} until {until_text(w.until)}" for w in built.still_open
    )
    return [f"week {built.week} is still open ({sides}): no figures until its windows close"]


async def _post(
    cfg: Config,
    built: WeekReport,
    engine: AsyncEngine,
    settings: ReportSettings,
    *,
    again: bool = False,
) -> list[str]:
    """Post ``built`` to the configured destinations; one line per destination."""
    runs = ReportRunStore(engine)
    if again:
        for destination in cfg.report.destinations or []:
            await runs.allow_report_again(week=IsoWeek.parse(built.week), destination=destination)
    results = await post_report(
        report=built, runs=runs, posters=runtime().report_posters(cfg), clock=SystemClock()
    )
    await freeze_posted(ReportAggregates(engine), built, results, settings)
    if not results:
        return ["nothing to post to: no report destination with a token and a target"]
    return [f"{r.destination}: {r.outcome}" + (f" ({r.error})" if r.error else "") for r in results]


def export(*, fmt: Literal["csv", "json"], weeks: int, config: Path | None) -> None:
    """Print aggregates per week and item; weeks before the first pulse are left out."""
    cfg = load(config)
    bank, anonymity = _bank(cfg), cfg.anonymity.policy()
    last = IsoWeek.of(dt.date.today())
    span = [last.shift(-offset) for offset in range(weeks - 1, -1, -1)]
    now = SystemClock().now()  # before the answers are read

    async def histograms() -> tuple[
        dict[HistogramKey, dict[int, int]], dict[WindowKey, dt.datetime]
    ]:
        engine = create_engine(cfg.database_url)
        try:
            found = await answer_histograms(engine, first=span[0], last=last)
            kept = await published(engine, first=span[0], last=last)  # posted weeks as posted
            closes = await window_closes(engine, first=span[0], last=last)
            return with_published(found, kept), closes
        finally:
            await engine.dispose()

    try:
        found, closes_at = asyncio.run(histograms())
    except Exception as exc:
        raise fail([f"export: {brief(exc)}"]) from None
    started = sorted({key[0] for key in found} | {key[0] for key in closes_at})
    if not started:
        err.print(f"export: no pulse and no answer in the last {weeks} weeks; nothing to export",
                  markup=False, highlight=False, soft_wrap=True)  # fmt: skip
        return
    if started[0] > span[0]:
        err.print(f"export: from {started[0]}, the first week with a pulse or an answer",
                  markup=False, highlight=False, soft_wrap=True)  # fmt: skip
        span = [w for w in span if w >= started[0]]
    rows = export_rows(
        weeks=span, bank=bank, histograms=found, anonymity=anonymity, closes_at=closes_at, now=now
    )
    typer.echo(rows_to_csv(rows) if fmt == "csv" else rows_to_json(rows), nl=fmt == "json")


def import_answers(*, file: Path, again: bool, config: Path | None) -> None:
    """Import past answers once; refuse a bad file whole, and a file imported before."""
    cfg = load(config)
    bank = _bank(cfg)
    with progress(f"reading {file.name}", total=3) as advance:
        try:
            data = file.read_bytes()
            text = data.decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise fail([f"{file}: cannot read ({exc})"]) from None
        advance(description=f"checking {file.name}")
        parsed = parse_answers_csv(text, bank=bank)
        if parsed.problems:
            raise fail([f"{file}: {line}" for line in parsed.problems] + ["nothing was imported"])
        advance(description=f"storing {len(parsed.answers)} answers")
        count = _store(cfg, file, data=data, answers=parsed.answers, again=again)
        advance(description=f"imported {count} answers")
    out.print(f"imported {count} answers from {file}", markup=False, highlight=False)


def _store(cfg: Config, file: Path, *, data: bytes, answers: Sequence[Answer], again: bool) -> int:
    """Store the checked answers in one transaction, once per file content."""

    async def run() -> int:
        engine = create_engine(cfg.database_url)
        try:
            return await import_file(
                engine, answers, fingerprint=sha, name=str(file),
                now=SystemClock().now(), again=again,
                min_group_size=cfg.anonymity.min_respondents,
            )  # fmt: skip
        finally:
            await engine.dispose()

    sha = fingerprint(data)
    try:
        count = asyncio.run(run())
    except ImportedBefore as before:
        raise fail(
            [
                f"{file}: already imported on {before.imported_at:%Y-%m-%d} (as {before.name},"
                f" sha256 {before.fingerprint}); nothing was imported; --again imports it once more"
            ]
        ) from None
    except Exception as exc:
        raise fail([f"{file}: import failed, nothing was imported ({brief(exc)})"]) from None
    return count
