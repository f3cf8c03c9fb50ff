"""Comment waits: one per customer, replaced by a newer one, gone when expired or erased."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from pulse_mirror.storage.repository import SqlRepository
from pulse_mirror.storage.tables import comment_wait
from pulse_mirror.surveys.model import Side
from pulse_mirror.surveys.records import DeliveryRecord, PersonRecord
from tests.storage.builders import ITEMS, NOW, WEEK, add_person, add_pulse, deliver

WAIT = dt.timedelta(minutes=30)


async def _rows(engine: AsyncEngine) -> list[tuple[int, int]]:
    async with engine.connect() as connection:
        found = await connection.execute(
            sa.select(comment_wait.c.person_id, comment_wait.c.delivery_id).order_by(
                comment_wait.c.person_id
            )
        )
        return [(row.person_id, row.delivery_id) for row in found]


async def _customers(
    repository: SqlRepository, *users: str
) -> list[tuple[PersonRecord, DeliveryRecord]]:
    pulse = await add_pulse(repository, side=Side.CUSTOMER)
    made = []
    for user in users:
        person = await add_person(repository, side=Side.CUSTOMER, user=user)
        made.append((person, await deliver(repository, pulse=pulse, person=person)))
    return made


async def test_a_wait_is_read_until_it_expires_then_deleted(
    repository: SqlRepository, engine: AsyncEngine
) -> None:
    [(person, message)] = await _customers(repository, "C1")
    assert await repository.comment_wait_token(person.id, now=NOW) is None

    await repository.set_comment_wait(
        person_id=person.id, delivery_id=message.id, expires_at=NOW + WAIT
    )
    assert await repository.comment_wait_token(person.id, now=NOW + WAIT / 2) == message.token
    assert await _rows(engine) == [(person.id, message.id)]

    assert await repository.comment_wait_token(person.id, now=NOW + WAIT) is None
    assert await _rows(engine) == []  # read expired: deleted there and then


async def test_a_newer_wait_replaces_the_older_one(
    repository: SqlRepository, engine: AsyncEngine
) -> None:
    [(person, first)] = await _customers(repository, "C1")
    next_week = await repository.get_or_create_pulse(
        week=WEEK.shift(1), side=Side.CUSTOMER, items=ITEMS,
        opens_at=NOW + dt.timedelta(days=7), closes_at=NOW + dt.timedelta(days=10),
    )  # fmt: skip
    second = await deliver(repository, pulse=next_week, person=person)

    await repository.set_comment_wait(person_id=person.id, delivery_id=first.id, expires_at=NOW)
    await repository.set_comment_wait(
        person_id=person.id, delivery_id=second.id, expires_at=NOW + WAIT
    )

    assert await _rows(engine) == [(person.id, second.id)]
    assert await repository.comment_wait_token(person.id, now=NOW) == second.token


async def test_clearing_on_a_token_leaves_a_wait_on_another_message(
    repository: SqlRepository, engine: AsyncEngine
) -> None:
    [(person, message)] = await _customers(repository, "C1")
    await repository.set_comment_wait(
        person_id=person.id, delivery_id=message.id, expires_at=NOW + WAIT
    )

    assert not await repository.clear_comment_wait(person.id, token="NotThisMessage1")
    assert await _rows(engine) == [(person.id, message.id)]
    assert await repository.clear_comment_wait(person.id, token=message.token)
    assert await _rows(engine) == []

    await repository.set_comment_wait(
        person_id=person.id, delivery_id=message.id, expires_at=NOW + WAIT
    )
    assert await repository.clear_comment_wait(person.id)
    assert not await repository.clear_comment_wait(person.id)


async def test_expired_waits_are_swept_and_live_ones_kept(
    repository: SqlRepository, engine: AsyncEngine
) -> None:
    made = await _customers(repository, "C1", "C2", "C3")
    for minutes, (person, message) in zip((10, 20, 40), made, strict=True):
        await repository.set_comment_wait(
            person_id=person.id,
            delivery_id=message.id,
            expires_at=NOW + dt.timedelta(minutes=minutes),
        )

    assert await repository.delete_expired_comment_waits(NOW + dt.timedelta(minutes=20)) == 2
    assert await _rows(engine) == [(made[2][0].id, made[2][1].id)]
    assert await repository.delete_expired_comment_waits(NOW + dt.timedelta(minutes=20)) == 0


async def test_export_lists_the_wait_and_delete_erases_it(
    repository: SqlRepository, engine: AsyncEngine
) -> None:
    (person, message), (other, theirs) = await _customers(repository, "C1", "C2")
    for who, what in ((person, message), (other, theirs)):
        await repository.set_comment_wait(
            person_id=who.id, delivery_id=what.id, expires_at=NOW + WAIT
        )

    exported = await repository.export_customer(person.id)
    assert exported is not None
    assert exported["comment_awaited"] == [
        {"week": str(WEEK), "kind": "question", "until": (NOW + WAIT).isoformat()}
    ]
    assert await repository.delete_customer(person.id)
    assert await _rows(engine) == [(other.id, theirs.id)]  # everybody else's wait is untouched

    await repository.clear_comment_wait(other.id)
    exported = await repository.export_customer(other.id)
    assert exported is not None and exported["comment_awaited"] == []
