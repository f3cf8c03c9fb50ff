"""What the repository hands back and takes in: small frozen records, no I/O.

Every datetime here is timezone-aware and in UTC.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from pulse_mirror.surveys.model import IsoWeek, PersonStatus, Platform, Side


class DeliveryKind(enum.StrEnum):
    """What an outbox message is."""

    QUESTION = "question"
    REMINDER_1 = "reminder_1"
    REMINDER_2 = "reminder_2"
    REPORT = "report"


class DeliveryStatus(enum.StrEnum):
    """Where an outbox message stands."""

    PENDING = "pending"
    CLAIMED = "claimed"
    SENT = "sent"
    FAILED = "failed"
    UNKNOWN = "unknown"  # the platform may or may not have it: never resent automatically
    CANCELLED = "cancelled"


class ReportStatus(enum.StrEnum):
    """Where one weekly report for one destination stands."""

    CLAIMED = "claimed"
    POSTED = "posted"
    FAILED = "failed"
    UNKNOWN = "unknown"  # the post may have gone out: not posted again until the operator says


class AnswerOutcome(enum.StrEnum):
    """What recording a click did."""

    RECORDED = "recorded"  # the first answer to this item from this delivery
    CHANGED = "changed"  # a change of mind: the earlier value was replaced
    UNCHANGED = "unchanged"  # the same value again: nothing stored
    CLOSED = "closed"  # the pulse's answer window is over
    UNKNOWN_TOKEN = "unknown_token"  # no delivery carries this token
    UNKNOWN_ITEM = "unknown_item"  # the pulse does not ask this item
    STALE = "stale"  # a click older than the one that set the value (a replay): nothing stored


def delivery_key(*, pulse_id: int, person_id: int, kind: DeliveryKind) -> str:
    """The outbox key that makes a message unique: one per pulse, person and kind."""
    return f"pulse:{pulse_id}:{person_id}:{kind.value}"


@dataclass(frozen=True)
class PersonRecord:
    """An employee or a customer as stored."""

    id: int
    side: Side
    platform: Platform
    platform_user_id: str
    language: str
    time_zone: str
    group: str | None
    status: PersonStatus
    paused_until: dt.datetime | None
    consent_at: dt.datetime | None
    last_asked_at: dt.datetime | None
    created_at: dt.datetime


@dataclass(frozen=True)
class PulseRecord:
    """One side's pulse for one ISO week."""

    id: int
    week: IsoWeek
    side: Side
    items: tuple[str, ...]
    opens_at: dt.datetime
    closes_at: dt.datetime


@dataclass(frozen=True)
class NewDelivery:
    """A message to put in the outbox."""

    pulse_id: int
    person_id: int
    kind: DeliveryKind
    due_at: dt.datetime

    @property
    def key(self) -> str:
        """The unique outbox key of this message."""
        return delivery_key(pulse_id=self.pulse_id, person_id=self.person_id, kind=self.kind)


@dataclass(frozen=True)
class DeliveryRecord:
    """An outbox row."""

    id: int
    key: str
    pulse_id: int
    person_id: int
    kind: DeliveryKind
    due_at: dt.datetime
    status: DeliveryStatus
    attempts: int
    claimed_by: str | None
    claimed_at: dt.datetime | None
    platform_message_id: str | None
    last_error: str | None
    token: str
    sent_at: dt.datetime | None


@dataclass(frozen=True)
class CommentRecord:
    """A free-text comment as the report sees it: never who wrote it."""

    item: str
    side: Side
    week: IsoWeek
    group: str | None
    text: str


@dataclass(frozen=True)
class ReportRunRecord:
    """One weekly report for one destination."""

    id: int
    week: IsoWeek
    destination: str
    status: ReportStatus
    attempts: int
    posted_at: dt.datetime | None
    platform_ref: str | None
    last_error: str | None
