"""Answers: one per ballot, changeable while the window is open, anonymous for employees."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from pulse_mirror.storage.repository import SqlRepository
from pulse_mirror.storage.tables import answer, ballot, comment, delivery
from pulse_mirror.surveys.model import PersonStatus, Side
from pulse_mirror.surveys.records import AnswerOutcome, DeliveryKind, NewDelivery
from tests.reads import answer_histograms, close_window, read_comments
from tests.storage.builders import NOW, WEEK, add_person, add_pulse, deliver


async def _rows(engine: AsyncEngine, table: sa.Table) -> list[sa.Row[tuple[object, ...]]]:
    async with engine.connect() as connection:
        return list((await connection.execute(sa.select(table))).all())


async def test_a_second_click_changes_the_answer_and_never_adds_a_row(
    repository: SqlRepository, engine: AsyncEngine
) -> None:
    pulse = await add_pulse(repository, side=Side.EMPLOYEE)
    person = await add_person(repository, side=Side.EMPLOYEE, user="U1", group="support")
    message = await deliver(repository, pulse=pulse, person=person)

    first = await repository.record_answer(token=message.token, item="effort_in", value=5, now=NOW)
    same = await repository.record_answer(token=message.token, item="effort_in", value=5, now=NOW)
    changed = await repository.record_answer(
        token=message.token, item="effort_in", value=3, now=NOW
    )
    other_item = await repository.record_answer(
        token=message.token, item="recommend_in", value=9, now=NOW
    )

    assert (first, same, changed, other_item) == (
        AnswerOutcome.RECORDED,
        AnswerOutcome.UNCHANGED,
        AnswerOutcome.CHANGED,
        AnswerOutcome.RECORDED,
    )
    assert await answer_histograms(repository, WEEK, Side.EMPLOYEE) == {
        "effort_in": {3: 1},
        "recommend_in": {9: 1},
    }
    rows = await _rows(engine, answer)
    assert len(rows) == 2
    # A team of one: storing it would name the person.
    assert {(row.group, row.week, row.side) for row in rows} == {(None, str(WEEK), "employee")}


async def test_concurrent_identical_clicks_store_one_answer(
    repository: SqlRepository, engine: AsyncEngine
) -> None:
    pulse = await add_pulse(repository, side=Side.EMPLOYEE)
    person = await add_person(repository, side=Side.EMPLOYEE, user="U1")
    message = await deliver(repository, pulse=pulse, person=person)

    outcomes = await asyncio.gather(
        *(
            repository.record_answer(token=message.token, item="effort_in", value=4, now=NOW)
            for _ in range(5)
        )
    )

    assert sorted(outcomes) == sorted([AnswerOutcome.RECORDED] + [AnswerOutcome.UNCHANGED] * 4)
    assert len(await _rows(engine, answer)) == 1


async def test_unknown_tokens_items_and_closed_windows_are_refused(
    repository: SqlRepository, engine: AsyncEngine
) -> None:
    pulse = await add_pulse(repository, side=Side.EMPLOYEE)
    person = await add_person(repository, side=Side.EMPLOYEE, user="U1")
    message = await deliver(repository, pulse=pulse, person=person)

    unknown = await repository.record_answer(token="forged", item="effort_in", value=4, now=NOW)
    wrong_item = await repository.record_answer(
        token=message.token, item="not_asked", value=4, now=NOW
    )
    too_late = await repository.record_answer(
        token=message.token, item="effort_in", value=4, now=pulse.closes_at
    )

    assert unknown is AnswerOutcome.UNKNOWN_TOKEN
    assert wrong_item is AnswerOutcome.UNKNOWN_ITEM
    assert too_late is AnswerOutcome.CLOSED
    assert await _rows(engine, answer) == []


async def test_employee_answers_never_name_the_person_customer_answers_do(
    repository: SqlRepository, engine: AsyncEngine
) -> None:
    employee = await add_person(repository, side=Side.EMPLOYEE, user="U1")
    customer = await add_person(repository, side=Side.CUSTOMER, user="C1", group="smb")
    inside = await deliver(
        repository, pulse=await add_pulse(repository, side=Side.EMPLOYEE), person=employee
    )
    outside = await deliver(
        repository, pulse=await add_pulse(repository, side=Side.CUSTOMER), person=customer
    )

    await repository.record_answer(token=inside.token, item="effort_in", value=6, now=NOW)
    await repository.record_answer(token=outside.token, item="effort_in", value=2, now=NOW)

    by_side = {row.side: row for row in await _rows(engine, answer)}
    assert by_side["employee"].respondent_id is None
    assert by_side["customer"].respondent_id == customer.id
    assert by_side["customer"].group == "smb"


async def test_the_database_refuses_an_employee_answer_or_comment_with_a_respondent(
    repository: SqlRepository, engine: AsyncEngine
) -> None:
    employee = await add_person(repository, side=Side.EMPLOYEE, user="U1")
    values = {"item": "effort_in", "side": "employee", "week": str(WEEK), "group": None}

    with pytest.raises(IntegrityError):
        async with engine.begin() as connection:
            await connection.execute(
                sa.insert(answer).values(id="a" * 32, value=3, respondent_id=employee.id, **values)
            )
    with pytest.raises(IntegrityError):
        async with engine.begin() as connection:
            await connection.execute(
                sa.insert(comment).values(
                    id="c" * 32, text="hi", respondent_id=employee.id, **values
                )
            )
    assert await _rows(engine, answer) == []


async def test_closing_the_window_unlinks_every_employee_answer_from_its_person(
    repository: SqlRepository, engine: AsyncEngine
) -> None:
    pulse = await add_pulse(repository, side=Side.EMPLOYEE)
    people = [await add_person(repository, side=Side.EMPLOYEE, user=f"U{i}") for i in range(3)]
    messages = [await deliver(repository, pulse=pulse, person=person) for person in people]
    for value, message in enumerate(messages, start=1):
        await repository.record_answer(token=message.token, item="effort_in", value=value, now=NOW)
    await repository.record_comment(
        token=messages[0].token, item="comment", text="More time per ticket", now=NOW
    )
    reminder = NewDelivery(
        pulse_id=pulse.id,
        person_id=people[1].id,
        kind=DeliveryKind.REMINDER_1,
        due_at=NOW + dt.timedelta(days=1),
    )
    await repository.enqueue([reminder])
    assert len(await _rows(engine, ballot)) == 4
    assert all(r.platform_message_id for r in await _rows(engine, delivery) if r.kind == "question")

    deleted = await close_window(repository, pulse.id)

    assert deleted == 4
    assert await _rows(engine, ballot) == []
    # Nothing points at a person's message any more (a workspace export holds the messages).
    assert {row.platform_message_id for row in await _rows(engine, delivery)} == {None}
    # The only remaining path from an answer to a person went through the ballot.
    async with engine.connect() as connection:
        linked = await connection.execute(
            sa.select(answer.c.id, delivery.c.person_id)
            .select_from(answer)
            .join(ballot, ballot.c.answer_id == answer.c.id)
            .join(delivery, delivery.c.id == ballot.c.delivery_id)
        )
        assert linked.all() == []
    assert {row.respondent_id for row in await _rows(engine, answer)} == {None}
    assert {row.respondent_id for row in await _rows(engine, comment)} == {None}
    assert len(await _rows(engine, answer)) == 3  # the answers themselves are kept
    # The reminder is never sent, and deleted: whether it went out would tell who answered.
    assert [row.kind for row in await _rows(engine, delivery)] == ["question"] * 3
    # A late click must not become a second answer, even before closes_at.
    late = await repository.record_answer(
        token=messages[0].token, item="effort_in", value=7, now=NOW
    )
    assert late is AnswerOutcome.CLOSED
    assert len(await _rows(engine, answer)) == 3


async def test_close_due_windows_closes_only_pulses_whose_window_ended(
    repository: SqlRepository, engine: AsyncEngine
) -> None:
    inside = await add_pulse(repository, side=Side.EMPLOYEE)
    later = await repository.get_or_create_pulse(
        week=WEEK,
        side=Side.CUSTOMER,
        items=["effort_out"],
        opens_at=NOW,
        closes_at=NOW + dt.timedelta(days=7),
    )
    employee = await add_person(repository, side=Side.EMPLOYEE, user="U1")
    customer = await add_person(repository, side=Side.CUSTOMER, user="C1")
    first = await deliver(repository, pulse=inside, person=employee)
    second = await deliver(repository, pulse=later, person=customer)
    await repository.record_answer(token=first.token, item="effort_in", value=4, now=NOW)
    await repository.record_answer(token=second.token, item="effort_out", value=4, now=NOW)

    assert await repository.close_due_windows(NOW + dt.timedelta(days=1)) == 0
    assert await repository.close_due_windows(inside.closes_at) == 1
    assert await repository.close_due_windows(inside.closes_at) == 0

    remaining = await _rows(engine, ballot)
    assert [row.delivery_id for row in remaining] == [second.id]


async def test_histograms_count_every_value_per_item_for_one_week_and_side(
    repository: SqlRepository,
) -> None:
    pulse = await add_pulse(repository, side=Side.CUSTOMER, items=("nps_out", "csat_out"))
    next_week = await repository.get_or_create_pulse(
        week=WEEK.shift(1),
        side=Side.CUSTOMER,
        items=["nps_out"],
        opens_at=NOW,
        closes_at=NOW + dt.timedelta(days=10),
    )
    nps = [10, 10, 9, 7, 3, 10]
    for index, value in enumerate(nps):
        person = await add_person(repository, side=Side.CUSTOMER, user=f"C{index}")
        message = await deliver(repository, pulse=pulse, person=person)
        await repository.record_answer(token=message.token, item="nps_out", value=value, now=NOW)
        if index < 2:
            await repository.record_answer(token=message.token, item="csat_out", value=4, now=NOW)
        other = await deliver(repository, pulse=next_week, person=person)
        await repository.record_answer(token=other.token, item="nps_out", value=0, now=NOW)

    histograms = await answer_histograms(repository, WEEK, Side.CUSTOMER)

    assert histograms == {"csat_out": {4: 2}, "nps_out": {3: 1, 7: 1, 9: 1, 10: 3}}
    assert await answer_histograms(repository, WEEK, Side.EMPLOYEE) == {}
    assert await answer_histograms(repository, WEEK.shift(1), Side.CUSTOMER) == {"nps_out": {0: 6}}


async def test_a_comment_can_be_rewritten_but_stays_single(repository: SqlRepository) -> None:
    pulse = await add_pulse(repository, side=Side.EMPLOYEE)
    person = await add_person(repository, side=Side.EMPLOYEE, user="U1", group="sales")
    message = await deliver(repository, pulse=pulse, person=person)

    first = await repository.record_comment(
        token=message.token, item="change_in", text="Faster refunds", now=NOW
    )
    rewritten = await repository.record_comment(
        token=message.token, item="change_in", text="Faster refunds, please", now=NOW
    )

    assert (first, rewritten) == (AnswerOutcome.RECORDED, AnswerOutcome.CHANGED)
    (stored,) = await read_comments(repository, WEEK, Side.EMPLOYEE)
    assert (stored.item, stored.group, stored.text) == ("change_in", None, "Faster refunds, please")
    assert await read_comments(repository, WEEK, Side.CUSTOMER) == []


async def test_a_skip_is_remembered_and_a_later_answer_replaces_it(
    repository: SqlRepository, engine: AsyncEngine
) -> None:
    pulse = await add_pulse(repository, side=Side.EMPLOYEE)
    person = await add_person(repository, side=Side.EMPLOYEE, user="U1")
    message = await deliver(repository, pulse=pulse, person=person)

    skipped = await repository.record_skip(token=message.token, item="effort_in", now=NOW)
    skipped_again = await repository.record_skip(token=message.token, item="effort_in", now=NOW)
    assert await repository.ballot_values(message.id) == {"effort_in": None}
    assert await _rows(engine, answer) == []

    answered = await repository.record_answer(
        token=message.token, item="effort_in", value=5, now=NOW
    )
    skip_after_answer = await repository.record_skip(token=message.token, item="effort_in", now=NOW)
    await repository.record_comment(token=message.token, item="change_in", text="x", now=NOW)
    unknown = await repository.record_skip(token=message.token, item="not_asked", now=NOW)

    assert (skipped, skipped_again, answered, skip_after_answer, unknown) == (
        AnswerOutcome.RECORDED,
        AnswerOutcome.UNCHANGED,
        AnswerOutcome.RECORDED,
        AnswerOutcome.UNCHANGED,
        AnswerOutcome.UNKNOWN_ITEM,
    )
    assert await repository.ballot_values(message.id) == {"effort_in": 5, "change_in": None}
    assert len(await _rows(engine, answer)) == 1
    assert len(await _rows(engine, ballot)) == 2

    await close_window(repository, pulse.id)
    assert await repository.ballot_values(message.id) == {}


async def test_concurrent_answers_after_a_skip_store_one_answer(
    repository: SqlRepository, engine: AsyncEngine
) -> None:
    pulse = await add_pulse(repository, side=Side.EMPLOYEE)
    person = await add_person(repository, side=Side.EMPLOYEE, user="U1")
    message = await deliver(repository, pulse=pulse, person=person)
    await repository.record_skip(token=message.token, item="effort_in", now=NOW)

    outcomes = await asyncio.gather(
        *(
            repository.record_answer(token=message.token, item="effort_in", value=2, now=NOW)
            for _ in range(4)
        )
    )

    assert outcomes.count(AnswerOutcome.RECORDED) == 1
    assert len(await _rows(engine, answer)) == 1
    assert await repository.ballot_values(message.id) == {"effort_in": 2}


async def test_an_employee_row_names_the_team_only_when_it_is_large_enough(
    repository: SqlRepository, engine: AsyncEngine
) -> None:
    pulse = await add_pulse(repository, side=Side.EMPLOYEE)
    support = [
        await add_person(repository, side=Side.EMPLOYEE, user=f"S{i}", group="support")
        for i in range(5)
    ]
    legal = [
        await add_person(repository, side=Side.EMPLOYEE, user=f"L{i}", group="legal")
        for i in range(5)
    ]
    for gone in legal[2:]:  # people who left or opted out do not hide anyone
        await repository.set_status(gone.id, PersonStatus.OPTED_OUT)
    customer = await add_person(repository, side=Side.CUSTOMER, user="C1", group="smb")
    for person in (support[0], legal[0]):
        message = await deliver(repository, pulse=pulse, person=person)
        await repository.record_answer(token=message.token, item="effort_in", value=4, now=NOW)
        await repository.record_comment(token=message.token, item="change_in", text="x", now=NOW)
    outside = await deliver(
        repository, pulse=await add_pulse(repository, side=Side.CUSTOMER), person=customer
    )
    await repository.record_answer(token=outside.token, item="effort_in", value=2, now=NOW)

    answers = sorted((row.side, row.group or "-") for row in await _rows(engine, answer))
    comments = sorted(row.group or "-" for row in await _rows(engine, comment))
    assert answers == [("customer", "smb"), ("employee", "-"), ("employee", "support")]
    assert comments == ["-", "support"]


async def test_the_minimum_team_size_is_a_setting_of_the_repository(engine: AsyncEngine) -> None:
    repository = SqlRepository(engine, min_group_size=2)
    pulse = await add_pulse(repository, side=Side.EMPLOYEE)
    pair = [
        await add_person(repository, side=Side.EMPLOYEE, user=f"P{i}", group="legal")
        for i in range(2)
    ]
    message = await deliver(repository, pulse=pulse, person=pair[0])

    await repository.record_answer(token=message.token, item="effort_in", value=4, now=NOW)

    assert [row.group for row in await _rows(engine, answer)] == ["legal"]
    with pytest.raises(ValueError, match="min_group_size"):
        SqlRepository(engine, min_group_size=0)
