"""The ``pulse`` command line: parses arguments and calls the app; no business logic here.

Only typer, rich and the light command modules load at start, so ``pulse --help`` and
``pulse --version`` answer quickly; each command loads what it needs when it runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pulse_mirror.cli import demo, operate, report, sandbox, slack
from pulse_mirror.cli.deferred import tasks
from pulse_mirror.cli.support import ConfigOption, fail, out

app = typer.Typer(
    name="pulse",
    help="Pulse Mirror: mirrored pulse surveys in Slack and Telegram, the perception gap weekly.",
    epilog="Example: pulse check-config --config config.yaml",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Plain help: typer's rich panels print every flag as "--post <bool>", as if it took a value.
    rich_markup_mode=None,
)
db_app = typer.Typer(help="Create or upgrade the database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")


def _version(value: bool) -> None:
    if value:
        # importlib.metadata costs ~60 ms at start; only --version needs it.
        from importlib.metadata import PackageNotFoundError, version

        try:
            number = version("pulse-mirror")
        except PackageNotFoundError:  # running from a source tree that was never installed
            number = "unknown"
        out.print(f"pulse {number}", markup=False, highlight=False)
        raise typer.Exit()


@app.callback()
def _root(
    show_version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Pulse Mirror: mirrored pulse surveys in Slack and Telegram, the perception gap weekly."""


@app.command(
    "check-config",
    epilog="Example: pulse check-config --config config.yaml --online",
)
def check_config(
    path: Annotated[
        Path | None,
        typer.Argument(help="The YAML config to check (the same as --config).", show_default=False),
    ] = None,
    config: ConfigOption = None,
    online: Annotated[
        bool,
        typer.Option(
            "--online",
            help="Also connect: the database, the Slack and Telegram tokens, the report channel"
            " and the webhook URL, one line each.  [default: offline]",
        ),
    ] = False,
) -> None:
    """Validate a config file and print a short summary; exit 2 with one line per problem."""
    if path is not None and config is not None and path != config:
        raise fail(["check-config: give the config once, as an argument or with --config"])
    tasks().checks.check_config(path or config, online=online)


@app.command("questions", epilog="Example: pulse questions --lang de --config config.yaml")
def questions(
    config: ConfigOption = None,
    lang: Annotated[str, typer.Option("--lang", help="en or de.")] = "en",
) -> None:
    """List the question bank: built-in dimensions plus the config's own (if it exists)."""
    tasks().checks.questions(config, lang=lang)


@db_app.command("upgrade", epilog="Example: pulse db upgrade --config config.yaml")
def db_upgrade(config: ConfigOption = None) -> None:
    """Create the schema, or upgrade it to the newest migration (running it again is safe)."""
    tasks().checks.db_upgrade(config)


for _area in (operate, slack, report, sandbox, demo):
    _area.register(app)


def main() -> None:
    """Entry point of the ``pulse`` console script."""
    app()
