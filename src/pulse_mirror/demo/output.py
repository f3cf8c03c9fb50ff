"""The demo's files: each week's report and charts, and the posts as they reached the stand-ins."""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import shutil
import signal
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pulse_mirror.reports.chart_style import render_png
from pulse_mirror.reports.charts import mirror_figure
from pulse_mirror.reports.charts_trend import nps_figure, trend_figure
from pulse_mirror.reports.job import ReportSettings, build_week
from pulse_mirror.storage.reports.aggregates import ReportAggregates
from pulse_mirror.surveys.bank import load_bank
from pulse_mirror.surveys.model import IsoWeek
from pulse_mirror.surveys.report.build import WeekReport
from pulse_mirror.surveys.report.markdown import markdown

if TYPE_CHECKING:
    from pulse_mirror.demo.stage import Stage

CHARTS: tuple[str, ...] = ("report.png", "trend.png", "nps.png")


def render_charts(report: WeekReport, names: tuple[str, ...] = CHARTS) -> dict[str, bytes]:
    """The charts ``names`` of ``report`` as PNG bytes (runs in a worker process)."""
    draw = {"report.png": mirror_figure, "trend.png": trend_figure, "nps.png": nps_figure}
    return {name: render_png(draw[name](report)) for name in names}


def _ignore_ctrl_c() -> None:
    """In the chart worker: Ctrl-C reaches the whole process group, and the demo itself
    stops the worker; dying on it would break the pool under the demo's clean stop. The
    worker starts with SIGINT blocked (see ``chart_pool``), so it cannot die before this."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def chart_pool() -> ProcessPoolExecutor:
    """One worker process for charts, started now with Ctrl-C blocked until it ignores it."""
    pool = ProcessPoolExecutor(
        1, mp_context=multiprocessing.get_context("spawn"), initializer=_ignore_ctrl_c
    )
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        pool.submit(int)  # starts the worker here, so it inherits the blocked SIGINT
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
    return pool


@dataclass
class Writer:
    """Writes ``<out>/<week>/``; charts are drawn in a second process while the demo runs.

    The mirror chart the bot posted to Slack is the week's ``report.png`` (the same report,
    drawn by the same code); it is drawn here only when no post reached the stand-in.
    """

    out: Path
    pool: ProcessPoolExecutor | None = None
    pending: list[asyncio.Future[None]] = field(default_factory=list)
    reports: dict[str, WeekReport] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.pool is None:
            self.pool = chart_pool()

    async def week(self, stage: Stage, week: IsoWeek) -> Path:
        """Write ``week``'s report files and what the report posts looked like on arrival."""
        config = stage.config
        settings = ReportSettings.from_config(config, load_bank(custom=config.custom_dimensions()))
        source = ReportAggregates(stage.app.engine)
        report = await build_week(source, settings, week=week, now=stage.app.jobs.now())
        folder = self.out / str(week)
        folder.mkdir(parents=True, exist_ok=True)
        self.reports[str(week)] = report
        (folder / "report.md").write_text(markdown(report), encoding="utf-8")
        (folder / "report.json").write_text(
            json.dumps(report.to_json(), ensure_ascii=False, indent=1), encoding="utf-8"
        )
        posted = self._posts(stage, week, folder / "posted")
        names = CHARTS
        if posted is not None:
            (folder / "report.png").write_bytes(posted)
            names = tuple(name for name in CHARTS if name != "report.png")
        assert self.pool is not None
        charts = asyncio.wrap_future(self.pool.submit(render_charts, report, names))
        self.pending.append(asyncio.ensure_future(_save(charts, folder)))
        return folder

    def _posts(self, stage: Stage, week: IsoWeek, folder: Path) -> bytes | None:
        """Write what the week's posts looked like; return the chart posted to Slack."""
        folder.mkdir(parents=True, exist_ok=True)
        workspace = stage.slack.workspace
        name = f"pulse-mirror-{week}.png"
        chart: bytes | None = None
        for upload in workspace.files.values():
            if upload.filename == name and upload.data is not None:
                chart = upload.data
                (folder / "slack-chart.png").write_bytes(chart)
        history = stage.slack.history(stage.channel_id)["messages"]
        posts = [m for m in history if m.get("blocks")]
        if posts:
            summary = posts[-1]
            (folder / "slack-summary.json").write_text(
                json.dumps(summary, ensure_ascii=False, indent=1), encoding="utf-8"
            )
            (folder / "slack-summary.txt").write_text(_slack_text(summary), encoding="utf-8")
        runtime = stage.telegram.runtime
        photos = [m for m in runtime.state.received(stage.report_chat) if m.photo]
        if photos:
            photo = photos[-1]
            (folder / "telegram-caption.txt").write_text(photo.caption or "", encoding="utf-8")
            stored = (
                runtime.state.files.get(str(photo.photo[-1]["file_id"])) if photo.photo else None
            )
            if stored is not None:
                (folder / "telegram-photo.png").write_bytes(stored.data)
        return chart

    async def finish(self) -> None:
        """Wait for every chart, then stop the worker process."""
        try:
            await asyncio.gather(*self.pending)
        finally:
            if self.pool is not None:
                self.pool.shutdown(wait=True, cancel_futures=True)

    async def close(self) -> None:
        """Stop the worker without waiting for charts still being drawn (the demo is stopping,
        e.g. on Ctrl-C, which may have reached the worker too): never raises."""
        for pending in self.pending:
            pending.cancel()
        await asyncio.gather(*self.pending, return_exceptions=True)
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)

    def copy_chart(self, week: str, target: Path) -> None:
        """Copy one week's mirror chart (e.g. into the docs)."""
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self.out / week / "report.png", target)


async def _save(charts: asyncio.Future[dict[str, bytes]] | Future[Any], folder: Path) -> None:
    drawn = await charts  # type: ignore[misc]
    for name, data in drawn.items():
        (folder / name).write_bytes(data)


def _slack_text(message: dict[str, Any]) -> str:
    lines: list[str] = []
    for block in message.get("blocks") or []:
        if isinstance(block.get("text"), dict):
            lines.append(str(block["text"].get("text", "")))
        for element in block.get("elements") or []:
            if isinstance(element, dict) and "text" in element:
                lines.append(str(element["text"]))
    return "\n\n".join(lines) + "\n"
