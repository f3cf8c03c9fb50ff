"""What the planner and the operator read and write: the org-wide pause, samples, the week.

A customer sample is stored in one transaction together with the customers' ``last_asked_at``
and only if the pulse has no questions yet, so running the planner twice (or on two replicas
at once) never samples a second set of customers for the same week.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from pulse_mirror.storage.deliveries.outbox import new_token
from pulse_mirror.storage.planning import PlanningStore
from pulse_mirror.storage.store import utc, week_text
from pulse_mirror.storage.tables import answer, ballot, delivery, person, pulse, setting
from pulse_mirror.surveys.model import IsoWeek, Side
from pulse_mirror.surveys.records import DeliveryKind, DeliveryStatus, NewDelivery

PAUSED_KEY = "paused"
_SAMPLE_LOCK = 0x70756C7366  # serialises sampling across replicas on PostgreSQL
# Rows per statement: one executemany (or one UPDATE ... FROM unnest) per chunk instead of one
# round trip per customer, which took 68-73 s of a 1,000,000-customer week (issue 18).
_CHUNK = 10_000


@dataclass(frozen=True)
class SideWeek:
    """One side's week as ``pulse status`` shows it."""

    side: Side
    planned: int = 0
    sent: int = 0
    failed: int = 0
    unknown: int = 0
    pending: int = 0
    cancelled: int = 0
    answered: int = 0
    reminders: dict[str, int] = field(default_factory=dict)

    @property
    def response_rate(self) -> float | None:
        """Answered as a share of questions sent; None before any was sent."""
        return None if self.sent == 0 else self.answered / self.sent


class OperationsStore(PlanningStore):
    """The pause, customer samples, the planner's reads and the week's counts."""

    async def is_paused(self) -> bool:
        """Whether the whole organisation's pulses are paused."""
        statement = sa.select(setting.c.value).where(setting.c.key == PAUSED_KEY)
        async with self._engine.connect() as connection:
            value = (await connection.execute(statement)).scalar_one_or_none()
        return value == "true"

    async def set_paused(self, paused: bool, *, now: dt.datetime) -> None:
        """Pause or resume every pulse of the organisation."""
        insert = self._insert(setting).values(
            key=PAUSED_KEY, value="true" if paused else "false", updated_at=now
        )
        statement = insert.on_conflict_do_update(
            index_elements=[setting.c.key],
            set_={"value": insert.excluded.value, "updated_at": insert.excluded.updated_at},
        )
        async with self._engine.begin() as connection:
            await connection.execute(statement)

    async def enqueue_sample(
        self, *, pulse_id: int, deliveries: Sequence[NewDelivery], asked: Mapping[int, dt.datetime]
    ) -> int:
        """Store a customer sample once: its messages and when each customer is asked.

        Returns how many messages were stored; 0 when the pulse already has its sample.
        """
        async with self._engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                await connection.execute(
                    sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SAMPLE_LOCK}
                )
            existing = await connection.execute(
                sa.select(sa.func.count())
                .select_from(delivery)
                .where(
                    delivery.c.pulse_id == pulse_id,
                    delivery.c.kind == DeliveryKind.QUESTION.value,
                )
            )
            if existing.scalar_one() > 0 or not deliveries:
                return 0
            rows = [
                {
                    "key": new.key,
                    "pulse_id": new.pulse_id,
                    "person_id": new.person_id,
                    "kind": new.kind.value,
                    "due_at": new.due_at,
                    "status": DeliveryStatus.PENDING.value,
                    "attempts": 0,
                    "token": new_token(),
                }
                for new in {row.key: row for row in deliveries}.values()
            ]
            for start in range(0, len(rows), _CHUNK):
                await connection.execute(sa.insert(delivery), rows[start : start + _CHUNK])
            await _mark_asked(connection, asked)
            return len(rows)

    async def bring_forward(self, week: IsoWeek, *, now: dt.datetime) -> int:
        """Make the week's pending questions due at ``now`` (``pulse send-now``)."""
        pulses = sa.select(pulse.c.id).where(pulse.c.week == week_text(week))
        statement = (
            sa.update(delivery)
            .where(
                delivery.c.pulse_id.in_(pulses),
                delivery.c.kind == DeliveryKind.QUESTION.value,
                delivery.c.status == DeliveryStatus.PENDING.value,
                delivery.c.due_at > now,
            )
            .values(due_at=now)
        )
        async with self._engine.begin() as connection:
            result = await connection.execute(statement)
        return result.rowcount

    async def next_due(self) -> dt.datetime | None:
        """When the next pending message is due, if any."""
        statement = sa.select(sa.func.min(delivery.c.due_at)).where(
            delivery.c.status == DeliveryStatus.PENDING.value
        )
        async with self._engine.connect() as connection:
            value = (await connection.execute(statement)).scalar_one_or_none()
        if not isinstance(value, dt.datetime):  # SQLite hands an aggregate back as text
            return (
                None
                if value is None
                else dt.datetime.fromisoformat(str(value)).replace(tzinfo=dt.UTC)
            )
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)

    async def week_summary(self, week: IsoWeek) -> list[SideWeek]:
        """Per side: the week's messages by status, how many answered, reminders by status."""
        summaries: list[SideWeek] = []
        async with self._engine.connect() as connection:
            for side in Side:
                pulse_id = (
                    await connection.execute(
                        sa.select(pulse.c.id).where(
                            pulse.c.week == week_text(week), pulse.c.side == side.value
                        )
                    )
                ).scalar_one_or_none()
                if pulse_id is None:
                    summaries.append(SideWeek(side=side))
                    continue
                summaries.append(
                    await _side_week(connection, side=side, week=week, pulse_id=pulse_id)
                )
        return summaries


