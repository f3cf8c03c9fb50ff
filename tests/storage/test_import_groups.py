"""An imported file keeps a team's label only where the team is large enough to show."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from pulse_mirror.storage.reports.imports import import_file, reportable_groups
from pulse_mirror.storage.tables import answer
from pulse_mirror.surveys.model import Answer, IsoWeek, Side

WEEK = IsoWeek(2026, 10)


def _answers(
    group: str, count: int, *, item: str = "effort.employee", week: IsoWeek = WEEK
) -> list[Answer]:
    return [Answer(item, Side.EMPLOYEE, week, 4, group=group) for _ in range(count)]


def test_a_small_team_loses_its_label_in_that_week_only() -> None:
    answers = [
        *_answers("support", 6),
        *_answers("legal", 2),  # 2 people: below 5
        *_answers("legal", 5, week=WEEK.shift(1)),  # the next week 5 answered: kept
        *_answers("sales", 4, item="effort.employee"),
        *_answers("sales", 5, item="listening.employee"),  # 5 on one item: 5 people at least
    ]
    kept = reportable_groups(answers, min_group_size=5)
    labels = {(a.week, a.group) for a in kept}
    assert (WEEK, "support") in labels and (WEEK, "sales") in labels
    assert (WEEK.shift(1), "legal") in labels
    assert (WEEK, "legal") not in labels
    assert sum(1 for a in kept if a.week == WEEK and a.group is None) == 2
    assert len(kept) == len(answers)  # no answer is lost, only the label
    assert [a.value for a in kept] == [a.value for a in answers]


async def test_import_stores_no_label_of_a_team_below_the_threshold(engine: AsyncEngine) -> None:
    answers = [*_answers("support", 7), *_answers("legal", 3)]
    stored = await import_file(
        engine, answers, fingerprint="f" * 64, name="past.csv",
        now=dt.datetime(2026, 12, 3, tzinfo=dt.UTC), min_group_size=7,
    )  # fmt: skip
    assert stored == 10
    async with engine.connect() as connection:
        rows = (
            await connection.execute(
                sa.select(answer.c.group, sa.func.count()).group_by(answer.c.group)
            )
        ).all()
    assert {group: count for group, count in rows} == {"support": 7, None: 3}
