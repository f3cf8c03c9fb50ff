"""A replayed older click changes nothing: the ballot keeps when its value was clicked."""

from __future__ import annotations

import asyncio

from pulse_mirror.storage.answers.writer import Input
from pulse_mirror.storage.repository import SqlRepository
from pulse_mirror.surveys.model import Side
from pulse_mirror.surveys.records import AnswerOutcome
from tests.reads import answer_histograms
from tests.storage.builders import NOW, WEEK, add_person, add_pulse, deliver


async def _message(repository: SqlRepository) -> str:
    pulse = await add_pulse(repository, side=Side.EMPLOYEE)
    person = await add_person(repository, side=Side.EMPLOYEE, user="U1", group="support")
    return (await deliver(repository, pulse=pulse, person=person)).token


async def test_a_replayed_click_after_a_change_is_stale_and_the_change_stays(
    repository: SqlRepository,
) -> None:
    token = await _message(repository)
    record = repository.record_answer
    first = await record(token=token, item="effort_in", value=3, now=NOW, acted_at=100.5)
    changed = await record(token=token, item="effort_in", value=2, now=NOW, acted_at=101.25)
    replayed = await record(token=token, item="effort_in", value=3, now=NOW, acted_at=100.5)
    again = await record(token=token, item="effort_in", value=2, now=NOW, acted_at=101.25)
    later = await record(token=token, item="effort_in", value=4, now=NOW, acted_at=102.0)

    assert (first, changed, replayed, again, later) == (
        AnswerOutcome.RECORDED,
        AnswerOutcome.CHANGED,
        AnswerOutcome.STALE,
        AnswerOutcome.STALE,
        AnswerOutcome.CHANGED,
    )
    assert await answer_histograms(repository, WEEK, Side.EMPLOYEE) == {"effort_in": {4: 1}}


async def test_the_one_by_one_path_refuses_a_replay_too(repository: SqlRepository) -> None:
    token = await _message(repository)
    one = repository._record_one  # the path a batch falls back to after a lost race
    outcomes = [
        await one(Input(token, "effort_in", 3, NOW, acted_at=10.0)),
        await one(Input(token, "effort_in", 2, NOW, acted_at=11.0)),
        await one(Input(token, "effort_in", 3, NOW, acted_at=10.0)),
    ]
    assert outcomes == [AnswerOutcome.RECORDED, AnswerOutcome.CHANGED, AnswerOutcome.STALE]
    assert await answer_histograms(repository, WEEK, Side.EMPLOYEE) == {"effort_in": {2: 1}}


async def test_clicks_out_of_order_in_one_batch_keep_the_newest(repository: SqlRepository) -> None:
    token = await _message(repository)
    outcomes = await asyncio.gather(
        repository.record_answer(token=token, item="effort_in", value=5, now=NOW, acted_at=20.0),
        repository.record_answer(token=token, item="effort_in", value=1, now=NOW, acted_at=19.0),
    )
    assert outcomes == [AnswerOutcome.RECORDED, AnswerOutcome.STALE]
    assert await answer_histograms(repository, WEEK, Side.EMPLOYEE) == {"effort_in": {5: 1}}


async def test_clicks_without_a_time_keep_the_last_one_wins_rule(
    repository: SqlRepository,
) -> None:
    token = await _message(repository)
    await repository.record_answer(token=token, item="effort_in", value=3, now=NOW, acted_at=5.0)
    untimed = await repository.record_answer(token=token, item="effort_in", value=1, now=NOW)
    assert untimed is AnswerOutcome.CHANGED
