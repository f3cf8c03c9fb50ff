"""What every ``pulse`` command shares: consoles, the config option, clean failures.

This module stays light: ``pulse --help`` and ``pulse --version`` import it, so the config
models (pydantic) and SQLAlchemy load only inside the functions that need them.
"""

from __future__ import annotations

import os
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from pulse_mirror.logs import mask_tokens

if TYPE_CHECKING:
    from pulse_mirror.config.settings import Config

EXIT_USAGE = 2

out = Console()
err = Console(stderr=True)

ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        "-c",
        help="The YAML config file.  [default: $PULSE_CONFIG, else ./config.yaml]",
        show_default=False,
    ),
]


def default_config_path() -> Path:
    """The config file used when ``--config`` is not given."""
    return Path(os.environ.get("PULSE_CONFIG", "config.yaml"))


def brief(error: BaseException) -> str:
    """An error as one short line: a database driver's message without its SQL and links."""
    # SQLAlchemy takes ~0.2 s to import; only a command that met an error pays for it here.
    from sqlalchemy import exc as sa_exc

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


def runtime() -> ModuleType:
    """The composition root, for ``run``, ``send-now`` and ``report --post``."""
    # heavy: the runtime loads Bolt, PTB, APScheduler and matplotlib (~1.5 s)
    from pulse_mirror.runtime import app

    return app


def load(path: Path | None, *, tokens: bool = False) -> Config:
    """Load and validate the config, or exit 2 with one line per problem.

    ``tokens``: also require the secrets of every enabled platform; only commands that talk
    to Slack or Telegram ask for that, so reading the database works without tokens.
    """
    # heavy: pydantic and the config models (~0.2 s); `pulse --help` must not load them
    from pulse_mirror.config.settings import ConfigError, load_config

    try:
        return load_config(path or default_config_path(), tokens=tokens)
    except ConfigError as exc:
        raise fail(exc.problems) from None
