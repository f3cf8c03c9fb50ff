"""Comment waits: which customer's next text message is a comment, and on which message.

One row per customer, replaced by a newer tap on "comment". A wait found expired when read is
deleted there and then; the housekeeping job deletes the ones nobody came back for.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from pulse_mirror.storage.store import Store, utc
from pulse_mirror.storage.tables import comment_wait, delivery


class CommentWaitStore(Store):
    """The comment waits of customers, kept across restarts and shared by replicas."""

    async def set_comment_wait(
        self, *, person_id: int, delivery_id: int, expires_at: dt.datetime
    ) -> None:
        """Take the person's next text as a comment on this message until ``expires_at``."""
        insert = self._insert(comment_wait).values(
            person_id=person_id, delivery_id=delivery_id, expires_at=utc(expires_at)
        )
        statement = insert.on_conflict_do_update(
            index_elements=[comment_wait.c.person_id],
            set_={
                "delivery_id": insert.excluded.delivery_id,
                "expires_at": insert.excluded.expires_at,
            },
        )
        async with self._engine.begin() as connection:
            await connection.execute(statement)

    async def comment_wait_token(self, person_id: int, *, now: dt.datetime) -> str | None:
        """The token of the message the person's next text comments on; None if none awaited.

        A wait that has expired by ``now`` is deleted, not returned.
        """
        now = utc(now)
        statement = (
            sa.select(delivery.c.token, comment_wait.c.expires_at)
            .join(delivery, delivery.c.id == comment_wait.c.delivery_id)
            .where(comment_wait.c.person_id == person_id)
        )
        async with self._engine.begin() as connection:
            row = (await connection.execute(statement)).first()
            if row is None:
                return None
            if now < row.expires_at:
                return str(row.token)
            # Only the expired one: a newer tap may have replaced it since the read.
            await connection.execute(
                sa.delete(comment_wait).where(
                    comment_wait.c.person_id == person_id, comment_wait.c.expires_at <= now
                )
            )
        return None

    async def clear_comment_wait(self, person_id: int, *, token: str | None = None) -> bool:
        """Stop waiting for the person's comment (only on ``token``'s message, if given).

        Returns whether a wait was deleted.
        """
        condition = comment_wait.c.person_id == person_id
        if token is not None:
            on_message = sa.select(delivery.c.id).where(delivery.c.token == token)
            condition = condition & comment_wait.c.delivery_id.in_(on_message.scalar_subquery())
        async with self._engine.begin() as connection:
            result = await connection.execute(sa.delete(comment_wait).where(condition))
        return bool(result.rowcount)

    async def delete_expired_comment_waits(self, now: dt.datetime) -> int:
        """Delete every wait that has expired by ``now``; return how many."""
        statement = sa.delete(comment_wait).where(comment_wait.c.expires_at <= utc(now))
        async with self._engine.begin() as connection:
            result = await connection.execute(statement)
        return int(result.rowcount)