async def _mark_asked(connection: AsyncConnection, asked: Mapping[int, dt.datetime]) -> None:
    """Set each customer's ``last_asked_at`` in a few set-based statements."""
    pairs = sorted(asked.items())  # in key order: rows are locked in one order by every writer
    if connection.dialect.name == "postgresql":
        statement = sa.text(
            "UPDATE person SET last_asked_at = v.at"
            " FROM unnest(CAST(:ids AS integer[]), CAST(:ats AS timestamptz[])) AS v(id, at)"
            " WHERE person.id = v.id"
        )
        for start in range(0, len(pairs), _CHUNK):
            chunk = pairs[start : start + _CHUNK]
            await connection.execute(
                statement,
                {"ids": [key for key, _ in chunk], "ats": [utc(at) for _, at in chunk]},
            )
        return
    update = (
        sa.update(person)
        .where(person.c.id == sa.bindparam("person_key"))
        .values(last_asked_at=sa.bindparam("asked_at"))
    )
    for start in range(0, len(pairs), _CHUNK):
        chunk = pairs[start : start + _CHUNK]
        await connection.execute(update, [{"person_key": k, "asked_at": at} for k, at in chunk])


async def _side_week(
    connection: AsyncConnection, *, side: Side, week: IsoWeek, pulse_id: int
) -> SideWeek:
    rows = (
        await connection.execute(
            sa.select(delivery.c.kind, delivery.c.status, sa.func.count())
            .where(delivery.c.pulse_id == pulse_id)
            .group_by(delivery.c.kind, delivery.c.status)
        )
    ).all()
    questions: dict[str, int] = {}
    reminders: dict[str, int] = {}
    for kind, status, count in rows:
        target = questions if kind == DeliveryKind.QUESTION.value else reminders
        target[status] = target.get(status, 0) + count
    with_ballot = (
        await connection.execute(
            sa.select(sa.func.count(sa.distinct(ballot.c.delivery_id)))
            .select_from(ballot.join(delivery, delivery.c.id == ballot.c.delivery_id))
            .where(delivery.c.pulse_id == pulse_id)
        )
    ).scalar_one()
    # After the window closes the ballots are gone; the busiest item still tells how many.
    per_item = (
        (
            await connection.execute(
                sa.select(sa.func.count())
                .where(answer.c.week == week_text(week), answer.c.side == side.value)
                .group_by(answer.c.item)
            )
        )
        .scalars()
        .all()
    )
    return SideWeek(
        side=side,
        planned=sum(questions.values()),
        sent=questions.get(DeliveryStatus.SENT.value, 0),
        failed=questions.get(DeliveryStatus.FAILED.value, 0),
        unknown=questions.get(DeliveryStatus.UNKNOWN.value, 0),
        pending=questions.get(DeliveryStatus.PENDING.value, 0)
        + questions.get(DeliveryStatus.CLAIMED.value, 0),
        cancelled=questions.get(DeliveryStatus.CANCELLED.value, 0),
        answered=max([with_ballot, *per_item]),
        reminders=reminders,
    )
