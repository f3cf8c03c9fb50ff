"""What each use case reads and writes in the database: one narrow port per use case.

A use case names only the methods it calls. ``storage.repository.SqlRepository`` satisfies
every port here, so the composition root builds it once and hands it to each use case; the
dispatcher's claims and the planner's operations have stores of their own in ``storage``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from pulse_mirror.surveys.model import IsoWeek, PersonStatus, Platform, Side
from pulse_mirror.surveys.records import (
    AnswerOutcome,
    DeliveryRecord,
    NewDelivery,
    PersonRecord,
    PulseRecord,
)


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
    """Clicks, skips and comments on a delivered pulse (``PulseAnswers``)."""

    async def click_context(self, token: str) -> ClickContext | None:
        """The message behind ``token`` with its pulse, recipient and given values, in one read."""
        ...

    async def record_answer(
        self, *, token: str, item: str, value: int, now: dt.datetime, acted_at: float | None = None
    ) -> AnswerOutcome:
        """Record a click; a later click replaces the value, an older one (``STALE``) does not."""
        ...

    async def record_comment(
        self, *, token: str, item: str, text: str, now: dt.datetime
    ) -> AnswerOutcome:
        """Record a free-text comment; a second one on the same item replaces the first."""
        ...

    async def record_skip(self, *, token: str, item: str, now: dt.datetime) -> AnswerOutcome:
        """Record that a question was skipped; an answer already given stays as it is."""
        ...


class Statuses(Protocol):
    """Whether a person may be asked: a new status ends their pending messages too."""

    async def set_status(
        self, person_id: int, status: PersonStatus, *, paused_until: dt.datetime | None = None
    ) -> bool:
        """Set a person's status (and when a pause ends); False if there is no such person."""
        ...

    async def cancel_pending(self, person_id: int) -> int:
        """Cancel a person's pending messages; return how many."""
        ...


class EmployeeChoices(Statuses, Protocol):
    """An employee's pause, resume and opt-out (``EmployeeAccounts``)."""

    async def find_person(
        self, *, platform: Platform, platform_user_id: str
    ) -> PersonRecord | None:
        """The person behind a platform user id, if any."""
        ...


class RosterStore(Statuses, Protocol):
    """The employees a roster sync stores, and who may be asked now (``sync_roster``)."""

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

    async def active_people(self, side: Side, *, now: dt.datetime) -> list[PersonRecord]:
        """People of one side who may be asked now: active, or paused until a time now past."""
        ...


class CustomerAccounts(Statuses, Protocol):
    """A customer's consent: found, stored with their consent, stopped or resumed."""

    async def find_person(
        self, *, platform: Platform, platform_user_id: str
    ) -> PersonRecord | None:
        """The person behind a platform user id, if any."""
        ...

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

    async def delivery_by_token(self, token: str) -> DeliveryRecord | None:
        """The message carrying this callback token, if any."""
        ...

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


class CustomerStore(CustomerAccounts, CustomerData, CommentWaits, Protocol):
    """Everything the customer use cases (``Customers``) read and write."""


class SendContext(Protocol):
    """What decides whether a claimed message still goes out, and as what (``DeliveryContext``)."""

    async def get_person(self, person_id: int) -> PersonRecord | None:
        """The person with this id, if any."""
        ...

    async def get_pulse(self, pulse_id: int) -> PulseRecord | None:
        """The pulse with this id, if any."""
        ...

    async def delivery_by_key(self, key: str) -> DeliveryRecord | None:
        """The message with this outbox key, if any."""
        ...

    async def ballot_values(self, delivery_id: int) -> dict[str, int | None]:
        """Per item, what one message's recipient gave: a value, or None (skip or comment)."""
        ...


class Claims(Protocol):
    """The dispatcher's claims on one platform's due messages (``storage.deliveries.claims``)."""

    async def claim_for_platform(
        self, *, platform: Platform, now: dt.datetime, limit: int, worker: str
    ) -> list[DeliveryRecord]:
        """Atomically claim up to ``limit`` due messages to people on ``platform``."""
        ...

    async def people_by_id(self, ids: Iterable[int]) -> dict[int, PersonRecord]:
        """The people with these ids, by id (unknown ids are left out)."""
        ...

    async def hand_back(self, delivery_id: int, *, due_at: dt.datetime, note: str | None) -> bool:
        """Put a claimed message that was never tried back to pending; the claim is not counted."""
        ...

    async def cancel_claimed(self, delivery_id: int, *, reason: str) -> bool:
        """Cancel a claimed message that must not be sent (answered, window over, opted out)."""
        ...


class SendRecords(Statuses, Protocol):
    """What a send did, recorded on its claimed message; a recipient gone is asked no more."""

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


class WeekStore(Protocol):
    """What the scheduler's jobs plan and close (``Jobs``)."""

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

    async def active_people(self, side: Side, *, now: dt.datetime) -> list[PersonRecord]:
        """People of one side who may be asked now: active, or paused until a time now past."""
        ...

    async def enqueue(self, deliveries: Sequence[NewDelivery]) -> int:
        """Add messages whose key is not yet known; return how many were new."""
        ...

    async def close_due_windows(self, now: dt.datetime) -> int:
        """Close every pulse whose window ended by ``now``; return the ballots deleted."""
        ...

    async def delete_expired_comment_waits(self, now: dt.datetime) -> int:
        """Delete every wait that has expired by ``now``; return how many."""
        ...


class Operations(Protocol):
    """The organisation-wide pause and the planner's reads and sample (``storage.operations``).

    The reads stay small at any size: who has no question of a pulse yet, and the sample's
    base as a count and ids, so the planner never holds every customer in memory.
    """

    async def is_paused(self) -> bool:
        """Whether the whole organisation's pulses are paused."""
        ...

    async def people_to_ask(
        self, side: Side, *, now: dt.datetime, pulse_id: int
    ) -> list[PersonRecord]:
        """People of ``side`` who may be asked now and have no question of this pulse yet."""
        ...

    async def has_questions(self, pulse_id: int) -> bool:
        """Whether the pulse has any question stored (for customers: its sample is drawn)."""
        ...

    async def sample_base(
        self, *, now: dt.datetime, asked_before: dt.datetime
    ) -> tuple[int, Sequence[int]]:
        """Customers who may be asked: how many, and the ids (ascending) of those eligible."""
        ...

    async def people_by_id(self, ids: Sequence[int]) -> list[PersonRecord]:
        """The people with these ids, in id order."""
        ...

    async def enqueue_sample(
        self, *, pulse_id: int, deliveries: Sequence[NewDelivery], asked: Mapping[int, dt.datetime]
    ) -> int:
        """Store a customer sample once with when each is asked; 0 if the pulse has one."""
        ...


class StaleClaims(Protocol):
    """Claims a stopped worker left behind."""

    async def recover_stale(self, *, now: dt.datetime, older_than: dt.timedelta) -> int:
        """Mark claims older than ``older_than`` as unknown: their worker may have sent them."""
        ...
