"""``pulse report``, ``pulse export`` and ``pulse import``: the weekly report and its data."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

from pulse_mirror.cli.deferred import tasks
from pulse_mirror.cli.support import ConfigOption


def register(app: typer.Typer) -> None:
    """Add this area's commands to ``app``."""
    app.command(
        "report",
        epilog="Example: pulse report --week 2026-W47 --out reports/ --config config.yaml"
        " (or --week 2026-W01..2026-W47: one folder per week)",
    )(report)
    app.command("export", epilog="Example: pulse export --format json --weeks 26 > pulse.json")(
        export
    )
    app.command("import", epilog="Example: pulse import past-answers.csv --config config.yaml")(
        import_answers
    )
    app.command(
        "close-window",
        epilog="Example: pulse close-window --week current --yes --config config.yaml",
    )(close_window)


def report(
    week: Annotated[
        str | None,
        typer.Option(
            "--week",
            help="ISO week, e.g. 2026-W47, or current or last; a range 2026-W40..2026-W47"
            " writes each week into --out/<week>/.  [default: last, the last full week]",
        ),
    ] = None,
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the files.")] = Path("."),
    post: Annotated[
        bool, typer.Option("--post", help="Also post it (once per week); needs the tokens.")
    ] = False,
    again: Annotated[
        bool,
        typer.Option(
            "--again",
            help="With --post: post where the last try may have gone out (check there first).",
        ),
    ] = False,
    config: ConfigOption = None,
) -> None:
    """Write report.png, trend.png, nps.png, report.md and report.json for a week.

    Without --post it reads the database only: no Slack or Telegram token is needed.
    """
    tasks().reporting.report(week=week, out_dir=out_dir, post=post, again=again, config=config)


def export(
    fmt: Annotated[Literal["csv", "json"], typer.Option("--format", help="csv or json.")] = "csv",
    weeks: Annotated[int, typer.Option("--weeks", min=1, max=520, help="Weeks back.")] = 12,
    config: ConfigOption = None,
) -> None:
    """Print aggregates per week and item (never answers; the threshold applies).

    Weeks before the first pulse or answer are left out, with a note on stderr.
    """
    tasks().reporting.export(fmt=fmt, weeks=weeks, config=config)


def import_answers(
    file: Annotated[Path, typer.Argument(help="CSV: week, side, item, value[, group].")],
    again: Annotated[
        bool,
        typer.Option(
            "--again",
            help="Import a file that was imported before (its answers would count twice).",
        ),
    ] = False,
    config: ConfigOption = None,
) -> None:
    """Import past answers; a file with any bad row is refused whole, nothing imported.

    A file is imported once: its sha256 is recorded, and the same content again is refused
    (naming the day it was first imported), because its answers would count twice in every
    report. Use --again only for a file you mean to add a second time.
    """
    tasks().reporting.import_answers(file=file, again=again, config=config)


def close_window(
    week: Annotated[
        str, typer.Option("--week", help="ISO week, e.g. 2026-W47, or current or last.")
    ],
    yes: Annotated[
        bool, typer.Option("--yes", help="Do not ask; needed when not run on a terminal.")
    ] = False,
    config: ConfigOption = None,
) -> None:
    """End a week's answering now, so that its report can be posted before the planned close.

    Nobody can answer that week afterwards, and its figures are final: the same in every
    report and export from then on. There is no report "so far" of an open week, because two
    such figures taken at different times could be subtracted to tell one person's answer.
    Then: pulse report --week <the week> --post.
    """
    tasks().closing.close_window(week=week, yes=yes, config=config)
