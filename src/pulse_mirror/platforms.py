"""What the composition root needs from each platform: start, stop, routes and a messenger."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from aiohttp import web

from pulse_mirror.surveys.model import Platform
from pulse_mirror.surveys.ports import Messenger


class StartupError(Exception):
    """A platform could not start: one clear line for the operator, never a secret."""


class PlatformRuntime(Protocol):
    """One chat platform wired into the app (Slack or Telegram)."""

    platform: Platform
    messenger: Messenger

    async def start(self) -> None:
        """Check the token, then connect (Socket Mode / polling); raise StartupError on failure."""
        ...

    async def stop(self) -> None:
        """Disconnect and let in-flight handlers finish."""
        ...

    def routes(self) -> Sequence[web.RouteDef]:
        """HTTP routes for the shared server (Slack HTTP mode, Telegram webhook); may be empty."""
        ...
