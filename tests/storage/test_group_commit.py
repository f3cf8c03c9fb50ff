"""Group commit: concurrent inputs share one transaction and each gets its own, true outcome."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from pulse_mirror.storage.answers.writer import AnswerWriter, Input
from pulse_mirror.storage.repository import SqlRepository
from pulse_mirror.storage.tables import answer, ballot
from pulse_mirror.surveys.model import Side
from pulse_mirror.surveys.records import AnswerOutcome
from tests.reads import close_window
from tests.storage.builders import ITEMS, NOW, add_person, add_pulse, deliver


async def _count(engine: AsyncEngine, table: sa.Table) -> int:
    async with engine.connect() as connection:
        return int(
            (await connection.execute(sa.select(sa.func.count()).select_from(table))).scalar_one()
        )


async def test_concurrent_clicks_are_committed_together_each_with_its_outcome(
    repository: SqlRepository, engine: AsyncEngine
) -> None:
    pulse = await add_pulse(repository, side=Side.EMPLOYEE)
    people = [await add_person(repository, side=Side.EMPLOYEE, user=f"U{i}") for i in range(30)]
    messages = [await deliver(repository, pulse=pulse, person=each) for each in people]
    closed = await add_pulse(repository, side=Side.CUSTOMER)
    late = await deliver(
        repository,
        pulse=closed,
        person=await add_person(repository, side=Side.CUSTOMER, user="C1"),
    )
    await close_window(repository, closed.id)

    outcomes = await asyncio.gather(
        *(
            repository.record_answer(token=m.token, item=ITEMS[0], value=3, now=NOW)
            for m in messages
        ),
        repository.record_answer(token="forged", item=ITEMS[0], value=3, now=NOW),
        repository.record_answer(token=late.token, item=ITEMS[0], value=3, now=NOW),
        repository.record_answer(token=messages[0].token, item="not_asked", value=3, now=NOW),
    )

    assert outcomes[:30] == [AnswerOutcome.RECORDED] * 30
    assert outcomes[30:] == [
        AnswerOutcome.UNKNOWN_TOKEN,
        AnswerOutcome.CLOSED,
        AnswerOutcome.UNKNOWN_ITEM,
    ]
    assert repository.writer.batches == 1  # one transaction for all 33 inputs
    assert await _count(engine, answer) == 30


async def test_a_double_click_and_a_change_of_mind_in_one_batch(
    repository: SqlRepository, engine: AsyncEngine
) -> None:
    pulse = await add_pulse(repository, side=Side.EMPLOYEE)
    message = await deliver(
        repository, pulse=pulse, person=await add_person(repository, side=Side.EMPLOYEE, user="U1")
    )
    token, item = message.token, ITEMS[0]

    outcomes = await asyncio.gather(
        repository.record_skip(token=token, item=item, now=NOW),
        repository.record_answer(token=token, item=item, value=4, now=NOW),
        repository.record_answer(token=token, item=item, value=4, now=NOW),
        repository.record_answer(token=token, item=item, value=6, now=NOW),
        repository.record_skip(token=token, item=item, now=NOW),
    )

    assert outcomes == [
        AnswerOutcome.RECORDED,
        AnswerOutcome.RECORDED,
        AnswerOutcome.UNCHANGED,
        AnswerOutcome.CHANGED,
        AnswerOutcome.UNCHANGED,
    ]
    assert repository.writer.batches == 1
    assert await _count(engine, answer) == 1
    assert await _count(engine, ballot) == 1
    assert await repository.ballot_values(message.id) == {item: 6}


async def test_a_failed_batch_is_retried_one_by_one_so_only_the_bad_input_fails(
    repository: SqlRepository, engine: AsyncEngine
) -> None:
    pulse = await add_pulse(repository, side=Side.EMPLOYEE)
    people = [await add_person(repository, side=Side.EMPLOYEE, user=f"U{i}") for i in range(4)]
    messages = [await deliver(repository, pulse=pulse, person=each) for each in people]
    poisoned = messages[2].token

    def refuse_the_poisoned_input(_c: Any, _cur: Any, statement: str, params: Any, *_: Any) -> None:
        if "delivery.token" in statement and poisoned in str(params):
            raise RuntimeError("this input cannot be written")

    event.listen(engine.sync_engine, "before_cursor_execute", refuse_the_poisoned_input)
    try:
        results = await asyncio.gather(
            *(
                repository.record_answer(token=m.token, item=ITEMS[0], value=2, now=NOW)
                for m in messages
            ),
            return_exceptions=True,
        )
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", refuse_the_poisoned_input)

    assert [r for i, r in enumerate(results) if i != 2] == [AnswerOutcome.RECORDED] * 3
    assert isinstance(results[2], Exception)  # the caller is told, never a pretended outcome
    assert repository.writer.batches == 0  # the batch rolled back; each input went alone
    assert await _count(engine, answer) == 3
    assert await repository.ballot_values(messages[2].id) == {}


async def test_callers_are_answered_only_after_the_batch_committed() -> None:
    release = asyncio.Event()
    written: list[list[str]] = []

    async def write_batch(entries: Sequence[Input]) -> list[AnswerOutcome]:
        await release.wait()
        written.append([entry.token for entry in entries])
        return [AnswerOutcome.RECORDED for _ in entries]

    async def write_one(entry: Input) -> AnswerOutcome:
        raise AssertionError("no batch failed")

    writer = AnswerWriter(write_batch=write_batch, write_one=write_one, max_batch=2)
    waiting = [
        asyncio.create_task(writer.submit(Input(token=f"t{i}", item="x", content=1, now=NOW)))
        for i in range(5)
    ]
    await asyncio.sleep(0.01)
    assert not any(task.done() for task in waiting)  # nothing is confirmed before the commit
    release.set()
    assert await asyncio.gather(*waiting) == [AnswerOutcome.RECORDED] * 5
    assert written == [["t0", "t1"], ["t2", "t3"], ["t4"]]  # in arrival order, max_batch each
    assert writer.batches == 3


async def test_a_writer_without_any_working_path_fails_every_input() -> None:
    async def write_batch(entries: Sequence[Input]) -> list[AnswerOutcome]:
        raise ConnectionError("database went away")

    async def write_one(entry: Input) -> AnswerOutcome:
        raise ConnectionError("database went away")

    writer = AnswerWriter(write_batch=write_batch, write_one=write_one)
    results = await asyncio.gather(
        *(writer.submit(Input(token=f"t{i}", item="x", content=1, now=NOW)) for i in range(3)),
        return_exceptions=True,
    )
    assert all(isinstance(r, ConnectionError) for r in results)
    with pytest.raises(ValueError, match="max_batch"):
        AnswerWriter(write_batch=write_batch, write_one=write_one, max_batch=0)
