"""What the composition root needs from each platform: start, stop, routes, messenger, pace."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from pulse_mirror.surveys.model import Platform
from pulse_mirror.surveys.ports import Messenger, Pace

if TYPE_CHECKING:
    # Only for a type: aiohttp takes ~0.3 s to import, and the CLI imports StartupError.
    from aiohttp import web


class StartupError(Exception):
    """A platform could not start: one clear line for the operator, never a secret."""


class PlatformRuntime(Protocol):
    """One chat platform wired into the app (Slack or Telegram)."""

    platform: Platform
    messenger: Messenger
    pacer: Pace  # the platform's one pacer: the dispatcher and the platform's replies share it

    async def start(self) -> None:
        """Check the token, then connect (Socket Mode / polling); raise StartupError on failure."""
        ...

    async def stop(self) -> None:
        """Disconnect and let in-flight handlers finish."""
        ...

    def routes(self) -> Sequence[web.RouteDef]:
        """HTTP routes for the shared server (Slack HTTP mode, Telegram webhook); may be empty."""
        ...
