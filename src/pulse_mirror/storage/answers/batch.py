"""A batch of inputs recorded with a handful of statements, whatever the batch size.

The rules are those of ``answers._record_once``, applied in arrival order to what one read
found: the window must be open, the item asked, a skip never replaces an answer, a second
input on the same (message, item) changes the value instead of adding a row. Three reads
(messages with their pulses, holding each pulse row as one input would; their ballots; the
team sizes) and then the inserts and updates, each as one statement for the whole batch.
A concurrent writer that linked a ballot first makes the batch fail; the writer then
records its inputs one by one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from pulse_mirror.storage.answers.writer import Input
from pulse_mirror.storage.tables import answer, ballot, comment, delivery, new_id, person, pulse
from pulse_mirror.surveys.model import PersonStatus, Side
from pulse_mirror.surveys.records import AnswerOutcome


class LostRace(Exception):
    """A ballot this batch read unlinked was linked by someone else before the update."""


@dataclass
class _Ballot:
    """One (message, item) as the batch sees it: stored already (``id``) or new."""

    id: int | None = None
    answer_id: str | None = None
    comment_id: str | None = None
    value: int | None = None
    text: str | None = None
    new_link: str | None = None  # the link a stored, unlinked ballot gets in this batch
    acted_at: float | None = None
    acted_changed: bool = False  # a stored ballot whose acted_at this batch moves on


@dataclass
class _Writes:
    answers: list[dict[str, Any]] = field(default_factory=list)
    comments: list[dict[str, Any]] = field(default_factory=list)
    values: dict[str, int] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)


async def record_batch(
    connection: AsyncConnection, entries: Sequence[Input], *, min_group_size: int
) -> list[AnswerOutcome]:
    """Record ``entries`` in order on ``connection`` (inside its transaction)."""
    contexts = await _contexts(connection, {entry.token for entry in entries})
    ballots = await _ballots(connection, [c.delivery_id for c in contexts.values()])
    stored = set(ballots)
    teams = await _large_teams(connection, contexts.values(), min_group_size=min_group_size)
    writes = _Writes()
    outcomes = [_decide(entry, contexts, ballots, teams, writes) for entry in entries]
    await _apply(connection, ballots, stored, writes)
    return outcomes


def _decide(
    entry: Input,
    contexts: dict[str, Any],
    ballots: dict[tuple[int, str], _Ballot],
    teams: set[str],
    writes: _Writes,
) -> AnswerOutcome:
    context = contexts.get(entry.token)
    if context is None:
        return AnswerOutcome.UNKNOWN_TOKEN
    if context.window_closed or entry.now >= context.closes_at:
        return AnswerOutcome.CLOSED
    content, is_text = entry.content, isinstance(entry.content, str)
    if not is_text and entry.item not in context._mapping["items"]:
        return AnswerOutcome.UNKNOWN_ITEM
    key = (context.delivery_id, entry.item)
    existing = ballots.get(key)
    if existing is not None and is_stale(entry.acted_at, existing.acted_at):
        return AnswerOutcome.STALE
    if content is None:  # a skip only marks the ballot; anything already given stays
        if existing is not None:
            return AnswerOutcome.UNCHANGED
        ballots[key] = _Ballot()
        return AnswerOutcome.RECORDED
    if existing is not None and (existing.comment_id if is_text else existing.answer_id):
        _acted(existing, entry.acted_at)
        return _change(existing, content, writes)
    group = context.group if _reportable(context, teams) else None
    row = new_row(context, item=entry.item, content=content, group=group)
    ballot_now = existing or _Ballot()
    _acted(ballot_now, entry.acted_at)
    if ballot_now.id is not None:
        ballot_now.new_link = "comment_id" if is_text else "answer_id"
    if isinstance(content, str):
        writes.comments.append(row)
        ballot_now.comment_id, ballot_now.text = row["id"], content
    else:
        writes.answers.append(row)
        ballot_now.answer_id, ballot_now.value = row["id"], content
    ballots[key] = ballot_now
    return AnswerOutcome.RECORDED


def is_stale(acted_at: float | None, last: float | None) -> bool:
    """Whether a click made at ``acted_at`` is not newer than the one the ballot holds."""
    return acted_at is not None and last is not None and acted_at <= last


def _acted(stored: _Ballot, acted_at: float | None) -> None:
    if acted_at is not None and acted_at != stored.acted_at:
        stored.acted_at, stored.acted_changed = acted_at, stored.id is not None


def _change(existing: _Ballot, content: int | str, writes: _Writes) -> AnswerOutcome:
    if isinstance(content, str):
        if existing.text == content:
            return AnswerOutcome.UNCHANGED
        existing.text = content
        assert existing.comment_id is not None
        _set(writes.comments, existing.comment_id, "text", content, writes.texts)
    else:
        if existing.value == content:
            return AnswerOutcome.UNCHANGED
        existing.value = content
        assert existing.answer_id is not None
        _set(writes.answers, existing.answer_id, "value", content, writes.values)
    return AnswerOutcome.CHANGED


def _set(
    new_rows: list[dict[str, Any]], row_id: str, name: str, content: Any, updates: Any
) -> None:
    """Change a row this batch inserts, or else remember an update of a stored row."""
    for row in new_rows:
        if row["id"] == row_id:
            row[name] = content
            return
    updates[row_id] = content


def input_context() -> sa.Select[Any]:
    """What recording an input needs to know about its message, pulse and person.

    The pulse row is held until commit: closing a window waits for the input, or the input
    waits for the close and then sees the window closed.
    """
    return (
        sa.select(
            delivery.c.token,
            delivery.c.id.label("delivery_id"),
            pulse.c.week,
            pulse.c.side,
            pulse.c["items"],
            pulse.c.closes_at,
            pulse.c.window_closed,
            person.c.id.label("person_id"),
            person.c.group,
        )
        .join(pulse, pulse.c.id == delivery.c.pulse_id)
        .join(person, person.c.id == delivery.c.person_id)
        .with_for_update(read=True, of=pulse)
    )


async def _contexts(connection: AsyncConnection, tokens: set[str]) -> dict[str, Any]:
    rows = await connection.execute(input_context().where(delivery.c.token.in_(sorted(tokens))))
    return {row.token: row for row in rows}


async def _ballots(
    connection: AsyncConnection, delivery_ids: list[int]
) -> dict[tuple[int, str], _Ballot]:
    if not delivery_ids:
        return {}
    rows = await connection.execute(
        sa.select(
            ballot.c.id,
            ballot.c.delivery_id,
            ballot.c.item,
            ballot.c.answer_id,
            ballot.c.comment_id,
            ballot.c.acted_at,
            answer.c.value,
            comment.c.text,
        )
        .select_from(ballot)
        .outerjoin(answer, answer.c.id == ballot.c.answer_id)
        .outerjoin(comment, comment.c.id == ballot.c.comment_id)
        .where(ballot.c.delivery_id.in_(sorted(set(delivery_ids))))
    )
    return {
        (row.delivery_id, row.item): _Ballot(
            id=row.id,
            answer_id=row.answer_id,
            comment_id=row.comment_id,
            value=row.value,
            text=row.text,
            acted_at=row.acted_at,
        )
        for row in rows
    }


async def _large_teams(
    connection: AsyncConnection, contexts: Any, *, min_group_size: int
) -> set[str]:
    """The employee teams among ``contexts`` with at least ``min_group_size`` active members."""
    groups = sorted(
        {c.group for c in contexts if c.group is not None and c.side == Side.EMPLOYEE.value}
    )
    if not groups:
        return set()
    rows = await connection.execute(
        sa.select(person.c.group, sa.func.count())
        .where(
            person.c.side == Side.EMPLOYEE.value,
            person.c.status == PersonStatus.ACTIVE.value,
            person.c.group.in_(groups),
        )
        .group_by(person.c.group)
    )
    return {group for group, members in rows if members >= min_group_size}


def _reportable(context: Any, teams: set[str]) -> bool:
    if context.group is None or context.side == Side.CUSTOMER.value:
        return context.group is not None
    return context.group in teams


def new_row(context: Any, *, item: str, content: int | str, group: str | None) -> dict[str, Any]:
    """An answer or comment row; employees' rows never name the person."""
    side = Side(context.side)
    row: dict[str, Any] = {
        "id": new_id(),
        "item": item,
        "side": side.value,
        "week": context.week,
        "group": group,
        # Employees' answers are anonymous in storage: the row never names the person.
        "respondent_id": context.person_id if side is Side.CUSTOMER else None,
        "value": None,
        "text": None,
    }
    row["text" if isinstance(content, str) else "value"] = content
    return row


