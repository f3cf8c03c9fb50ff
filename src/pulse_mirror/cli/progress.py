"""The progress of a long command: a bar on a terminal, silence in a pipe, a log file or CI.

One style for every command (``demo``, ``import``, ``report`` over several weeks): the step's
description, a bar and "done/total". Off a terminal, or with ``CI`` set, nothing is drawn and
the command's own one-line summary is all that is printed, so logs stay readable.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

from rich.console import Console

from pulse_mirror.cli.support import out

_CI_OFF = ("", "0", "false", "no")


class Advance(Protocol):
    """Move the bar on by ``steps`` and, if given, show ``description``."""

    def __call__(self, steps: int = 1, *, description: str | None = None) -> None:
        """Advance the bar."""
        ...


def drawn(console: Console = out) -> bool:
    """Whether a bar is drawn: on a terminal, and not in CI (``CI=true``, as CI services set)."""
    return console.is_terminal and os.environ.get("CI", "").strip().lower() in _CI_OFF


def _quiet(steps: int = 1, *, description: str | None = None) -> None:
    return None


@contextmanager
def progress(description: str, *, total: int | None, console: Console = out) -> Iterator[Advance]:
    """A bar of ``total`` steps (None: not known, the bar pulses) while the block runs."""
    if not drawn(console):
        yield _quiet
        return
    # rich.progress costs ~40 ms to import; only a command that draws a bar loads it
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=console, transient=False) as bar:
        task = bar.add_task(description, total=total)

        def advance(steps: int = 1, *, description: str | None = None) -> None:
            if description is None:
                bar.update(task, advance=steps)
            else:
                bar.update(task, advance=steps, description=description)

        yield advance
