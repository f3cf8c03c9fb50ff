"""Answers and comments, recorded through a message's token.

A ballot ties (message, item) to the answer while the pulse's window is open, so a second
click changes the answer instead of adding one. When the window closes the ballots are
deleted: from then on nothing links an employee's answer to the person who gave it.

Recording and closing exclude each other: a recording transaction holds the pulse row
(``FOR SHARE`` on PostgreSQL, the write lock of ``BEGIN IMMEDIATE`` on SQLite) while it
checks the window and writes, and closing marks the pulse closed before it deletes the
ballots. So an input either lands before the close, and its ballot is deleted with the
others, or sees the window closed.

An employee row names the team only when the team has at least ``min_group_size`` active
employees; in a smaller team the team would point at the few people in it.

Inputs go through a group-commit writer (``answer_writer``): inputs that arrive together are
recorded in one transaction (``answer_batch``), and one by one here if that batch fails.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy import exc
from sqlalchemy.ext.asyncio import AsyncConnection

from pulse_mirror.storage.answers.batch import input_context, is_stale, new_row, record_batch
from pulse_mirror.storage.answers.reshuffle import reshuffle_week, vacuum_answers
from pulse_mirror.storage.answers.writer import AnswerWriter, Input
from pulse_mirror.storage.store import Store
from pulse_mirror.storage.tables import answer, ballot, comment, delivery, person, pulse
from pulse_mirror.surveys.model import PersonStatus, Side
from pulse_mirror.surveys.records import AnswerOutcome, DeliveryKind, DeliveryStatus

log = logging.getLogger(__name__)

_ATTEMPTS = 3  # a concurrent identical click loses the race once, then sees the ballot
DEFAULT_MIN_GROUP_SIZE = 5


class AnswerStore(Store):
    """Answers, comments and the ballots that keep them single."""

    _min_group_size: int = DEFAULT_MIN_GROUP_SIZE
    _writer: AnswerWriter | None = None

    @property
    def writer(self) -> AnswerWriter:
        """The group-commit writer every input of this repository goes through."""
        if self._writer is None:
            self._writer = AnswerWriter(write_batch=self._record_batch, write_one=self._record_one)
        return self._writer

    async def record_answer(
        self, *, token: str, item: str, value: int, now: dt.datetime, acted_at: float | None = None
    ) -> AnswerOutcome:
        """Record a click; a second click on the same item replaces the value, never adds a row.

        With ``acted_at`` (when the click was made), a click not newer than the one that set
        the stored value is ``STALE`` and changes nothing: a replayed request stays harmless.
        """
        entry = Input(token=token, item=item, content=value, now=now, acted_at=acted_at)
        return await self.writer.submit(entry)

    async def record_comment(
        self, *, token: str, item: str, text: str, now: dt.datetime
    ) -> AnswerOutcome:
        """Record a free-text comment; a second one on the same item replaces the first.

        Unlike a numeric answer the item need not be one of the pulse's scored items.
        """
        return await self.writer.submit(Input(token=token, item=item, content=text, now=now))

    async def record_skip(self, *, token: str, item: str, now: dt.datetime) -> AnswerOutcome:
        """Record that a question was skipped; an answer already given stays as it is."""
        return await self.writer.submit(Input(token=token, item=item, content=None, now=now))

    async def ballot_values(self, delivery_id: int) -> dict[str, int | None]:
        """Per item, what one message's recipient gave: a value, or None (skip or comment)."""
        statement = (
            sa.select(ballot.c.item, answer.c.value)
            .select_from(ballot)
            .outerjoin(answer, answer.c.id == ballot.c.answer_id)
            .where(ballot.c.delivery_id == delivery_id)
        )
        async with self._engine.connect() as connection:
            rows = (await connection.execute(statement)).all()
        return {row.item: row.value for row in rows}

    async def _record_batch(self, entries: Sequence[Input]) -> list[AnswerOutcome]:
        """Record inputs in one transaction, in order; any error rolls back all of them."""
        async with self._engine.begin() as connection:
            return await record_batch(connection, entries, min_group_size=self._min_group_size)

    async def _record_one(self, entry: Input) -> AnswerOutcome:
        """Record one input in its own transaction, retrying a lost ballot race."""
        for attempt in range(1, _ATTEMPTS + 1):
            try:
                async with self._engine.begin() as connection:
                    return await _record_once(
                        connection,
                        token=entry.token,
                        item=entry.item,
                        content=entry.content,
                        now=entry.now,
                        acted_at=entry.acted_at,
                        min_group_size=self._min_group_size,
                    )
            except (exc.IntegrityError, _LostRace):
                # Another click on the same (message, item) got its ballot in first.
                if attempt == _ATTEMPTS:
                    raise
                log.debug("concurrent input for one ballot; retrying", extra={"item": entry.item})
        raise AssertionError("unreachable")

    async def close_due_windows(self, now: dt.datetime) -> int:
        """Close every pulse whose window ended by ``now``; return the ballots deleted.

        Also deletes any ballot left behind on a pulse that is already closed.
        """
        due = (
            sa.select(pulse.c.id)
            .where(pulse.c.closes_at <= now, pulse.c.window_closed.is_(False))
            .order_by(pulse.c.id)  # one lock order for replicas closing at the same time
        )
        closed_messages = (
            sa.select(delivery.c.id)
            .join(pulse, pulse.c.id == delivery.c.pulse_id)
            .where(pulse.c.window_closed.is_(True))
        )
        left_behind = sa.delete(ballot).where(
            ballot.c.delivery_id.in_(closed_messages.scalar_subquery())
        )
        closed_pulses = sa.select(pulse.c.id).where(pulse.c.window_closed.is_(True))
        reminders_left = sa.delete(delivery).where(
            delivery.c.pulse_id.in_(closed_pulses.scalar_subquery()), _REMINDER
        )
        deleted = 0
        async with self._engine.begin() as connection:
            closing = (await connection.execute(due)).scalars().all()
            for pulse_id in closing:
                deleted += await _close(connection, pulse_id)
            repaired = (await connection.execute(left_behind)).rowcount
            await connection.execute(reminders_left)
        if closing:
            await vacuum_answers(self._engine)
        if repaired:
            log.warning("deleted ballots left on closed pulses", extra={"ballots": repaired})
        return deleted + repaired


