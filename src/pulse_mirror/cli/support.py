"""What every ``pulse`` command shares: consoles, the config option, clean failures."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from sqlalchemy import exc as sa_exc

from pulse_mirror.config.settings import Config, ConfigError, load_config
from pulse_mirror.logs import mask_tokens

EXIT_USAGE = 2

out = Console()
err = Console(stderr=True)

ConfigOption = Annotated[
    Path | None,
    typer.Option("--config", "-c", help="Config file (default: $PULSE_CONFIG or config.yaml)."),
]


def default_config_path() -> Path:
    """The config file used when ``--config`` is not given."""
    return Path(os.environ.get("PULSE_CONFIG", "config.yaml"))


def brief(error: BaseException) -> str:
    """An error as one short line: a database driver's message without its SQL and links."""
    if isinstance(error, sa_exc.DBAPIError):
        cause = str(error.orig).strip().splitlines() or [type(error.orig).__name__]
        return f"the database cannot be reached or refused the request ({cause[0][:200]})"
    lines = str(error).strip().splitlines()
    return lines[0][:300] if lines else type(error).__name__


def fail(lines: list[str]) -> typer.Exit:
    """Print each line to stderr and return the exit (status 2) for the caller to raise.

    Token-shaped text is masked: a library's error can quote the token it was given.
    """
    for line in lines:
        err.print(mask_tokens(line), markup=False, highlight=False, soft_wrap=True)
    return typer.Exit(EXIT_USAGE)


def load(path: Path | None) -> Config:
    """Load and validate the config, or exit 2 with one line per problem."""
    try:
        return load_config(path or default_config_path())
    except ConfigError as exc:
        raise fail(exc.problems) from None
