"""At an employee window's close, nothing in the stored rows keeps the order people answered in."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import sqlalchemy as sa

from pulse_mirror.storage.repository import SqlRepository
from pulse_mirror.storage.tables import answer, comment
from pulse_mirror.surveys.model import Side
from tests.reads import answer_histograms, close_window
from tests.storage.builders import NOW, WEEK, add_person, add_pulse, deliver

ITEMS = ("recommend.employee", "open.employee")
LATER = NOW + dt.timedelta(hours=1)


async def _answered_in_order(repository: SqlRepository, values: list[int]) -> int:
    """One employee after the other answers (and comments), each in its own transaction."""
    pulse = await add_pulse(repository, side=Side.EMPLOYEE, items=ITEMS)
    for n, value in enumerate(values):
        person = await add_person(repository, side=Side.EMPLOYEE, user=f"U{n}")
        token = (await deliver(repository, pulse=pulse, person=person)).token
        await repository.record_answer(token=token, item=ITEMS[0], value=value, now=LATER)
        await repository.record_comment(token=token, item=ITEMS[1], text=f"c{value}", now=LATER)
    return pulse.id


async def _rows(repository: SqlRepository, table: sa.Table, order: str) -> list[sa.Row]:
    value = table.c.value if table is answer else table.c.text
    statement = sa.select(table.c.id, value.label("v")).order_by(sa.text(order))
    async with repository.engine.connect() as connection:
        return list((await connection.execute(statement)).all())


async def test_the_close_keeps_every_answer_and_comment_under_new_ids(
    repository: SqlRepository,
) -> None:
    values = list(range(11))
    pulse_id = await _answered_in_order(repository, values)
    before = {t.name: await _rows(repository, t, "id") for t in (answer, comment)}

    await close_window(repository, pulse_id)

    after = {t.name: await _rows(repository, t, "id") for t in (answer, comment)}
    assert Counter(r.v for r in after["answer"]) == Counter(values)
    assert Counter(r.v for r in after["comment"]) == Counter(f"c{v}" for v in values)
    for name in ("answer", "comment"):
        assert not {r.id for r in before[name]} & {r.id for r in after[name]}
    histograms = await answer_histograms(repository, WEEK, Side.EMPLOYEE)
    assert histograms == {ITEMS[0]: dict.fromkeys(values, 1)}


async def test_on_postgresql_neither_xmin_nor_ctid_keeps_the_answer_order(
    postgres_repository: SqlRepository,
) -> None:
    postgres = postgres_repository
    values = list(range(11))  # answered in this order, one transaction each
    pulse_id = await _answered_in_order(postgres, values)
    by_place = await _rows(postgres, answer, "ctid")
    assert [r.v for r in by_place] == values  # before the close the order is plain to see

    await close_window(postgres, pulse_id)

    async with postgres.engine.connect() as connection:
        writers = await connection.execute(sa.text("SELECT DISTINCT xmin::text FROM answer"))
        assert len(writers.all()) == 1  # one transaction wrote them all
        dead = await connection.execute(
            sa.text("SELECT n_dead_tup FROM pg_stat_user_tables WHERE relname = 'answer'")
        )
        assert dead.scalar_one() == 0  # the old row versions were vacuumed
    assert [r.v for r in await _rows(postgres, answer, "ctid")] != values
    assert [r.v for r in await _rows(postgres, comment, "ctid")] != [f"c{v}" for v in values]
