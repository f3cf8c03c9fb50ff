"""The outbox: messages stored before they are sent, claimed atomically, then recorded."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from pulse_mirror.storage.store import Store
from pulse_mirror.storage.tables import delivery
from pulse_mirror.surveys.records import DeliveryKind, DeliveryRecord, DeliveryStatus, NewDelivery

TOKEN_BYTES = 16  # 22 URL-safe characters: unguessable, and short enough for callback data


def new_token() -> str:
    """An unguessable token for a message's buttons."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def delivery_record(row: Any) -> DeliveryRecord:
    """A delivery row as a record."""
    return DeliveryRecord(
        id=row.id,
        key=row.key,
        pulse_id=row.pulse_id,
        person_id=row.person_id,
        kind=DeliveryKind(row.kind),
        due_at=row.due_at,
        status=DeliveryStatus(row.status),
        attempts=row.attempts,
        claimed_by=row.claimed_by,
        claimed_at=row.claimed_at,
        platform_message_id=row.platform_message_id,
        last_error=row.last_error,
        token=row.token,
        sent_at=row.sent_at,
    )


_CLAIMED = delivery.c.status == DeliveryStatus.CLAIMED.value
_PENDING = delivery.c.status == DeliveryStatus.PENDING.value


class OutboxStore(Store):
    """Every message the bot sends."""

    async def enqueue(self, deliveries: Sequence[NewDelivery]) -> int:
        """Add messages whose key is not yet known; return how many were new."""
        unique = {new.key: new for new in deliveries}
        if not unique:
            return 0
        rows = [
            {
                "key": key,
                "pulse_id": new.pulse_id,
                "person_id": new.person_id,
                "kind": new.kind.value,
                "due_at": new.due_at,
                "status": DeliveryStatus.PENDING.value,
                "attempts": 0,
                "token": new_token(),
            }
            for key, new in unique.items()
        ]
        statement = (
            self._insert(delivery)
            .on_conflict_do_nothing(index_elements=[delivery.c.key])
            .returning(delivery.c.id)
        )
        async with self._engine.begin() as connection:
            result = await connection.execute(statement, rows)
            return len(result.all())

    async def mark_sent(self, delivery_id: int, *, message_id: str, now: dt.datetime) -> bool:
        """Record a claimed message as sent; False if it was not claimed."""
        return await self._finish(
            delivery_id,
            status=DeliveryStatus.SENT,
            platform_message_id=message_id,
            sent_at=now,
            last_error=None,
        )

    async def mark_failed(
        self, delivery_id: int, *, error: str, retry_at: dt.datetime | None = None
    ) -> bool:
        """Record a failed send: pending again at ``retry_at``, or failed for good without it."""
        if retry_at is None:
            return await self._finish(delivery_id, status=DeliveryStatus.FAILED, last_error=error)
        return await self._finish(
            delivery_id,
            status=DeliveryStatus.PENDING,
            last_error=error,
            due_at=retry_at,
            claimed_by=None,
            claimed_at=None,
        )

    async def mark_unknown(self, delivery_id: int, *, error: str) -> bool:
        """Record a send whose outcome is unknown; it is never resent automatically."""
        return await self._finish(delivery_id, status=DeliveryStatus.UNKNOWN, last_error=error)

    async def _finish(self, delivery_id: int, *, status: DeliveryStatus, **values: Any) -> bool:
        # Only a claimed row may be finished: a released or cancelled one stays as it is.
        statement = (
            sa.update(delivery)
            .where(delivery.c.id == delivery_id, _CLAIMED)
            .values(status=status.value, **values)
        )
        async with self._engine.begin() as connection:
            result = await connection.execute(statement)
        return result.rowcount > 0

    async def release_claimed(self, worker: str) -> int:
        """Put a worker's claimed messages back to pending; return how many."""
        statement = (
            sa.update(delivery)
            .where(_CLAIMED, delivery.c.claimed_by == worker)
            .values(status=DeliveryStatus.PENDING.value, claimed_by=None, claimed_at=None)
        )
        async with self._engine.begin() as connection:
            result = await connection.execute(statement)
        return result.rowcount

    async def cancel_pending(self, person_id: int) -> int:
        """Cancel a person's pending messages; return how many."""
        statement = (
            sa.update(delivery)
            .where(delivery.c.person_id == person_id, _PENDING)
            .values(status=DeliveryStatus.CANCELLED.value)
        )
        async with self._engine.begin() as connection:
            result = await connection.execute(statement)
        return result.rowcount

    async def count_by_status(self) -> dict[DeliveryStatus, int]:
        """How many messages are in each status (every status present, zero if none)."""
        statement = sa.select(delivery.c.status, sa.func.count()).group_by(delivery.c.status)
        async with self._engine.connect() as connection:
            rows = (await connection.execute(statement)).all()
        counts = dict.fromkeys(DeliveryStatus, 0)
        for status, count in rows:
            counts[DeliveryStatus(status)] = count
        return counts

    async def delivery_by_token(self, token: str) -> DeliveryRecord | None:
        """The message carrying this callback token, if any."""
        return await self._one(delivery.c.token == token)

    async def delivery_by_key(self, key: str) -> DeliveryRecord | None:
        """The message with this outbox key, if any."""
        return await self._one(delivery.c.key == key)

    async def _one(self, condition: sa.ColumnElement[bool]) -> DeliveryRecord | None:
        async with self._engine.connect() as connection:
            row = (await connection.execute(sa.select(delivery).where(condition))).first()
        return None if row is None else delivery_record(row)
