"""The narrow interfaces the survey core needs from the outside world."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from pulse_mirror.surveys.conversation import PulseState
from pulse_mirror.surveys.model import IsoWeek, PersonStatus, Platform, Side
from pulse_mirror.surveys.records import (
    AnswerOutcome,
    CommentRecord,
    DeliveryKind,
    DeliveryRecord,
    DeliveryStatus,
    NewDelivery,
    PersonRecord,
    PulseRecord,
    ReportRunRecord,
)


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


class People(Protocol):
    """Employees and customers: who they are, where they are reached, whether they may be asked."""

    async def upsert_person(
        self,
        *,
        side: Side,
        platform: Platform,
        platform_user_id: str,
        language: str,
        time_zone: str,
        group: str | None,
        now: dt.datetime,
        consent_at: dt.datetime | None = None,
    ) -> PersonRecord:
        """Create the person or update their profile; status and history stay as they are."""
        ...

    async def get_person(self, person_id: int) -> PersonRecord | None:
        """The person with this id, if any."""
        ...

    async def find_person(
        self, *, platform: Platform, platform_user_id: str
    ) -> PersonRecord | None:
        """The person behind a platform user id, if any."""
        ...

    async def set_status(
        self, person_id: int, status: PersonStatus, *, paused_until: dt.datetime | None = None
    ) -> bool:
        """Set a person's status (and when a pause ends); False if there is no such person."""
        ...

    async def mark_asked(self, person_ids: Sequence[int], *, at: dt.datetime) -> None:
        """Record when these people were last asked."""
        ...

    async def active_people(self, side: Side, *, now: dt.datetime) -> list[PersonRecord]:
        """People of one side who may be asked now: active, or paused until a time now past."""
        ...


class Pulses(Protocol):
    """One pulse per ISO week and side."""

    async def get_or_create_pulse(
        self,
        *,
        week: IsoWeek,
        side: Side,
        items: Sequence[str],
        opens_at: dt.datetime,
        closes_at: dt.datetime,
    ) -> PulseRecord:
        """The pulse of (week, side), created with these values if it does not exist yet."""
        ...

    async def get_pulse(self, pulse_id: int) -> PulseRecord | None:
        """The pulse with this id, if any."""
        ...


class Outbox(Protocol):
    """Every message the bot sends, first stored, then claimed, sent and recorded."""

    async def enqueue(self, deliveries: Sequence[NewDelivery]) -> int:
        """Add messages whose key is not yet known; return how many were new."""
        ...

    async def claim_due(self, *, now: dt.datetime, limit: int, worker: str) -> list[DeliveryRecord]:
        """Atomically claim up to ``limit`` pending messages due by ``now`` for ``worker``."""
        ...

    async def mark_sent(self, delivery_id: int, *, message_id: str, now: dt.datetime) -> bool:
        """Record a claimed message as sent; False if it was not claimed."""
        ...

    async def mark_failed(
        self, delivery_id: int, *, error: str, retry_at: dt.datetime | None = None
    ) -> bool:
        """Record a failed send: pending again at ``retry_at``, or failed for good without it."""
        ...

    async def mark_unknown(self, delivery_id: int, *, error: str) -> bool:
        """Record a send whose outcome is unknown; it is never resent automatically."""
        ...

    async def release_claimed(self, worker: str) -> int:
        """Put a worker's claimed messages back to pending; return how many."""
        ...

    async def cancel_pending(self, person_id: int) -> int:
        """Cancel a person's pending messages; return how many."""
        ...

    async def count_by_status(self) -> dict[DeliveryStatus, int]:
        """How many messages are in each status (every status present, zero if none)."""
        ...

    async def delivery_by_token(self, token: str) -> DeliveryRecord | None:
        """The message carrying this callback token, if any."""
        ...


@dataclass(frozen=True)
class ClickContext:
    """Everything a click is decided on: the message, its pulse, its recipient, what was given.

    ``given`` maps each item with a ballot to its value, or None for a skip or a comment.
    """

    delivery: DeliveryRecord
    pulse: PulseRecord
    person: PersonRecord
    given: Mapping[str, int | None]


class Answers(Protocol):
    """Answers and comments, anonymous for employees in storage itself."""

    async def click_context(self, token: str) -> ClickContext | None:
        """The message behind ``token`` with its pulse, recipient and given values, in one read."""
        ...

    async def record_answer(
        self, *, token: str, item: str, value: int, now: dt.datetime
    ) -> AnswerOutcome:
        """Record a click; a second click on the same item replaces the value, never adds a row."""
        ...

    async def record_comment(
        self, *, token: str, item: str, text: str, now: dt.datetime
    ) -> AnswerOutcome:
        """Record a free-text comment; a second one on the same item replaces the first."""
        ...

    async def record_skip(self, *, token: str, item: str, now: dt.datetime) -> AnswerOutcome:
        """Record that a question was skipped; an answer already given stays as it is."""
        ...

    async def ballot_values(self, delivery_id: int) -> dict[str, int | None]:
        """Per item, what one message's recipient gave: a value, or None (skip or comment)."""
        ...

    async def close_window(self, pulse_id: int) -> int:
        """End a pulse's window: delete its ballots and reminders, cancel its pending messages."""
        ...

    async def close_due_windows(self, now: dt.datetime) -> int:
        """Close every pulse whose window ended by ``now``; return the ballots deleted."""
        ...

    async def answer_histograms(self, week: IsoWeek, side: Side) -> dict[str, dict[int, int]]:
        """Per item, how many answers each value got."""
        ...

    async def comments(self, week: IsoWeek, side: Side) -> list[CommentRecord]:
        """The comments of one week and side."""
        ...


class CustomerData(Protocol):
    """A customer's rights: see everything stored about them, have it deleted."""

    async def export_customer(self, person_id: int) -> dict[str, object] | None:
        """Everything stored about a customer, JSON-ready; None if there is no such customer."""
        ...

    async def delete_customer(self, person_id: int) -> bool:
        """Delete a customer with their answers, comments and messages; False if unknown."""
        ...


class CommentWaits(Protocol):
    """Which customer's next text message is a comment, and on which message.

    Stored, not held in memory: a restart or another replica still knows who is writing.
    """

    async def set_comment_wait(
        self, *, person_id: int, delivery_id: int, expires_at: dt.datetime
    ) -> None:
        """Take the person's next text as a comment on this message; replaces an older wait."""
        ...

    async def comment_wait_token(self, person_id: int, *, now: dt.datetime) -> str | None:
        """The token the person's next text comments on; None if none (expired ones deleted)."""
        ...

    async def clear_comment_wait(self, person_id: int, *, token: str | None = None) -> bool:
        """Stop waiting (only on ``token``'s message, if given); False if nothing was awaited."""
        ...

    async def delete_expired_comment_waits(self, now: dt.datetime) -> int:
        """Delete every wait that has expired by ``now``; return how many."""
        ...


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


class Repository(People, Pulses, Outbox, Answers, CustomerData, CommentWaits, ReportRuns, Protocol):
    """Everything the core stores and reads."""


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
