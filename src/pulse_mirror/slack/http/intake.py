"""Button clicks over HTTP: verified and acknowledged at once, then handled a few at a time.

Slack only needs an empty 200 for a button click. Under a burst, running every click through
Bolt before that 200 puts the ack behind all the clicks before it; here a ``block_actions``
request the gate admitted (verified and well-formed) is answered right away and queued, and a
fixed number of workers run the queued requests through Bolt, which calls the listeners.
Every other request (modal submissions, events, URL checks) goes through Bolt at once.
A full queue turns the intake off for the overflow: those clicks are handled before the ack.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest

from pulse_mirror.slack.http.gate import Admitted

log = logging.getLogger(__name__)

DEFAULT_WORKERS = 64
DEFAULT_BACKLOG = 50_000


class ClickIntake:
    """A queue of acknowledged clicks and the workers that hand them to Bolt."""

    def __init__(
        self,
        *,
        app: AsyncApp,
        workers: int = DEFAULT_WORKERS,
        backlog: int = DEFAULT_BACKLOG,
    ) -> None:
        """An intake for ``app``; ``backlog`` clicks may wait for ``workers`` workers."""
        self._app = app
        self._workers = workers
        self._queue: asyncio.Queue[AsyncBoltRequest] = asyncio.Queue(maxsize=backlog)
        self._tasks: list[asyncio.Task[None]] = []
        self._closing = False
        self._busy = 0  # clicks taken from the queue and not finished

    def accept(self, request: Admitted) -> bool:
        """Queue an admitted button click; False when it must go through Bolt now instead."""
        if self._closing:  # stopping: a click is handled before its ack, never queued and lost
            return False
        if request.kind != "block_actions":
            return False
        try:
            self._queue.put_nowait(request.bolt)
        except asyncio.QueueFull:
            log.warning("click backlog full; handling a click before its ack")
            return False
        self._start_workers()
        return True

    async def drain(self) -> None:
        """Wait until every queued click was handled."""
        await self._queue.join()

    async def stop(self, *, grace: float = 30.0) -> None:
        """Handle every queued click (up to ``grace`` seconds), then stop the workers.

        From now on a click is handled before its ack. Clicks still not handled after the
        grace (the database gone for that long) are logged with their number: Slack had its
        ack, so their people see no confirmation and can click again.
        """
        self._closing = True
        if self._tasks:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._queue.join(), timeout=grace)
        dropped = self._queue.qsize() + self._busy
        if dropped:
            log.error("stopped with acknowledged clicks not handled", extra={"clicks": dropped})
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []

    @property
    def waiting(self) -> int:
        """How many acknowledged clicks wait for a worker."""
        return self._queue.qsize()

    def _start_workers(self) -> None:
        if not self._tasks:
            self._tasks = [
                asyncio.create_task(self._work(), name=f"slack-click-{n}")
                for n in range(self._workers)
            ]

    async def _work(self) -> None:
        while True:
            request = await self._queue.get()
            self._busy += 1
            try:
                response = await self._app.async_dispatch(request)
                if response.status != 200:
                    log.warning("a queued click was refused", extra={"status": response.status})
            except Exception as error:  # one line: a traceback could hold the click's body
                log.error("a queued click failed", extra={"error": type(error).__name__})
            finally:
                self._busy -= 1
                self._queue.task_done()
