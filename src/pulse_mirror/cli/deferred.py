"""The heavy halves of the commands, loaded when a command runs, never for ``pulse --help``.

``operate``, ``report`` and ``main`` declare the commands (typer signatures only); the work
lives in :mod:`pulse_mirror.cli.work`, whose modules import SQLAlchemy and pydantic.
"""

from __future__ import annotations

from types import ModuleType


def tasks() -> ModuleType:
    """The module that holds the commands' work (``checks``, ``operating``, ``reporting``)."""
    # heavy: SQLAlchemy, pydantic and the stores (~0.4 s); `pulse --help` must not load them
    import pulse_mirror.cli.work as work

    return work
