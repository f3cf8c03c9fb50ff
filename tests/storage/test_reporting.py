"""The report's SQL: histograms in one GROUP BY, comments, people asked, all-or-nothing import."""

from __future__ import annotations

import types

import pytest
import sqlalchemy as sa
from sqlalchemy import event, exc
from sqlalchemy.ext.asyncio import AsyncEngine

from pulse_mirror.storage.reports import aggregates as reporting
from pulse_mirror.storage.reports.imports import parse_answers_csv
from pulse_mirror.storage.repository import SqlRepository
from pulse_mirror.storage.tables import answer
from pulse_mirror.surveys.bank import load_bank
from pulse_mirror.surveys.model import Answer, IsoWeek, Side
from pulse_mirror.surveys.stats.metrics import histogram
from tests.storage.builders import WEEK, add_person, add_pulse, deliver

LAST = WEEK.shift(-1)


def _answers() -> list[Answer]:
    rows = []
    for value in [6, 6, 7, 5, 6]:
        rows.append(Answer("effort.employee", Side.EMPLOYEE, WEEK, value, "support"))
    for value in [3, 4, 3, 2]:
        rows.append(Answer("effort.customer", Side.CUSTOMER, WEEK, value, None))
    for value in [4, 4, 5]:
        rows.append(Answer("effort.customer", Side.CUSTOMER, LAST, value, None))
    rows.append(Answer("effort.customer", Side.CUSTOMER, WEEK.shift(-9), 1, None))
    return rows


async def _count(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        return int(
            (await connection.execute(sa.select(sa.func.count()).select_from(answer))).scalar_one()
        )


async def test_histograms_in_one_query_per_week_side_item(engine: AsyncEngine) -> None:
    assert await reporting.import_answers(engine, _answers()) == 13
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        if not statement.startswith("BEGIN"):  # SQLite's transaction control is no query
            statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        found = await reporting.answer_histograms(engine, first=WEEK.shift(-3), last=WEEK)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)
    assert len(statements) == 1 and "GROUP BY" in statements[0]
    assert found == {
        (WEEK, Side.EMPLOYEE, "effort.employee"): histogram([6, 6, 7, 5, 6]),
        (WEEK, Side.CUSTOMER, "effort.customer"): histogram([3, 4, 3, 2]),
        (LAST, Side.CUSTOMER, "effort.customer"): histogram([4, 4, 5]),
    }


async def test_import_is_all_or_nothing(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reporting, "_IMPORT_CHUNK", 2)
    bad_side = types.SimpleNamespace(value="alien")  # refused by the table's CHECK constraint
    rows = [*_answers(), Answer("effort.customer", bad_side, WEEK, 3, None)]  # type: ignore[arg-type]
    with pytest.raises(exc.IntegrityError):
        await reporting.import_answers(engine, rows)
    assert await _count(engine) == 0


async def test_comments_and_people_asked(repository: SqlRepository) -> None:
    engine = repository.engine
    pulse = await add_pulse(repository, side=Side.CUSTOMER)
    people = [await add_person(repository, side=Side.CUSTOMER, user=f"c{i}") for i in range(3)]
    deliveries = [await deliver(repository, pulse=pulse, person=p) for p in people]
    await repository.record_comment(
        token=deliveries[0].token,
        item="comment.customer",
        text="faster replies",
        now=pulse.opens_at,
    )
    assert await reporting.people_asked(engine, WEEK) == {Side.CUSTOMER: 3}
    comments = await reporting.week_comments(engine, WEEK)
    assert [(c.item, c.side, c.text) for c in comments] == [
        ("comment.customer", Side.CUSTOMER, "faster replies")
    ]
    data = await reporting.report_input(engine, week=WEEK, trend_weeks=4)
    assert data.asked == {Side.CUSTOMER: 3} and len(data.comments) == 1
    assert data.pulsed == {Side.CUSTOMER: frozenset(pulse.items), Side.EMPLOYEE: frozenset()}


async def test_the_items_each_side_was_pulsed_about(repository: SqlRepository) -> None:
    await add_pulse(repository, side=Side.EMPLOYEE, items=("effort.employee", "enps.employee"))
    found = await reporting.pulse_items(repository.engine, WEEK)
    assert found == {
        Side.EMPLOYEE: frozenset({"effort.employee", "enps.employee"}),
        Side.CUSTOMER: frozenset(),
    }
    assert await reporting.pulse_items(repository.engine, LAST) == {
        Side.EMPLOYEE: frozenset(),
        Side.CUSTOMER: frozenset(),
    }


def test_a_bad_file_is_refused_whole_with_line_numbers() -> None:
    text = (
        "week,side,item,value,group\n"
        "2026-W10,customer,effort.customer,5,north\n"
        "2026-W99,customer,effort.customer,5,\n"
        "2026-W10,robot,effort.customer,5,\n"
        "2026-W10,customer,effort.nobody,5,\n"
        "2026-W10,customer,effort.customer,9,\n"
        "2026-W10,employee,effort.customer,5,\n"
        "2026-W10,employee,enps.employee,ten,\n"
    )
    parsed = parse_answers_csv(text, bank=load_bank())
    assert parsed.answers == ()
    assert [p.split(":")[0] for p in parsed.problems] == [f"line {n}" for n in range(3, 9)]
    assert "2026 has ISO weeks 1-53, not 99" in parsed.problems[0]
    assert "'robot' is not customer or employee" in parsed.problems[1]
    assert "'effort.nobody' is not a rated item" in parsed.problems[2]
    assert "9 is off the 1-7 scale" in parsed.problems[3]
    assert "asked of customers, not employees" in parsed.problems[4]
    assert "'ten' is not a whole number" in parsed.problems[5]


def test_a_good_file_parses_every_row() -> None:
    text = "week,side,item,value,team\n2026-W10,employee,enps.employee,9,sales\n"
    parsed = parse_answers_csv(text, bank=load_bank())
    assert parsed.problems == ()
    assert parsed.answers == (
        Answer("enps.employee", Side.EMPLOYEE, IsoWeek(2026, 10), 9, "sales"),
    )


def test_missing_columns_are_named() -> None:
    parsed = parse_answers_csv("week,item,value\n", bank=load_bank())
    assert parsed.problems == ("line 1: missing column(s) side",)
