"""A customer's rights: everything stored about them, on request; deletion, on request."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from pulse_mirror.storage.store import Store
from pulse_mirror.storage.tables import (
    answer,
    ballot,
    comment,
    comment_wait,
    delivery,
    person,
    pulse,
)
from pulse_mirror.surveys.model import Side


def _iso(value: dt.datetime | None) -> str | None:
    return None if value is None else value.isoformat()


class CustomerStore(Store):
    """Export and deletion of one customer's data."""

    async def export_customer(self, person_id: int) -> dict[str, object] | None:
        """Everything stored about a customer, JSON-ready; None if there is no such customer."""
        async with self._engine.connect() as connection:
            who = await _customer(connection, person_id)
            if who is None:
                return None
            answers = await connection.execute(
                sa.select(answer.c.week, answer.c.item, answer.c.value, answer.c.group)
                .where(answer.c.respondent_id == person_id)
                .order_by(answer.c.week, answer.c.item)
            )
            comments = await connection.execute(
                sa.select(comment.c.week, comment.c.item, comment.c.text, comment.c.group)
                .where(comment.c.respondent_id == person_id)
                .order_by(comment.c.week, comment.c.item)
            )
            messages = await connection.execute(
                sa.select(
                    pulse.c.week,
                    delivery.c.kind,
                    delivery.c.status,
                    delivery.c.due_at,
                    delivery.c.sent_at,
                )
                .join(pulse, pulse.c.id == delivery.c.pulse_id)
                .where(delivery.c.person_id == person_id)
                .order_by(delivery.c.due_at)
            )
            waits = await connection.execute(
                sa.select(pulse.c.week, delivery.c.kind, comment_wait.c.expires_at)
                .join(delivery, delivery.c.id == comment_wait.c.delivery_id)
                .join(pulse, pulse.c.id == delivery.c.pulse_id)
                .where(comment_wait.c.person_id == person_id)
            )
            return {
                "person": {
                    "side": who.side,
                    "platform": who.platform,
                    "platform_user_id": who.platform_user_id,
                    "language": who.language,
                    "time_zone": who.time_zone,
                    "segment": who.group,
                    "status": who.status,
                    "paused_until": _iso(who.paused_until),
                    "consent_at": _iso(who.consent_at),
                    "last_asked_at": _iso(who.last_asked_at),
                    "created_at": _iso(who.created_at),
                },
                "answers": [dict(row._mapping) for row in answers],
                "comments": [dict(row._mapping) for row in comments],
                "messages": [
                    {
                        "week": row.week,
                        "kind": row.kind,
                        "status": row.status,
                        "due_at": _iso(row.due_at),
                        "sent_at": _iso(row.sent_at),
                    }
                    for row in messages
                ],
                # The next text message is taken as a comment on this week's message until then.
                "comment_awaited": [
                    {"week": row.week, "kind": row.kind, "until": _iso(row.expires_at)}
                    for row in waits
                ],
            }

    async def delete_customer(self, person_id: int) -> bool:
        """Delete a customer and everything they left, a comment wait too; False if unknown."""
        async with self._engine.begin() as connection:
            if await _customer(connection, person_id) is None:
                return False
            # Explicit rather than trusting ON DELETE CASCADE alone: the result must not depend
            # on a connection setting.
            messages = sa.select(delivery.c.id).where(delivery.c.person_id == person_id)
            await connection.execute(
                sa.delete(ballot).where(ballot.c.delivery_id.in_(messages.scalar_subquery()))
            )
            await connection.execute(sa.delete(answer).where(answer.c.respondent_id == person_id))
            await connection.execute(sa.delete(comment).where(comment.c.respondent_id == person_id))
            await connection.execute(
                sa.delete(comment_wait).where(comment_wait.c.person_id == person_id)
            )
            await connection.execute(sa.delete(delivery).where(delivery.c.person_id == person_id))
            await connection.execute(sa.delete(person).where(person.c.id == person_id))
        return True


async def _customer(connection: AsyncConnection, person_id: int) -> Any:
    statement = sa.select(person).where(
        person.c.id == person_id, person.c.side == Side.CUSTOMER.value
    )
    return (await connection.execute(statement)).first()
