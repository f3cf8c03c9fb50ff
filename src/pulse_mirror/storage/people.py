"""People and pulses: who may be asked, and what each week asks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from pulse_mirror.storage.store import Store, week_text
from pulse_mirror.storage.tables import person, pulse
from pulse_mirror.surveys.model import IsoWeek, PersonStatus, Platform, Side
from pulse_mirror.surveys.records import PersonRecord, PulseRecord


def person_record(row: Any) -> PersonRecord:
    """A person row as a record."""
    return PersonRecord(
        id=row.id,
        side=Side(row.side),
        platform=Platform(row.platform),
        platform_user_id=row.platform_user_id,
        language=row.language,
        time_zone=row.time_zone,
        group=row.group,
        status=PersonStatus(row.status),
        paused_until=row.paused_until,
        consent_at=row.consent_at,
        last_asked_at=row.last_asked_at,
        created_at=row.created_at,
    )


def pulse_record(row: Any) -> PulseRecord:
    """A pulse row as a record."""
    return PulseRecord(
        id=row.id,
        week=IsoWeek.parse(row.week),
        side=Side(row.side),
        items=tuple(row._mapping["items"]),
        opens_at=row.opens_at,
        closes_at=row.closes_at,
    )


class PeopleStore(Store):
    """Employees and customers."""

    async def upsert_person(
        self,
        *,
        side: Side,
        platform: Platform,
        platform_user_id: str,
        language: str,
        time_zone: str,
        group: str | None,
        now: dt.datetime,
        consent_at: dt.datetime | None = None,
    ) -> PersonRecord:
        """Create the person or update their profile; status and history stay as they are."""
        insert = self._insert(person).values(
            side=side.value,
            platform=platform.value,
            platform_user_id=platform_user_id,
            language=language,
            time_zone=time_zone,
            group=group,
            status=PersonStatus.ACTIVE.value,
            consent_at=consent_at,
            created_at=now,
        )
        statement = insert.on_conflict_do_update(
            index_elements=[person.c.platform, person.c.platform_user_id],
            set_={
                "language": insert.excluded.language,
                "time_zone": insert.excluded.time_zone,
                "group": insert.excluded.group,
                "consent_at": sa.func.coalesce(insert.excluded.consent_at, person.c.consent_at),
            },
        ).returning(*person.c)
        async with self._engine.begin() as connection:
            row = (await connection.execute(statement)).one()
        return person_record(row)

    async def get_person(self, person_id: int) -> PersonRecord | None:
        """The person with this id, if any."""
        return await self._one_person(person.c.id == person_id)

    async def find_person(
        self, *, platform: Platform, platform_user_id: str
    ) -> PersonRecord | None:
        """The person behind a platform user id, if any."""
        return await self._one_person(
            sa.and_(
                person.c.platform == platform.value,
                person.c.platform_user_id == platform_user_id,
            )
        )

    async def _one_person(self, condition: sa.ColumnElement[bool]) -> PersonRecord | None:
        async with self._engine.connect() as connection:
            row = (await connection.execute(sa.select(person).where(condition))).first()
        return None if row is None else person_record(row)

    async def set_status(
        self, person_id: int, status: PersonStatus, *, paused_until: dt.datetime | None = None
    ) -> bool:
        """Set a person's status (and when a pause ends); False if there is no such person."""
        until = paused_until if status is PersonStatus.PAUSED else None
        statement = (
            sa.update(person)
            .where(person.c.id == person_id)
            .values(status=status.value, paused_until=until)
        )
        async with self._engine.begin() as connection:
            result = await connection.execute(statement)
        return result.rowcount > 0

    async def active_people(self, side: Side, *, now: dt.datetime) -> list[PersonRecord]:
        """People of one side who may be asked now: active, or paused until a time now past."""
        pause_over = sa.and_(
            person.c.status == PersonStatus.PAUSED.value,
            person.c.paused_until.is_not(None),
            person.c.paused_until <= now,
        )
        statement = (
            sa.select(person)
            .where(
                person.c.side == side.value,
                sa.or_(person.c.status == PersonStatus.ACTIVE.value, pause_over),
            )
            .order_by(person.c.id)
        )
        async with self._engine.connect() as connection:
            rows = (await connection.execute(statement)).all()
        return [person_record(row) for row in rows]


class PulseStore(Store):
    """One pulse per ISO week and side."""

    async def get_or_create_pulse(
        self,
        *,
        week: IsoWeek,
        side: Side,
        items: Sequence[str],
        opens_at: dt.datetime,
        closes_at: dt.datetime,
    ) -> PulseRecord:
        """The pulse of (week, side), created with these values if it does not exist yet."""
        insert = (
            self._insert(pulse)
            .values(
                week=week_text(week),
                side=side.value,
                items=list(items),
                opens_at=opens_at,
                closes_at=closes_at,
                window_closed=False,
            )
            .on_conflict_do_nothing(index_elements=[pulse.c.week, pulse.c.side])
        )
        select = sa.select(pulse).where(pulse.c.week == week_text(week), pulse.c.side == side.value)
        async with self._engine.begin() as connection:
            await connection.execute(insert)
            row = (await connection.execute(select)).one()
        return pulse_record(row)

    async def first_pulse_week(self) -> IsoWeek | None:
        """The earliest week this install planned a pulse for; None before the first plan."""
        statement = sa.select(sa.func.min(pulse.c.week))
        async with self._engine.connect() as connection:
            first = (await connection.execute(statement)).scalar_one_or_none()
        return None if first is None else IsoWeek.parse(first)

    async def get_pulse(self, pulse_id: int) -> PulseRecord | None:
        """The pulse with this id, if any."""
        async with self._engine.connect() as connection:
            row = (await connection.execute(sa.select(pulse).where(pulse.c.id == pulse_id))).first()
        return None if row is None else pulse_record(row)
