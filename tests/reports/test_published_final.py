"""Published figures are final: a later /delete never changes a posted week's numbers."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from pulse_mirror.reports.job import build_week
from pulse_mirror.sandbox.slack import SlackSandbox
from pulse_mirror.storage.reports import aggregates as reporting
from pulse_mirror.storage.reports.published import freeze, published, with_published
from pulse_mirror.storage.repository import SqlRepository
from pulse_mirror.storage.tables import answer
from pulse_mirror.surveys.model import Answer, IsoWeek, Side
from tests.reports.test_report_first_start import SETTINGS, Leadership, plan_pulse

POSTED = IsoWeek(2026, 47)
NEXT = IsoWeek(2026, 48)
LATER = dt.datetime(2026, 12, 9, 12, tzinfo=dt.UTC)  # after both weeks' windows closed


def _answers(week: IsoWeek, inside: list[int], outside: list[int]) -> list[Answer]:
    return [Answer("effort.employee", Side.EMPLOYEE, week, v) for v in inside] + [
        Answer("effort.customer", Side.CUSTOMER, week, v) for v in outside
    ]


async def test_freeze_keeps_only_shown_items_of_the_week_and_only_once(
    engine: AsyncEngine,
) -> None:
    counts = {
        (POSTED, Side.EMPLOYEE, "effort.employee"): {6: 3, 7: 2},
        (POSTED, Side.CUSTOMER, "effort.customer"): {2: 1, 3: 1},  # 2 answers: never shown
        (NEXT, Side.EMPLOYEE, "effort.employee"): {5: 9},  # another week
    }
    assert await freeze(engine, week=POSTED, histograms=counts, min_respondents=5)
    changed = {**counts, (POSTED, Side.EMPLOYEE, "effort.employee"): {1: 9}}
    assert not await freeze(engine, week=POSTED, histograms=changed, min_respondents=5)
    kept = await published(engine, first=POSTED, last=NEXT)
    assert kept == {POSTED: {(POSTED, Side.EMPLOYEE, "effort.employee"): {6: 3, 7: 2}}}
    live = {(POSTED, Side.CUSTOMER, "effort.customer"): {2: 1}, **counts}
    merged = with_published(live, kept)
    assert merged[(POSTED, Side.EMPLOYEE, "effort.employee")] == {6: 3, 7: 2}
    assert (POSTED, Side.CUSTOMER, "effort.customer") not in merged  # suppressed, as posted
    assert merged[(NEXT, Side.EMPLOYEE, "effort.employee")] == {5: 9}


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_delete_after_posting_changes_neither_the_trend_nor_the_change(
    repository: SqlRepository, slack_sandbox: SlackSandbox
) -> None:
    for week in (POSTED, NEXT):
        await plan_pulse(repository, week)
    await reporting.import_answers(
        repository.engine, _answers(POSTED, [6, 7, 6, 6, 7, 6], [2, 3, 2, 3, 2, 3, 2])
    )
    leadership = Leadership(slack_sandbox, repository)
    assert await leadership.report(POSTED, now=LATER) == ["posted"]
    source = reporting.ReportAggregates(repository.engine)
    before = await build_week(source, SETTINGS, week=POSTED, now=LATER)
    posted_gap = next(d for d in before.mirrored if d.key == "effort").gap
    assert posted_gap.estimate is not None

    # Customers who answered 2 use /delete: their answers are gone from the answer table.
    async with repository.engine.begin() as connection:
        await connection.execute(
            sa.delete(answer).where(answer.c.side == "customer", answer.c.value == 2)
        )
    await reporting.import_answers(
        repository.engine, _answers(NEXT, [6, 6, 7, 6, 6, 7], [3, 3, 4, 3, 3, 4])
    )
    after = await build_week(source, SETTINGS, week=NEXT, now=LATER)
    effort = next(d for d in after.mirrored if d.key == "effort")
    point = next(p for p in effort.trend if p.week == str(POSTED))
    assert point.gap == posted_gap  # the trend shows the week as it was posted
    again = await build_week(source, SETTINGS, week=POSTED, now=LATER)
    assert next(d for d in again.mirrored if d.key == "effort").gap == posted_gap
    customers = effort.outside.change
    assert customers.estimate is not None
    previous = next(d for d in before.mirrored if d.key == "effort").outside.score
    current = effort.outside.score
    assert previous is not None and current is not None
    assert customers.estimate.value == pytest.approx(current.score.value - previous.score.value)
