"""The ``pulse`` command line: parses arguments and calls the app; no business logic here."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from pulse_mirror.cli import demo, operate, report, sandbox, slack, telegram
from pulse_mirror.cli.support import ConfigOption, default_config_path, fail, load, out
from pulse_mirror.config.summary import describe
from pulse_mirror.storage.engine import DatabaseUnavailable
from pulse_mirror.surveys.bank import load_bank
from pulse_mirror.surveys.model import Side

app = typer.Typer(
    name="pulse",
    help="Pulse Mirror: mirrored pulse surveys in Slack and Telegram, the perception gap weekly.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Create or upgrade the database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")


@app.command("check-config")
def check_config(path: Annotated[Path, typer.Argument(help="The YAML config to check.")]) -> None:
    """Validate a config file and print a short summary; exit 2 with one line per problem."""
    config = load(path)
    out.print(f"[green]OK[/green] {path}")
    for line in describe(config):
        out.print(f"  {line}", markup=False, highlight=False, soft_wrap=True)


@app.command("questions")
def questions(
    config: ConfigOption = None,
    lang: Annotated[str, typer.Option("--lang", help="en or de.")] = "en",
) -> None:
    """List the question bank: built-in dimensions plus the config's own."""
    if lang not in ("en", "de"):
        raise fail([f"--lang: {lang!r} is not supported; use en or de"])
    custom: list[dict[str, object]] = []
    chosen = config or default_config_path()
    if config is not None or chosen.exists():
        custom = load(chosen).custom_dimensions()
    bank = load_bank(custom=custom)
    table = Table(title="Pulse Mirror question bank", show_lines=True)
    for column in ("dimension", "metric", "scale", "customers (outside)", "employees (inside)"):
        table.add_column(column)
    for dim in bank.dimensions:
        texts = {item.side: item.text_in(lang) for item in bank.items_of(dim.key)}
        table.add_row(
            dim.title_in(lang) + (" (custom)" if dim.custom else ""),
            dim.metric.value,
            str(dim.scale) if dim.scale else "text",
            texts.get(Side.CUSTOMER, "—"),
            texts.get(Side.EMPLOYEE, "—"),
        )
    out.print(table)


@db_app.command("upgrade")
def db_upgrade(config: ConfigOption = None) -> None:
    """Create the schema, or upgrade it to the newest migration."""
    # heavy: alembic adds ~0.3 s to every command; only this one needs it.
    from pulse_mirror.storage.migrate import upgrade

    cfg = load(config)
    try:
        asyncio.run(upgrade(cfg.database_url))
    except DatabaseUnavailable as exc:
        raise fail([str(exc)]) from None
    out.print(f"[green]Database is up to date[/green] ({cfg.database_display})")


for _area in (operate, slack, telegram, report, sandbox, demo):
    _area.register(app)


def main() -> None:
    """Entry point of the ``pulse`` console script."""
    app()
