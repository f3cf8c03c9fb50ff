"""The SQLModel tables: the schema the migrations create, column for column.

Enumerations are stored as short strings guarded by CHECK constraints so that both SQLite and
PostgreSQL refuse values the code does not know. Answer and comment ids are random, so that
their order says nothing about when, or in which order, people answered.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from pulse_mirror.storage.types import UtcDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# A registry of our own keeps our tables and naming convention out of SQLModel's global metadata.
_registry = registry(metadata=sa.MetaData(naming_convention=NAMING_CONVENTION))
metadata = _registry.metadata


class Table(SQLModel, registry=_registry):
    """The base of every table here."""


def _in(column: str, values: tuple[str, ...]) -> str:
    listed = ", ".join(f"'{value}'" for value in values)
    return f"{column} IN ({listed})"


def new_id() -> str:
    """A random id for answers and comments: its order says nothing about time."""
    return uuid.uuid4().hex


SIDES = ("customer", "employee")
PLATFORMS = ("slack", "telegram")
PERSON_STATUSES = ("active", "paused", "opted_out", "blocked")
DELIVERY_KINDS = ("question", "reminder_1", "reminder_2", "report")
DELIVERY_STATUSES = ("pending", "claimed", "sent", "failed", "unknown", "cancelled")
REPORT_STATUSES = ("claimed", "posted", "failed", "unknown")
ANONYMOUS_EMPLOYEES = "side = 'customer' OR respondent_id IS NULL"
# On SQLite a rowid table stores rows in insertion order; keyed by their random id instead,
# answers and comments keep no trace of the order in which people gave them.
_NO_ROWID: dict[str, Any] = {"sqlite_with_rowid": False}


def _person_fk() -> Any:
    return sa.Column(
        "respondent_id", sa.Integer, sa.ForeignKey("person.id", ondelete="CASCADE"), index=True
    )


class Person(Table, table=True):
    """An employee (Slack) or a customer (Telegram)."""

    __tablename__ = "person"
    __table_args__ = (
        sa.UniqueConstraint("platform", "platform_user_id"),
        sa.CheckConstraint(_in("side", SIDES), name="side"),
        sa.CheckConstraint(_in("platform", PLATFORMS), name="platform"),
        sa.CheckConstraint(_in("status", PERSON_STATUSES), name="status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    side: str = Field(sa_type=sa.String(16))
    platform: str = Field(sa_type=sa.String(16))
    platform_user_id: str = Field(sa_type=sa.String(64))
    language: str = Field(sa_type=sa.String(8))
    time_zone: str = Field(sa_type=sa.String(64))
    group: str | None = Field(default=None, sa_type=sa.String(64))
    status: str = Field(default="active", sa_type=sa.String(16))
    paused_until: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)
    consent_at: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)
    last_asked_at: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)
    created_at: dt.datetime = Field(sa_type=UtcDateTime)


class Pulse(Table, table=True):
    """One side's pulse for one ISO week: which items, and the answer window."""

    __tablename__ = "pulse"
    __table_args__ = (
        sa.UniqueConstraint("week", "side"),
        sa.CheckConstraint(_in("side", SIDES), name="side"),
    )

    id: int | None = Field(default=None, primary_key=True)
    week: str = Field(sa_type=sa.String(8))
    side: str = Field(sa_type=sa.String(16))
    items: list[str] = Field(sa_type=sa.JSON)
    opens_at: dt.datetime = Field(sa_type=UtcDateTime)
    closes_at: dt.datetime = Field(sa_type=UtcDateTime)
    # Set once the ballots are gone: a late click must not become a second answer.
    window_closed: bool = Field(default=False)


