"""A click's context: the message, its pulse, its recipient and what was given, in one read."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from pulse_mirror.storage.repository import SqlRepository
from pulse_mirror.surveys.model import Side
from tests.storage.builders import ITEMS, NOW, add_person, add_pulse, deliver


async def test_the_context_of_a_click_is_one_query(
    repository: SqlRepository, engine: AsyncEngine
) -> None:
    pulse = await add_pulse(repository, side=Side.EMPLOYEE)
    person = await add_person(repository, side=Side.EMPLOYEE, user="U1")
    message = await deliver(repository, pulse=pulse, person=person)
    await repository.record_answer(token=message.token, item=ITEMS[0], value=5, now=NOW)
    await repository.record_skip(token=message.token, item=ITEMS[1], now=NOW)
    await repository.record_comment(token=message.token, item="open_in", text="ok", now=NOW)
    statements: list[str] = []

    def note(_c: Any, _cur: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", note)
    try:
        found = await repository.click_context(message.token)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", note)

    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 1
    assert found is not None
    assert found.delivery == await repository.delivery_by_token(message.token)
    assert found.pulse == await repository.get_pulse(pulse.id)
    assert found.person == await repository.get_person(person.id)
    assert dict(found.given) == {ITEMS[0]: 5, ITEMS[1]: None, "open_in": None}
    assert dict(found.given) == await repository.ballot_values(message.id)


async def test_a_fresh_message_has_nothing_given_and_an_unknown_token_no_context(
    repository: SqlRepository,
) -> None:
    pulse = await add_pulse(repository, side=Side.CUSTOMER)
    person = await add_person(repository, side=Side.CUSTOMER, user="C1", group=None)
    message = await deliver(repository, pulse=pulse, person=person)

    found = await repository.click_context(message.token)

    assert found is not None and dict(found.given) == {}
    assert found.person.side is Side.CUSTOMER and found.pulse.items == ITEMS
    assert await repository.click_context("no-such-token") is None


async def test_clicks_arriving_together_share_one_read(
    repository: SqlRepository, engine: AsyncEngine
) -> None:
    pulse = await add_pulse(repository, side=Side.EMPLOYEE)
    people = [await add_person(repository, side=Side.EMPLOYEE, user=f"U{i}") for i in range(6)]
    messages = [await deliver(repository, pulse=pulse, person=each) for each in people]
    await repository.record_answer(token=messages[1].token, item=ITEMS[0], value=2, now=NOW)
    statements: list[str] = []

    def note(_c: Any, _cur: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", note)
    try:
        found = await asyncio.gather(
            *(repository.click_context(m.token) for m in messages),
            repository.click_context(messages[0].token),  # the same message twice
            repository.click_context("no-such-token"),
        )
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", note)

    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 1
    assert [f.person.platform_user_id if f else None for f in found] == [
        *(f"U{i}" for i in range(6)),
        "U0",
        None,
    ]
    assert [dict(f.given) if f else None for f in found][:2] == [{}, {ITEMS[0]: 2}]