_REMINDER = delivery.c.kind.in_([DeliveryKind.REMINDER_1.value, DeliveryKind.REMINDER_2.value])


class _LostRace(Exception):
    """A concurrent click linked the ballot first; the transaction is rolled back and retried."""


async def _record_once(
    connection: AsyncConnection,
    *,
    token: str,
    item: str,
    content: int | str | None,
    now: dt.datetime,
    acted_at: float | None,
    min_group_size: int,
) -> AnswerOutcome:
    context = (await connection.execute(input_context().where(delivery.c.token == token))).first()
    if context is None:
        return AnswerOutcome.UNKNOWN_TOKEN
    if context.window_closed or now >= context.closes_at:
        return AnswerOutcome.CLOSED
    is_text = isinstance(content, str)
    if not is_text and item not in context._mapping["items"]:
        return AnswerOutcome.UNKNOWN_ITEM
    existing = (
        await connection.execute(
            sa.select(ballot).where(
                ballot.c.delivery_id == context.delivery_id, ballot.c.item == item
            )
        )
    ).first()
    if existing is not None and is_stale(acted_at, existing.acted_at):
        return AnswerOutcome.STALE
    if content is None:  # a skip only marks the ballot; anything already given stays
        if existing is not None:
            return AnswerOutcome.UNCHANGED
        await connection.execute(
            sa.insert(ballot).values(delivery_id=context.delivery_id, item=item)
        )
        return AnswerOutcome.RECORDED
    if existing is not None and acted_at is not None:
        await connection.execute(
            sa.update(ballot).where(ballot.c.id == existing.id).values(acted_at=acted_at)
        )
    table = comment if is_text else answer
    link = ballot.c.comment_id if is_text else ballot.c.answer_id
    field = table.c.text if is_text else table.c.value
    linked = None if existing is None else existing._mapping[link.key]
    if linked is not None:
        current = (
            await connection.execute(sa.select(field).where(table.c.id == linked))
        ).scalar_one()
        if current == content:
            return AnswerOutcome.UNCHANGED
        await connection.execute(
            sa.update(table).where(table.c.id == linked).values({field.key: content})
        )
        return AnswerOutcome.CHANGED
    group = await _reportable_group(connection, context, min_group_size=min_group_size)
    row = new_row(context, item=item, content=content, group=group)
    await connection.execute(
        sa.insert(table).values({k: v for k, v in row.items() if k in table.c})
    )
    if existing is None:
        await connection.execute(
            sa.insert(ballot).values(
                {
                    "delivery_id": context.delivery_id,
                    "item": item,
                    link.key: row["id"],
                    "acted_at": acted_at,
                }
            )
        )
    else:  # the question was skipped first and is answered now
        result = await connection.execute(
            sa.update(ballot)
            .where(ballot.c.id == existing.id, link.is_(None))
            .values({link.key: row["id"]})
        )
        if result.rowcount != 1:
            raise _LostRace
    return AnswerOutcome.RECORDED