async def _apply(
    connection: AsyncConnection,
    ballots: dict[tuple[int, str], _Ballot],
    stored: set[tuple[int, str]],
    writes: _Writes,
) -> None:
    if writes.answers:
        await connection.execute(
            sa.insert(answer), [{k: v for k, v in r.items() if k != "text"} for r in writes.answers]
        )
    if writes.comments:
        await connection.execute(
            sa.insert(comment),
            [{k: v for k, v in r.items() if k != "value"} for r in writes.comments],
        )
    new = [
        {
            "delivery_id": key[0],
            "item": key[1],
            "answer_id": b.answer_id,
            "comment_id": b.comment_id,
            "acted_at": b.acted_at,
        }
        for key, b in ballots.items()
        if key not in stored
    ]
    if new:
        await connection.execute(sa.insert(ballot), new)
    for key in sorted(stored):  # a skipped question answered now: link the stored ballot
        await _link(connection, ballots[key])
    for key in sorted(stored):
        if (moved := ballots[key]).acted_changed:
            await connection.execute(
                sa.update(ballot).where(ballot.c.id == moved.id).values(acted_at=moved.acted_at)
            )
    for row_id, value in writes.values.items():
        await connection.execute(sa.update(answer).where(answer.c.id == row_id).values(value=value))
    for row_id, text in writes.texts.items():
        await connection.execute(sa.update(comment).where(comment.c.id == row_id).values(text=text))


async def _link(connection: AsyncConnection, stored: _Ballot) -> None:
    if stored.new_link is None:
        return
    link = ballot.c[stored.new_link]
    result = await connection.execute(
        sa.update(ballot)
        .where(ballot.c.id == stored.id, link.is_(None))
        .values({link.key: getattr(stored, stored.new_link)})
    )
    if result.rowcount != 1:
        raise LostRace
