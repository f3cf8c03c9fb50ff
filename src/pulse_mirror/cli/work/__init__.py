"""The work behind the commands: what ``main``, ``operate`` and ``report`` load when one runs.

Everything here may import SQLAlchemy and pydantic at the top; nothing here is imported for
``pulse --help`` (see :func:`pulse_mirror.cli.deferred.tasks`).
"""

from __future__ import annotations

from pulse_mirror.cli.work import checks, closing, operating, reporting

__all__ = ["checks", "closing", "operating", "reporting"]
