"""A customer's rights: /mydata shows everything stored, /delete removes everything personal."""

from __future__ import annotations

import json

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from pulse_mirror.storage.repository import SqlRepository
from pulse_mirror.storage.tables import answer, ballot, comment, delivery, person
from pulse_mirror.surveys.model import Side
from tests.reads import answer_histograms
from tests.storage.builders import NOW, WEEK, add_person, add_pulse, deliver


async def _count(engine: AsyncEngine, table: sa.Table) -> int:
    async with engine.connect() as connection:
        return (
            await connection.execute(sa.select(sa.func.count()).select_from(table))
        ).scalar_one()


async def _customer_with_history(repository: SqlRepository) -> tuple[int, int]:
    pulse = await add_pulse(repository, side=Side.CUSTOMER)
    customer = await add_person(repository, side=Side.CUSTOMER, user="C1", group="smb")
    other = await add_person(repository, side=Side.CUSTOMER, user="C2", group="smb")
    for who, value in ((customer, 2), (other, 6)):
        message = await deliver(repository, pulse=pulse, person=who)
        await repository.record_answer(token=message.token, item="effort_in", value=value, now=NOW)
        await repository.record_comment(
            token=message.token, item="change_out", text=f"note {value}", now=NOW
        )
    return customer.id, other.id


async def test_export_lists_the_profile_answers_comments_and_messages(
    repository: SqlRepository,
) -> None:
    customer_id, _ = await _customer_with_history(repository)

    exported = await repository.export_customer(customer_id)

    assert exported is not None
    json.dumps(exported)  # ready to send as a file
    profile = exported["person"]
    assert isinstance(profile, dict)
    assert profile["platform_user_id"] == "C1"
    assert profile["consent_at"] == NOW.isoformat()
    assert exported["answers"] == [
        {"week": str(WEEK), "item": "effort_in", "value": 2, "group": "smb"}
    ]
    assert exported["comments"] == [
        {"week": str(WEEK), "item": "change_out", "text": "note 2", "group": "smb"}
    ]
    messages = exported["messages"]
    assert isinstance(messages, list)
    assert [(m["week"], m["kind"], m["status"]) for m in messages] == [
        (str(WEEK), "question", "sent")
    ]


async def test_export_is_only_for_customers(repository: SqlRepository) -> None:
    employee = await add_person(repository, side=Side.EMPLOYEE, user="U1")

    assert await repository.export_customer(employee.id) is None
    assert await repository.export_customer(12345) is None
    assert not await repository.delete_customer(employee.id)
    assert await repository.get_person(employee.id) is not None


async def test_delete_removes_the_customer_and_everything_they_left(
    repository: SqlRepository, engine: AsyncEngine
) -> None:
    customer_id, other_id = await _customer_with_history(repository)

    assert await repository.delete_customer(customer_id)
    assert not await repository.delete_customer(customer_id)

    assert await repository.get_person(customer_id) is None
    assert await repository.export_customer(customer_id) is None
    async with engine.connect() as connection:
        for table, column in (
            (answer, answer.c.respondent_id),
            (comment, comment.c.respondent_id),
            (delivery, delivery.c.person_id),
        ):
            left = await connection.execute(sa.select(table).where(column == customer_id))
            assert left.all() == [], table.name
    # Everybody else's data is untouched.
    assert await _count(engine, person) == 1
    assert await _count(engine, answer) == 1
    assert await _count(engine, comment) == 1
    assert await _count(engine, ballot) == 2
    assert await repository.export_customer(other_id) is not None
    assert await answer_histograms(repository, WEEK, Side.CUSTOMER) == {"effort_in": {6: 1}}
