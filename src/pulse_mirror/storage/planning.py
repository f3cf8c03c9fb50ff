"""What the planner reads at size: who is still to be asked, and the sample's base as ids.

A week for 50,000 employees and 1,000,000 customers must plan in bounded memory, and the plan
job re-runs every 15 minutes. So the planner never loads every customer: it reads how many
may be asked and, in id order and in pages, only the ids of those not asked recently (8 bytes
each); full records are read only for the customers picked. A re-run reads only employees who
do not have the week's question yet, and nothing about customers once the sample is stored.
"""

from __future__ import annotations

import datetime as dt
from array import array
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from pulse_mirror.storage.people import person_record
from pulse_mirror.storage.store import Store
from pulse_mirror.storage.tables import delivery, person
from pulse_mirror.surveys.model import PersonStatus, Side
from pulse_mirror.surveys.records import DeliveryKind, PersonRecord

PAGE = 50_000  # ids read per round trip while streaming the sample's base
ID_CHUNK = 5_000  # ids per IN (...) list: far below either database's parameter limit


def may_be_asked(*, now: dt.datetime) -> sa.ColumnElement[bool]:
    """Active, or paused until a time now past (``weekly.may_be_asked`` in SQL)."""
    pause_over = sa.and_(
        person.c.status == PersonStatus.PAUSED.value,
        person.c.paused_until.is_not(None),
        person.c.paused_until <= now,
    )
    return sa.or_(person.c.status == PersonStatus.ACTIVE.value, pause_over)


def _questions(pulse_id: int) -> sa.Select[tuple[int]]:
    return sa.select(delivery.c.person_id).where(
        delivery.c.pulse_id == pulse_id, delivery.c.kind == DeliveryKind.QUESTION.value
    )


class PlanningStore(Store):
    """The planner's reads that stay small whatever the number of people."""

    async def people_to_ask(
        self, side: Side, *, now: dt.datetime, pulse_id: int
    ) -> list[PersonRecord]:
        """People of ``side`` who may be asked now and have no question of this pulse yet."""
        asked = _questions(pulse_id)
        if self._engine.dialect.name == "postgresql":
            # An anti-join at any size; NOT IN falls back to a per-row subplan once the ids
            # outgrow work_mem.
            without = ~sa.exists(asked.where(delivery.c.person_id == person.c.id))
        else:
            # SQLite builds one index of the ids for NOT IN; a correlated EXISTS probed the
            # pulse's messages once per person (measured: 5 s instead of 0.1 s at 5,000).
            without = person.c.id.not_in(asked)
        statement = (
            sa.select(person)
            .where(person.c.side == side.value, may_be_asked(now=now), without)
            .order_by(person.c.id)
        )
        async with self._engine.connect() as connection:
            rows = (await connection.execute(statement)).all()
        return [person_record(row) for row in rows]

    async def has_questions(self, pulse_id: int) -> bool:
        """Whether the pulse has any question stored (for customers: its sample is drawn)."""
        statement = sa.select(sa.exists(_questions(pulse_id)))
        async with self._engine.connect() as connection:
            return bool((await connection.execute(statement)).scalar_one())

    async def sample_base(
        self, *, now: dt.datetime, asked_before: dt.datetime
    ) -> tuple[int, Sequence[int]]:
        """Customers who may be asked: how many, and the ids (ascending) of those eligible.

        Eligible means consented, may be asked now, and never asked or last asked at or
        before ``asked_before``.
        """
        base = (
            person.c.side == Side.CUSTOMER.value,
            person.c.consent_at.is_not(None),
            may_be_asked(now=now),
        )
        counted = sa.select(sa.func.count()).select_from(person).where(*base)
        eligible = (
            sa.select(person.c.id)
            .where(
                *base,
                sa.or_(person.c.last_asked_at.is_(None), person.c.last_asked_at <= asked_before),
            )
            .order_by(person.c.id)
            .execution_options(yield_per=PAGE)
        )
        ids: array[int] = array("q")
        async with self._engine.connect() as connection:
            pool = int((await connection.execute(counted)).scalar_one())
            result = await connection.stream(eligible)
            async for page in result.partitions(PAGE):
                ids.extend(row[0] for row in page)
        return pool, ids

    async def people_by_id(self, ids: Sequence[int]) -> list[PersonRecord]:
        """The people with these ids, in id order (unknown ids are left out)."""
        found: list[PersonRecord] = []
        async with self._engine.connect() as connection:
            for start in range(0, len(ids), ID_CHUNK):
                chunk = list(ids[start : start + ID_CHUNK])
                statement = sa.select(person).where(self._one_of(chunk))
                found += [person_record(row) for row in await connection.execute(statement)]
        return sorted(found, key=lambda record: record.id)

    def _one_of(self, chunk: list[int]) -> sa.ColumnElement[bool]:
        if self._engine.dialect.name == "postgresql":
            # One array parameter: the driver parses a 5,000-parameter IN list on every call
            # (measured: 13% of a PostgreSQL plan).
            ids = sa.bindparam("ids", chunk, type_=postgresql.ARRAY(sa.Integer))
            return person.c.id == sa.any_(ids)
        return person.c.id.in_(chunk)
