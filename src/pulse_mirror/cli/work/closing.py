"""The work behind ``pulse close-window``: end a week's answering now, so it can be reported.

Why closing, and not a report of an open week with the figures so far: any two figures of
the same group taken at different times can be subtracted. A "so far" post on Wednesday
(n = 5, mean 4.0) and the weekly post on Monday (n = 6, mean 4.17) tell that the sixth
person answered 5, however high the threshold, and a preview cannot know who answers after
it. Closing the window makes the figures final first: the ballots that linked people to
answers are deleted, nobody can answer that week any more, and the week has one report, the
same wherever and whenever it is read. The cost is that people not asked yet (or who had not
answered) miss that week; the command names the windows it ends and asks before it does.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import sys
from pathlib import Path

import typer

from pulse_mirror.cli.support import brief, fail, load, out
from pulse_mirror.cli.work.reporting import chosen_week
from pulse_mirror.config.settings import Config
from pulse_mirror.storage.answers.ending import EndedWindow, end_week_windows
from pulse_mirror.storage.engine import create_engine
from pulse_mirror.storage.reports.aggregates import window_closes
from pulse_mirror.surveys.model import IsoWeek, Side
from pulse_mirror.surveys.ports import SystemClock
from pulse_mirror.surveys.report.text import side_name
from pulse_mirror.surveys.report.windows import until_text


def close_window(*, week: str, yes: bool, config: Path | None) -> None:
    """End ``week``'s open answer windows now, after a confirmation (or ``--yes``)."""
    cfg = load(config)
    chosen = chosen_week(week, cfg)
    try:
        still_open = asyncio.run(_open_windows(cfg, chosen))
    except Exception as exc:
        raise fail([f"close-window {chosen}: {brief(exc)}"]) from None
    if not still_open:
        out.print(f"week {chosen}: no answer window is open; nothing to close", markup=False,
                  highlight=False)  # fmt: skip
        return
    sides = ", ".join(f"{side_name(side, 'en').lower()} until {until_text(until)}"
                      for side, until in still_open)  # fmt: skip
    if not yes:
        if not sys.stdin.isatty():
            raise fail([f"close-window {chosen}: open ({sides}); closing cannot be undone:"
                        " add --yes to close it"])  # fmt: skip
        typer.confirm(
            f"Week {chosen} is open ({sides}). Close it now? Nobody can answer it afterwards",
            abort=True,
        )
    try:
        ended = asyncio.run(_end(cfg, chosen))
    except Exception as exc:
        raise fail([f"close-window {chosen}: {brief(exc)}"]) from None
    for line in _closed_lines(chosen, ended):
        out.print(line, markup=False, highlight=False, soft_wrap=True)


async def _open_windows(cfg: Config, week: IsoWeek) -> list[tuple[Side, dt.datetime]]:
    engine = create_engine(cfg.database_url)
    try:
        closes = await window_closes(engine, first=week, last=week)
    finally:
        await engine.dispose()
    now = SystemClock().now()
    return sorted(((key[1], until) for key, until in closes.items() if until > now),
                  key=lambda found: found[0].value)  # fmt: skip


async def _end(cfg: Config, week: IsoWeek) -> list[EndedWindow]:
    engine = create_engine(cfg.database_url)
    try:
        return await end_week_windows(engine, week=week, now=SystemClock().now())
    finally:
        await engine.dispose()


def _closed_lines(week: IsoWeek, ended: list[EndedWindow]) -> list[str]:
    if not ended:
        return [f"week {week}: no answer window was open; nothing closed"]
    lines = [
        f"closed week {week} {side_name(w.side, 'en').lower()}"
        f" (was open until {until_text(w.planned_close)})"
        for w in ended
    ]
    lines.append(
        f"its figures are final; pulse report --week {week} --post posts them"
        " (once per destination: the weekly report of this week is then skipped)"
    )
    return lines
