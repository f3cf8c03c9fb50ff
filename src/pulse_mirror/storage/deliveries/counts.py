"""The outbox in numbers, for /metrics: messages per platform and status, and how many are due.

One grouped query per scrape: a scrape every 15 seconds must cost the database next to nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from pulse_mirror.storage.store import Store, utc
from pulse_mirror.storage.tables import delivery, person
from pulse_mirror.surveys.records import DeliveryStatus


@dataclass(frozen=True)
class DeliveryCount:
    """How many messages to one platform are in one status; ``due``: pending and due by now."""

    platform: str
    status: DeliveryStatus
    count: int
    due: int


class DeliveryCounts(Store):
    """Counts of the outbox, grouped by the recipient's platform and the message's status."""

    async def delivery_counts(self, *, now: dt.datetime) -> list[DeliveryCount]:
        """Every (platform, status) pair that has messages, with how many are due at ``now``."""
        due = sa.func.sum(
            sa.case(
                (
                    sa.and_(
                        delivery.c.status == DeliveryStatus.PENDING.value,
                        delivery.c.due_at <= utc(now),
                    ),
                    1,
                ),
                else_=0,
            )
        )
        statement = (
            sa.select(person.c.platform, delivery.c.status, sa.func.count(), due)
            .select_from(delivery.join(person, person.c.id == delivery.c.person_id))
            .group_by(person.c.platform, delivery.c.status)
        )
        async with self._engine.connect() as connection:
            rows = (await connection.execute(statement)).all()
        return [
            DeliveryCount(
                platform=platform, status=DeliveryStatus(status), count=count, due=int(pending or 0)
            )
            for platform, status, count, pending in rows
        ]
