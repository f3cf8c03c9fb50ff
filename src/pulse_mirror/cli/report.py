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
        epilog="Example: pulse report --week 2026-W47 --out reports/ --config config.yaml",
    )(report)
    app.command("export", epilog="Example: pulse export --format json --weeks 26 > pulse.json")(
        export
    )
    app.command("import", epilog="Example: pulse import past-answers.csv --config config.yaml")(
        import_answers
    )


def report(
    week: Annotated[
        str | None,
        typer.Option("--week", help="ISO week, e.g. 2026-W47.  [default: the last full week]"),
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