class Delivery(Table, table=True):
    """The outbox: one row per message the bot sends."""

    __tablename__ = "delivery"
    __table_args__ = (
        sa.Index("ix_delivery_status_due_at", "status", "due_at"),
        sa.CheckConstraint(_in("kind", DELIVERY_KINDS), name="kind"),
        sa.CheckConstraint(_in("status", DELIVERY_STATUSES), name="status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(sa_type=sa.String(128), unique=True)
    pulse_id: int = Field(
        sa_column=sa.Column(
            sa.Integer, sa.ForeignKey("pulse.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    person_id: int = Field(
        sa_column=sa.Column(
            sa.Integer, sa.ForeignKey("person.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    kind: str = Field(sa_type=sa.String(16))
    due_at: dt.datetime = Field(sa_type=UtcDateTime)
    status: str = Field(default="pending", sa_type=sa.String(16))
    attempts: int = Field(default=0)
    claimed_by: str | None = Field(default=None, sa_type=sa.String(128))
    claimed_at: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)
    platform_message_id: str | None = Field(default=None, sa_type=sa.String(128))
    last_error: str | None = Field(default=None, sa_type=sa.Text)
    token: str = Field(sa_type=sa.String(32), unique=True)
    sent_at: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)


class Answer(Table, table=True):
    """One answer; an employee's never names the person, and nothing records when."""

    __tablename__ = "answer"
    __table_args__ = (
        sa.Index("ix_answer_week_side_item_value", "week", "side", "item", "value"),
        sa.CheckConstraint(ANONYMOUS_EMPLOYEES, name="anonymous_employee"),
        sa.CheckConstraint(_in("side", SIDES), name="side"),
        _NO_ROWID,
    )

    id: str = Field(default_factory=new_id, primary_key=True, sa_type=sa.String(32))
    item: str = Field(sa_type=sa.String(64))
    side: str = Field(sa_type=sa.String(16))
    week: str = Field(sa_type=sa.String(8))
    value: int
    group: str | None = Field(default=None, sa_type=sa.String(64))
    respondent_id: int | None = Field(default=None, sa_column=_person_fk())


class Comment(Table, table=True):
    """One free-text comment; an employee's never names the person."""

    __tablename__ = "comment"
    __table_args__ = (
        sa.Index("ix_comment_week_side", "week", "side"),
        sa.CheckConstraint(ANONYMOUS_EMPLOYEES, name="anonymous_employee"),
        sa.CheckConstraint(_in("side", SIDES), name="side"),
        _NO_ROWID,
    )

    id: str = Field(default_factory=new_id, primary_key=True, sa_type=sa.String(32))
    item: str = Field(sa_type=sa.String(64))
    side: str = Field(sa_type=sa.String(16))
    week: str = Field(sa_type=sa.String(8))
    group: str | None = Field(default=None, sa_type=sa.String(64))
    text: str = Field(sa_type=sa.Text)
    respondent_id: int | None = Field(default=None, sa_column=_person_fk())


class Ballot(Table, table=True):
    """The short-lived link from a message to its answer, comment or skip (neither set).

    Deleted when the pulse's window closes.
    """

    __tablename__ = "ballot"
    __table_args__ = (
        sa.UniqueConstraint("delivery_id", "item"),
        sa.CheckConstraint("answer_id IS NULL OR comment_id IS NULL", name="one_link"),
    )

    id: int | None = Field(default=None, primary_key=True)
    delivery_id: int = Field(
        sa_column=sa.Column(
            sa.Integer, sa.ForeignKey("delivery.id", ondelete="CASCADE"), nullable=False
        )
    )
    item: str = Field(sa_type=sa.String(64))
    answer_id: str | None = Field(
        default=None,
        sa_column=sa.Column(
            sa.String(32), sa.ForeignKey("answer.id", ondelete="CASCADE"), index=True
        ),
    )
    comment_id: str | None = Field(
        default=None,
        sa_column=sa.Column(
            sa.String(32), sa.ForeignKey("comment.id", ondelete="CASCADE"), index=True
        ),
    )
    # When the click that set the value was made (Slack's action_ts): an older click is stale.
    acted_at: float | None = Field(default=None, sa_type=sa.Float(precision=53))


class ReportRun(Table, table=True):
    """One weekly report for one destination, posted exactly once."""

    __tablename__ = "report_run"
    __table_args__ = (
        sa.UniqueConstraint("week", "destination"),
        sa.CheckConstraint(_in("status", REPORT_STATUSES), name="status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    week: str = Field(sa_type=sa.String(8))
    destination: str = Field(sa_type=sa.String(128))
    status: str = Field(default="claimed", sa_type=sa.String(16))
    attempts: int = Field(default=0)
    # When the current claim was taken: a claim older than the lease was left by a crash.
    claimed_at: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)
    posted_at: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)
    platform_ref: str | None = Field(default=None, sa_type=sa.String(256))
    last_error: str | None = Field(default=None, sa_type=sa.Text)


class Setting(Table, table=True):
    """An organisation-wide setting, e.g. whether all pulses are paused."""

    __tablename__ = "setting"

    key: str = Field(primary_key=True, sa_type=sa.String(64))
    value: str = Field(sa_type=sa.Text)
    updated_at: dt.datetime = Field(sa_type=UtcDateTime)


class CommentWait(Table, table=True):
    """A customer's next text message is their comment on one message, until it expires.

    One row per customer: a newer tap on "comment" replaces it. Kept in the database so that
    a restart or another replica still knows the customer is about to write.
    """

    __tablename__ = "comment_wait"

    person_id: int = Field(
        sa_column=sa.Column(
            sa.Integer, sa.ForeignKey("person.id", ondelete="CASCADE"), primary_key=True
        )
    )
    delivery_id: int = Field(
        sa_column=sa.Column(
            sa.Integer, sa.ForeignKey("delivery.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    expires_at: dt.datetime = Field(sa_type=UtcDateTime, index=True)


# The same tables for Core statements, which the repository uses throughout.
person = metadata.tables["person"]
pulse = metadata.tables["pulse"]
delivery = metadata.tables["delivery"]
answer = metadata.tables["answer"]
comment = metadata.tables["comment"]
ballot = metadata.tables["ballot"]
report_run = metadata.tables["report_run"]
setting = metadata.tables["setting"]
comment_wait = metadata.tables["comment_wait"]


class ImportFile(Table, table=True):
    """A file of past answers that `pulse import` took in: a second import of it is refused."""

    __tablename__ = "import_file"

    # sha256 of the file's bytes, hex: the same content under another name is the same file.
    fingerprint: str = Field(primary_key=True, sa_type=sa.String(64))
    name: str = Field(sa_type=sa.String(512))
    answers: int = Field()
    imported_at: dt.datetime = Field(sa_type=UtcDateTime)


import_file = metadata.tables["import_file"]


class PublishedCount(Table, table=True):
    """A week's answers as its first posted report counted them: what was published is final.

    Only the histograms of items shown (at least k answers) are kept; later reports read a
    published week from here, so a later /delete never changes a posted figure silently.
    """

    __tablename__ = "published_count"

    week: str = Field(primary_key=True, sa_type=sa.String(8))
    side: str = Field(primary_key=True, sa_type=sa.String(16))
    item: str = Field(primary_key=True, sa_type=sa.String(64))
    value: int = Field(primary_key=True, sa_type=sa.Integer)
    count: int = Field(sa_type=sa.Integer)


published_count = metadata.tables["published_count"]