async def _reportable_group(
    connection: AsyncConnection, context: Any, *, min_group_size: int
) -> str | None:
    """The team to store with a new row: an employee's only if the team is large enough."""
    if context.group is None or Side(context.side) is Side.CUSTOMER:
        return cast(str | None, context.group)
    members = await connection.execute(
        sa.select(sa.func.count())
        .select_from(person)
        .where(
            person.c.side == Side.EMPLOYEE.value,
            person.c.group == context.group,
            person.c.status == PersonStatus.ACTIVE.value,
        )
    )
    return cast(str, context.group) if members.scalar_one() >= min_group_size else None


async def _close(connection: AsyncConnection, pulse_id: int) -> int:
    # Closed first: the update waits for every input holding the pulse row, and any input
    # after it sees the window closed, so the delete below finds every ballot there is.
    closed = await connection.execute(
        sa.update(pulse)
        .where(pulse.c.id == pulse_id)
        .values(window_closed=True)
        .returning(pulse.c.week, pulse.c.side)
    )
    found = closed.first()
    messages = sa.select(delivery.c.id).where(delivery.c.pulse_id == pulse_id)
    deleted = await connection.execute(
        sa.delete(ballot).where(ballot.c.delivery_id.in_(messages.scalar_subquery()))
    )
    await connection.execute(
        sa.update(delivery)
        .where(
            delivery.c.pulse_id == pulse_id,
            delivery.c.status == DeliveryStatus.PENDING.value,
            delivery.c.kind != DeliveryKind.REPORT.value,
        )
        .values(status=DeliveryStatus.CANCELLED.value)
    )
    # A reminder exists, was sent or was cancelled "already answered" depending on whether
    # the person answered in time: kept after the window, it would tell who answered.
    await connection.execute(sa.delete(delivery).where(delivery.c.pulse_id == pulse_id, _REMINDER))
    # Nothing is updated after the close: what points at a person's message goes, so the
    # rows and a workspace export together cannot be lined up message by message.
    await connection.execute(
        sa.update(delivery)
        .where(delivery.c.pulse_id == pulse_id, delivery.c.platform_message_id.is_not(None))
        .values(platform_message_id=None)
    )
    if found is not None and found.side == Side.EMPLOYEE.value:
        await reshuffle_week(connection, week=found.week)
    return deleted.rowcount
