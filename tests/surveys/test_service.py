"""Answer use cases on a real database: clicks, skips, comments, refusals, windows."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
import sqlalchemy as sa

from pulse_mirror.storage.repository import SqlRepository
from pulse_mirror.storage.tables import answer, comment
from pulse_mirror.surveys.bank import load_bank
from pulse_mirror.surveys.model import Side
from pulse_mirror.surveys.records import AnswerOutcome
from pulse_mirror.surveys.service import AnswerSettings, Outcome, PulseAnswers
from tests.fakes import FakeClock
from tests.reads import answer_histograms, read_comments
from tests.storage.builders import NOW, WEEK, add_person, add_pulse, deliver

ITEMS = ("effort.employee", "recommend.employee")


async def _setup(repository: SqlRepository, clock: FakeClock) -> tuple[PulseAnswers, str]:
    person = await add_person(repository, side=Side.EMPLOYEE, user="U1")
    pulse = await add_pulse(repository, side=Side.EMPLOYEE, items=ITEMS)
    delivery = await deliver(repository, pulse=pulse, person=person)
    service = PulseAnswers(
        repository=repository,
        bank=load_bank(),
        clock=clock,
        settings=AnswerSettings(comment_max_chars=20),
    )
    return service, delivery.token


async def _count(repository: SqlRepository, table: sa.Table) -> int:
    async with repository._engine.connect() as connection:
        return int(
            (await connection.execute(sa.select(sa.func.count()).select_from(table))).scalar_one()
        )


async def test_click_skip_and_comment_walk_the_pulse(repository: SqlRepository) -> None:
    clock = FakeClock(NOW + dt.timedelta(hours=1))
    service, token = await _setup(repository, clock)

    state = await service.state(token)
    assert state is not None and state.current == 0 and state.total == 2

    reply = await service.choose(token=token, index=0, value=6, platform_user_id="U1")
    assert reply.outcome is Outcome.RECORDED and reply.outcome.stored
    assert reply.notice == "Recorded: 6"
    assert reply.state is not None and reply.state.current == 1

    reply = await service.skip(token=token, index=1, platform_user_id="U1")
    assert reply.outcome is Outcome.SKIPPED
    assert reply.state is not None and reply.state.complete

    reply = await service.comment(token=token, body="  faster replies  ", platform_user_id="U1")
    assert reply.outcome is Outcome.COMMENTED

    again = await service.state(token)  # what a re-render after a restart sees
    assert again is not None
    assert again.answers == {0: 6} and again.skipped == {1} and again.commented
    assert await _count(repository, answer) == 1
    assert await _count(repository, comment) == 1


async def test_double_and_racing_clicks_store_one_answer(repository: SqlRepository) -> None:
    clock = FakeClock(NOW + dt.timedelta(hours=1))
    service, token = await _setup(repository, clock)
    replies = await asyncio.gather(
        *(service.choose(token=token, index=0, value=4, platform_user_id="U1") for _ in range(5))
    )
    assert all(r.outcome.stored for r in replies)
    assert sum(r.outcome is Outcome.RECORDED for r in replies) == 1
    changed = await service.choose(token=token, index=0, value=2, platform_user_id="U1")
    assert changed.outcome is Outcome.CHANGED
    assert await _count(repository, answer) == 1
    assert await answer_histograms(repository, WEEK, Side.EMPLOYEE) == {"effort.employee": {2: 1}}


@pytest.mark.parametrize(
    ("index", "value"), [(0, 0), (0, 8), (2, 1), (-1, 3)], ids=["low", "high", "index", "neg"]
)
async def test_off_scale_or_unknown_question_is_refused(
    repository: SqlRepository, index: int, value: int
) -> None:
    service, token = await _setup(repository, FakeClock(NOW + dt.timedelta(hours=1)))
    reply = await service.choose(token=token, index=index, value=value, platform_user_id="U1")
    assert reply.outcome is Outcome.INVALID and not reply.outcome.stored
    assert await _count(repository, answer) == 0


async def test_refusals_store_nothing(repository: SqlRepository) -> None:
    clock = FakeClock(NOW + dt.timedelta(hours=1))
    service, token = await _setup(repository, clock)

    other = await service.choose(token=token, index=0, value=3, platform_user_id="U2")
    assert other.outcome is Outcome.NOT_YOURS and other.state is None
    assert "someone else" in other.notice

    unknown = await service.choose(token="Z" * 16, index=0, value=3, platform_user_id="U1")
    assert unknown.outcome is Outcome.INVALID and unknown.state is None

    clock.current = NOW + dt.timedelta(days=3)  # the window closes at NOW + 3 days
    late = await service.choose(token=token, index=0, value=3, platform_user_id="U1")
    assert late.outcome is Outcome.CLOSED and "closed" in late.notice
    late_comment = await service.comment(token=token, body="hi", platform_user_id="U1")
    assert late_comment.outcome is Outcome.CLOSED
    assert await _count(repository, answer) == 0
    assert await _count(repository, comment) == 0


async def test_comment_limits(repository: SqlRepository) -> None:
    service, token = await _setup(repository, FakeClock(NOW + dt.timedelta(hours=1)))
    empty = await service.comment(token=token, body="   ", platform_user_id="U1")
    assert empty.outcome is Outcome.EMPTY
    long = await service.comment(token=token, body="x" * 21, platform_user_id="U1")
    assert long.outcome is Outcome.TOO_LONG and "21" in long.notice and "20" in long.notice
    assert await _count(repository, comment) == 0


async def test_a_skip_the_store_refuses_is_not_shown_as_skipped(
    repository: SqlRepository,
) -> None:
    clock = FakeClock(NOW + dt.timedelta(hours=1))
    service, token = await _setup(repository, clock)
    for stored, shown in ((AnswerOutcome.CLOSED, Outcome.CLOSED),
                          (AnswerOutcome.UNKNOWN_TOKEN, Outcome.INVALID)):  # fmt: skip

        async def refused(**_: object) -> AnswerOutcome:
            return stored  # noqa: B023 - used before the loop moves on

        repository.record_skip = refused  # type: ignore[method-assign]
        reply = await service.skip(token=token, index=0, platform_user_id="U1")
        assert reply.outcome is shown and not reply.outcome.stored
        assert reply.state is not None and reply.state.skipped == frozenset()


async def test_a_store_failure_says_try_again(repository: SqlRepository) -> None:
    clock = FakeClock(NOW + dt.timedelta(hours=1))
    service, token = await _setup(repository, clock)

    async def broken(**_: object) -> AnswerOutcome:
        raise ConnectionError("database went away")

    repository.record_answer = broken  # type: ignore[method-assign]
    reply = await service.choose(token=token, index=0, value=3, platform_user_id="U1")
    assert reply.outcome is Outcome.STORE_FAILED and not reply.outcome.stored
    assert "try again" in reply.notice
    assert reply.state is not None and reply.state.current == 0  # nothing pretended


async def test_the_pulse_names_its_comment_item(repository: SqlRepository) -> None:
    custom = [
        {
            "key": "wish",
            "metric": "text",
            "title": {"en": "One wish"},
            "items": {"employee": {"text": {"en": "One wish for our customers?"}}},
        }
    ]
    bank = load_bank(custom=custom)
    person = await add_person(repository, side=Side.EMPLOYEE, user="U1")
    pulse = await add_pulse(repository, side=Side.EMPLOYEE, items=(*ITEMS, "wish.employee"))
    delivery = await deliver(repository, pulse=pulse, person=person)
    service = PulseAnswers(
        repository=repository, bank=bank, clock=FakeClock(NOW + dt.timedelta(hours=1))
    )
    state = await service.state(delivery.token)
    assert state is not None and state.total == 2  # the text item is not a rated question
    assert state.comment_item is not None and state.comment_item.key == "wish.employee"
    reply = await service.comment(token=delivery.token, body="call back", platform_user_id="U1")
    assert reply.outcome is Outcome.COMMENTED
    comments = await read_comments(repository, WEEK, Side.EMPLOYEE)
    assert [(c.item, c.text) for c in comments] == [("wish.employee", "call back")]
