"""The Slack and Telegram stand-ins on a loop of their own, for commands that run asyncio.run.

A command under test calls ``asyncio.run``, which cannot nest inside a test's own loop, so the
stand-ins serve from a background thread while the command runs in the test's thread.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from pulse_mirror.sandbox.slack import SlackSandbox
from pulse_mirror.sandbox.telegram import TelegramSandbox


@dataclass
class StandIns:
    """The running stand-ins."""

    slack: SlackSandbox
    telegram: TelegramSandbox


@contextmanager
def running_stand_ins() -> Iterator[StandIns]:
    """Start both stand-ins on 127.0.0.1 (free ports) in a thread; stop them afterwards."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()

    async def start() -> StandIns:
        found = StandIns(SlackSandbox(), TelegramSandbox())
        await found.slack.start(host="127.0.0.1", port=0)
        await found.telegram.start(host="127.0.0.1", port=0)
        return found

    stand_ins = asyncio.run_coroutine_threadsafe(start(), loop).result(timeout=30)
    try:
        yield stand_ins
    finally:

        async def stop() -> None:
            await stand_ins.telegram.stop()
            await stand_ins.slack.stop()

        asyncio.run_coroutine_threadsafe(stop(), loop).result(timeout=30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        loop.close()


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound once, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
