"""The narrow interfaces the survey core needs from the outside world: time, sending, pace.

What the use cases read and write in the database is in :mod:`~pulse_mirror.surveys.stores`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Protocol

from pulse_mirror.surveys.conversation import PulseState
from pulse_mirror.surveys.model import IsoWeek, Platform
from pulse_mirror.surveys.records import DeliveryKind, ReportRunRecord


class Clock(Protocol):
    """Tells the time; injected everywhere so tests and the demo can drive it."""

    def now(self) -> dt.datetime:
        """The current time, timezone-aware, in UTC."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` on this clock (virtual clocks advance instead of waiting)."""
        ...


class SystemClock:
    """The real clock."""

    def now(self) -> dt.datetime:
        """The current time in UTC."""
        return dt.datetime.now(dt.UTC)

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` of real time."""
        await asyncio.sleep(max(seconds, 0.0))


class ReportRuns(Protocol):
    """Each weekly report posted once per destination."""

    async def claim_report_run(
        self, *, week: IsoWeek, destination: str, now: dt.datetime
    ) -> ReportRunRecord | None:
        """Claim (week, destination) for posting; None if it is posted or claimed elsewhere."""
        ...

    async def mark_report_posted(
        self, run_id: int, *, platform_ref: str | None, now: dt.datetime
    ) -> None:
        """Record a report as posted."""
        ...

    async def mark_report_failed(self, run_id: int, *, error: str) -> None:
        """Record a failed post; the next claim may try again."""
        ...

    async def mark_report_unknown(self, run_id: int, *, error: str) -> None:
        """Record a post that may have gone out; no claim takes it again by itself."""
        ...


class SendError(Exception):
    """A platform refused or failed a send; the dispatcher decides what happens next."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class RateLimited(SendError):
    """The platform said slow down (HTTP 429): retry after ``retry_after`` seconds."""


class TransientSendError(SendError):
    """Worth retrying with backoff: a 5xx, or a connection refused before anything was sent."""


class RecipientGone(SendError):
    """The person cannot be reached any more: blocked the bot, deactivated, chat gone."""


class PermanentSendError(SendError):
    """The platform will never accept this message as it is (a bug or a bad config)."""


class SendOutcomeUnknown(SendError):
    """The request may have reached the platform (e.g. a timeout after sending): never resend."""


class Messenger(Protocol):
    """Sends pulse questions to people on one platform; raises a SendError subclass on failure."""

    platform: Platform

    async def send_pulse(self, *, address: str, state: PulseState, kind: DeliveryKind) -> str:
        """Send the pulse's current question (or a reminder); return the platform's message ref."""
        ...


class Pace(Protocol):
    """One platform's send pace, shared by everything that sends there: pulses and replies."""

    @property
    def per_second(self) -> float | None:
        """How many messages a second the platform takes overall; None if unlimited."""
        ...

    async def acquire(self, chat: str) -> None:
        """Wait until one more message to ``chat`` fits the pace, then count it."""
        ...

    def hold(self, seconds: float, *, chat: str | None = None) -> None:
        """After a 429: send nothing for ``seconds`` (only to ``chat``, if given)."""
        ...
