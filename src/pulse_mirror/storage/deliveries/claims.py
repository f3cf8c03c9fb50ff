"""What the dispatcher needs beyond the outbox port: claims per platform and crash recovery.

A claimed row is one the platform may already have: once claimed it is only ever finished
(sent, failed, unknown, cancelled) or handed back explicitly by the worker that holds it
before it tried to send. A worker that died with claims leaves them to :meth:`recover_stale`,
which marks them ``unknown`` and never pending, so nothing is sent twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import sqlalchemy as sa

from pulse_mirror.storage.deliveries.outbox import delivery_record
from pulse_mirror.storage.people import person_record
from pulse_mirror.storage.store import Store
from pulse_mirror.storage.tables import delivery, person
from pulse_mirror.surveys.model import Platform
from pulse_mirror.surveys.records import DeliveryRecord, DeliveryStatus, PersonRecord

_CLAIMED = delivery.c.status == DeliveryStatus.CLAIMED.value
_PENDING = delivery.c.status == DeliveryStatus.PENDING.value


class DispatchStore(Store):
    """Claims per platform, hand-backs, cancellations and stale claims."""

    async def claim_for_platform(
        self, *, platform: Platform, now: dt.datetime, limit: int, worker: str
    ) -> list[DeliveryRecord]:
        """Atomically claim up to ``limit`` due messages to people on ``platform``.

        One statement, ``WITH due AS (SELECT ... LIMIT n) UPDATE ... RETURNING``, narrowed to one
        platform so that a slow platform's backlog never holds up the other's. On PostgreSQL the
        SELECT is ``FOR UPDATE SKIP LOCKED``, so concurrent claimers pass over each other's rows
        instead of waiting, in a MATERIALIZED CTE because as a plain ``IN (subquery)`` the planner
        may rescan it per row and claim more than ``limit``. SQLite runs one writer at a time.
        """
        if limit < 1:
            return []
        on_platform = sa.select(person.c.id).where(person.c.platform == platform.value)
        due = (
            sa.select(delivery.c.id)
            .where(_PENDING, delivery.c.due_at <= now, delivery.c.person_id.in_(on_platform))
            .order_by(delivery.c.due_at, delivery.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True, of=delivery)
            .cte("due")
            .prefix_with("MATERIALIZED", dialect="postgresql")
        )
        statement = (
            sa.update(delivery)
            .where(delivery.c.id.in_(sa.select(due.c.id)), _PENDING)
            .values(
                status=DeliveryStatus.CLAIMED.value,
                claimed_by=worker,
                claimed_at=now,
                attempts=delivery.c.attempts + 1,
            )
            .returning(*delivery.c)
        )
        async with self._engine.begin() as connection:
            rows = (await connection.execute(statement)).all()
        return sorted((delivery_record(r) for r in rows), key=lambda r: (r.due_at, r.id))

    async def hand_back(self, delivery_id: int, *, due_at: dt.datetime, note: str | None) -> bool:
        """Put a claimed message that was never tried back to pending; the claim is not counted."""
        statement = (
            sa.update(delivery)
            .where(delivery.c.id == delivery_id, _CLAIMED)
            .values(
                status=DeliveryStatus.PENDING.value,
                due_at=due_at,
                claimed_by=None,
                claimed_at=None,
                attempts=sa.case((delivery.c.attempts > 0, delivery.c.attempts - 1), else_=0),
                last_error=note,
            )
        )
        async with self._engine.begin() as connection:
            result = await connection.execute(statement)
        return result.rowcount > 0

    async def cancel_claimed(self, delivery_id: int, *, reason: str) -> bool:
        """Cancel a claimed message that must not be sent (answered, window over, opted out)."""
        statement = (
            sa.update(delivery)
            .where(delivery.c.id == delivery_id, _CLAIMED)
            .values(status=DeliveryStatus.CANCELLED.value, last_error=reason)
        )
        async with self._engine.begin() as connection:
            result = await connection.execute(statement)
        return result.rowcount > 0

    async def recover_stale(self, *, now: dt.datetime, older_than: dt.timedelta) -> int:
        """Mark claims older than ``older_than`` as unknown: their worker may have sent them."""
        statement = (
            sa.update(delivery)
            .where(_CLAIMED, delivery.c.claimed_at <= now - older_than)
            .values(
                status=DeliveryStatus.UNKNOWN.value,
                last_error="the worker stopped between claim and record; may have been sent",
            )
        )
        async with self._engine.begin() as connection:
            result = await connection.execute(statement)
        return result.rowcount

    async def people_by_id(self, ids: Iterable[int]) -> dict[int, PersonRecord]:
        """The people with these ids, by id (unknown ids are left out)."""
        wanted = sorted(set(ids))
        if not wanted:
            return {}
        statement = sa.select(person).where(person.c.id.in_(wanted))
        async with self._engine.connect() as connection:
            rows = (await connection.execute(statement)).all()
        return {row.id: person_record(row) for row in rows}
