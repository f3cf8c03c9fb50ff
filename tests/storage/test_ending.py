"""Ending a week's windows early (``pulse close-window``): the same close as at the planned end."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from pulse_mirror.storage.answers.ending import EndedWindow, end_week_windows
from pulse_mirror.storage.repository import SqlRepository
from pulse_mirror.storage.tables import ballot, pulse
from pulse_mirror.surveys.model import Side
from pulse_mirror.surveys.records import AnswerOutcome
from tests.storage.builders import NOW, WEEK, add_person, add_pulse, deliver


async def test_ending_the_week_closes_its_windows_now_and_refuses_a_later_answer(
    repository: SqlRepository, engine: AsyncEngine
) -> None:
    employees = await add_pulse(repository, side=Side.EMPLOYEE)
    customers = await add_pulse(repository, side=Side.CUSTOMER, items=("effort_out",))
    people = [await add_person(repository, side=Side.EMPLOYEE, user=f"U{i}") for i in range(3)]
    messages = [await deliver(repository, pulse=employees, person=person) for person in people]
    for message in messages[:2]:
        await repository.record_answer(token=message.token, item="effort_in", value=4, now=NOW)
    at = NOW + dt.timedelta(hours=1)

    ended = await end_week_windows(engine, week=WEEK, now=at)

    assert ended == [
        EndedWindow(Side.CUSTOMER, customers.closes_at),
        EndedWindow(Side.EMPLOYEE, employees.closes_at),
    ]
    async with engine.connect() as connection:
        rows = (await connection.execute(sa.select(pulse.c.closes_at, pulse.c.window_closed))).all()
        ballots = (await connection.execute(sa.select(ballot))).all()
    assert {(closes, closed) for closes, closed in rows} == {(at, True)}
    assert ballots == []  # nothing links the two answers to their people any more
    late = await repository.record_answer(
        token=messages[2].token, item="effort_in", value=7, now=at
    )
    assert late is AnswerOutcome.CLOSED
    assert await end_week_windows(engine, week=WEEK, now=at + dt.timedelta(minutes=1)) == []


async def test_a_window_already_over_keeps_its_planned_close(
    repository: SqlRepository, engine: AsyncEngine
) -> None:
    employees = await add_pulse(repository, side=Side.EMPLOYEE)
    after = employees.closes_at + dt.timedelta(hours=1)

    assert await end_week_windows(engine, week=WEEK, now=after) == []

    async with engine.connect() as connection:
        [(closes, closed)] = (
            await connection.execute(sa.select(pulse.c.closes_at, pulse.c.window_closed))
        ).all()
    assert (closes, closed) == (employees.closes_at, True)
