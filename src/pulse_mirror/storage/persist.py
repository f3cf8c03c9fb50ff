"""Storing what a platform call did, while the database may be briefly gone.

Once a message or a post may have gone out, what happened must be written down; giving up at
the first database error would leave it to be sent again. The write is retried a few times
with a growing pause and shielded from cancellation, so a stop during the write still ends it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


async def persist(
    write: Callable[[], Awaitable[object]],
    *,
    attempts: int,
    delay: float,
    sleep: Callable[[float], Awaitable[None]],
) -> None:
    """Run ``write`` until it succeeds, at most ``attempts`` times; the last error is raised."""
    for attempt in range(1, attempts + 1):
        try:
            await asyncio.shield(write())
            return
        except Exception:
            if attempt == attempts:
                raise
            log.warning("outcome not stored yet; trying again", extra={"attempt": attempt})
            await sleep(delay * attempt)
