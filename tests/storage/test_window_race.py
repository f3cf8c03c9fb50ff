"""Inputs racing the window close: every ballot goes with the close, none is left for good."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.util import await_

from pulse_mirror.storage.engine import create_engine
from pulse_mirror.storage.repository import SqlRepository
from pulse_mirror.storage.tables import answer, ballot, pulse
from pulse_mirror.surveys.model import Side
from pulse_mirror.surveys.records import AnswerOutcome
from tests.reads import close_window
from tests.storage.builders import ITEMS, NOW, WEEK, add_person, add_pulse, deliver

# How long a close that does not wait for a pending input gets to finish on its own. The
# outcome never depends on it when closing waits as it should; it only lets the test see the
# close finish early when it does not.
_GRACE_SECONDS = 1.0


async def _count(engine: AsyncEngine, table: sa.Table) -> int:
    async with engine.connect() as connection:
        return int(
            (await connection.execute(sa.select(sa.func.count()).select_from(table))).scalar_one()
        )


async def _race_one_window(
    repository: SqlRepository, replicas: list[SqlRepository], *, week_offset: int
) -> None:
    window = await repository.get_or_create_pulse(
        week=WEEK.shift(week_offset),
        side=Side.EMPLOYEE,
        items=list(ITEMS),
        opens_at=NOW,
        closes_at=NOW + dt.timedelta(days=3),
    )
    people = [
        await add_person(repository, side=Side.EMPLOYEE, user=f"U{week_offset}-{i}")
        for i in range(8)
    ]
    messages = [await deliver(repository, pulse=window, person=each) for each in people]
    inputs = [
        replicas[index % len(replicas)].record_answer(
            token=message.token, item=item, value=index % 7 + 1, now=NOW
        )
        for index, (message, item) in enumerate(
            (message, item) for message in messages for item in ITEMS
        )
    ]
    middle = len(inputs) // 3
    early = [asyncio.ensure_future(each) for each in inputs[:middle]]
    await asyncio.sleep(0)  # the first third reaches its writer's transaction before the close
    results = await asyncio.gather(*early, close_window(repository, window.id), *inputs[middle:])
    deleted = results[middle]
    outcomes = results[:middle] + results[middle + 1 :]

    assert set(outcomes) <= {AnswerOutcome.RECORDED, AnswerOutcome.CLOSED}
    # Every recorded input had its ballot deleted by the close: none was recorded after it.
    assert deleted == outcomes.count(AnswerOutcome.RECORDED)
    late = await repository.record_answer(token=messages[0].token, item=ITEMS[0], value=1, now=NOW)
    assert late is AnswerOutcome.CLOSED


async def test_many_inputs_racing_a_close_leave_no_ballot_and_none_lands_after_it(
    database_url: str, engine: AsyncEngine
) -> None:
    repository = SqlRepository(engine)
    # Separate pools, so that inputs and the close really run side by side.
    engines = [create_engine(database_url) for _ in range(4)]
    try:
        for week_offset in range(4):
            await _race_one_window(
                repository, [SqlRepository(each) for each in engines], week_offset=week_offset
            )
    finally:
        for each in engines:
            await each.dispose()

    assert await _count(engine, ballot) == 0
    async with engine.connect() as connection:
        answered = await connection.execute(sa.select(sa.func.count()).select_from(answer))
        assert answered.scalar_one() > 0  # the race is only worth something if inputs landed


async def test_an_input_that_saw_the_window_open_is_closed_with_the_others(
    database_url: str, engine: AsyncEngine
) -> None:
    repository = SqlRepository(engine)
    window = await add_pulse(repository, side=Side.EMPLOYEE)
    person = await add_person(repository, side=Side.EMPLOYEE, user="U1")
    message = await deliver(repository, pulse=window, person=person)
    recorder = create_engine(database_url)
    window_read, go_on = asyncio.Event(), asyncio.Event()

    def pause_after_the_window_check(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if "delivery.token" in statement and not window_read.is_set():
            window_read.set()
            await_(go_on.wait())  # the input has seen the window open and not yet written

    event.listen(recorder.sync_engine, "after_cursor_execute", pause_after_the_window_check)
    try:
        recording = asyncio.create_task(
            SqlRepository(recorder).record_answer(
                token=message.token, item=ITEMS[0], value=3, now=NOW
            )
        )
        await window_read.wait()
        closing = asyncio.create_task(close_window(repository, window.id))
        await asyncio.wait({closing}, timeout=_GRACE_SECONDS)
        go_on.set()
        outcome, deleted = await recording, await closing
    finally:
        go_on.set()
        await recorder.dispose()

    assert outcome is AnswerOutcome.RECORDED
    assert deleted == 1  # the close waited for the input and took its ballot
    assert await _count(engine, ballot) == 0
    assert await _count(engine, answer) == 1


async def test_closing_due_windows_deletes_ballots_left_on_closed_pulses(
    repository: SqlRepository, engine: AsyncEngine
) -> None:
    window = await add_pulse(repository, side=Side.EMPLOYEE)
    person = await add_person(repository, side=Side.EMPLOYEE, user="U1")
    message = await deliver(repository, pulse=window, person=person)
    await repository.record_answer(token=message.token, item=ITEMS[0], value=3, now=NOW)
    # A pulse marked closed whose ballot survived, as the earlier close order could leave it.
    async with engine.begin() as connection:
        await connection.execute(
            sa.update(pulse).where(pulse.c.id == window.id).values(window_closed=True)
        )
    assert await _count(engine, ballot) == 1

    repaired = await repository.close_due_windows(NOW)

    assert repaired == 1
    assert await _count(engine, ballot) == 0
    assert await _count(engine, answer) == 1
    assert await repository.close_due_windows(NOW) == 0
