"""What the weekly report reads, aggregated in SQL, and the bulk import of past answers.

:class:`ReportAggregates` is what the report job reads through (its ``ReportSource`` port).

The histograms come from one ``GROUP BY week, side, item, value`` over a range of weeks,
which the answer table's covering index (week, side, item, value) answers without touching
the table itself; no answer row ever reaches Python.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from pulse_mirror.storage.reports.published import freeze, published, with_published
from pulse_mirror.storage.store import week_text
from pulse_mirror.storage.tables import answer, comment, delivery, new_id, pulse
from pulse_mirror.surveys.model import Answer, IsoWeek, Side
from pulse_mirror.surveys.records import CommentRecord, DeliveryKind
from pulse_mirror.surveys.report.build import HistogramKey, ReportInput
from pulse_mirror.surveys.report.windows import WindowKey

log = logging.getLogger(__name__)

_IMPORT_CHUNK = 5_000


async def answer_histograms(
    engine: AsyncEngine, *, first: IsoWeek, last: IsoWeek
) -> dict[HistogramKey, dict[int, int]]:
    """Per (week, side, item) how many answers each value got, for weeks first..last."""
    count = sa.func.count().label("count")
    statement = (
        sa.select(answer.c.week, answer.c.side, answer.c.item, answer.c.value, count)
        .where(answer.c.week >= week_text(first), answer.c.week <= week_text(last))
        .group_by(answer.c.week, answer.c.side, answer.c.item, answer.c.value)
    )
    histograms: dict[HistogramKey, dict[int, int]] = {}
    weeks: dict[str, IsoWeek] = {}
    async with engine.connect() as connection:
        result = await connection.execute(statement)
        for week, side, item, value, n in result:
            key_week = weeks.get(week) or weeks.setdefault(week, IsoWeek.parse(week))
            histograms.setdefault((key_week, Side(side), item), {})[int(value)] = int(n)
    return histograms


async def week_comments(engine: AsyncEngine, week: IsoWeek) -> list[CommentRecord]:
    """Every comment of one week, both sides, without who wrote it."""
    statement = sa.select(comment.c.item, comment.c.side, comment.c.group, comment.c.text).where(
        comment.c.week == week_text(week)
    )
    async with engine.connect() as connection:
        rows = (await connection.execute(statement)).all()
    return [CommentRecord(r.item, Side(r.side), week, r.group, r.text) for r in rows]


async def people_asked(engine: AsyncEngine, week: IsoWeek) -> dict[Side, int]:
    """Per side, how many distinct people were sent the week's pulse question."""
    statement = (
        sa.select(pulse.c.side, sa.func.count(sa.distinct(delivery.c.person_id)))
        .select_from(delivery.join(pulse, delivery.c.pulse_id == pulse.c.id))
        .where(
            pulse.c.week == week_text(week),
            delivery.c.kind == DeliveryKind.QUESTION.value,
            delivery.c.status == "sent",
        )
        .group_by(pulse.c.side)
    )
    async with engine.connect() as connection:
        rows = (await connection.execute(statement)).all()
    return {Side(side): int(n) for side, n in rows}


async def pulse_items(engine: AsyncEngine, week: IsoWeek) -> dict[Side, frozenset[str]]:
    """Per side, the item keys the week's pulses included (as planned, answered or not)."""
    statement = sa.select(pulse.c.side, pulse.c["items"]).where(pulse.c.week == week_text(week))
    async with engine.connect() as connection:
        rows = (await connection.execute(statement)).all()
    included: dict[Side, frozenset[str]] = {side: frozenset() for side in Side}
    for side, items in rows:
        included[Side(side)] = included[Side(side)] | frozenset(items or ())
    return included


async def window_closes(
    engine: AsyncEngine, *, first: IsoWeek, last: IsoWeek
) -> dict[WindowKey, dt.datetime]:
    """Per (week, side) with a pulse in weeks first..last, when its answer window closes."""
    statement = sa.select(pulse.c.week, pulse.c.side, pulse.c.closes_at).where(
        pulse.c.week >= week_text(first), pulse.c.week <= week_text(last)
    )
    async with engine.connect() as connection:
        rows = (await connection.execute(statement)).all()
    return {(IsoWeek.parse(week), Side(side)): closes_at for week, side, closes_at in rows}


async def report_input(engine: AsyncEngine, *, week: IsoWeek, trend_weeks: int) -> ReportInput:
    """Everything :func:`~pulse_mirror.surveys.report.build.build_report` needs for ``week``.

    Read it after taking the ``now`` the report is built with: answers read after a close
    are final, so a window closed by then shows what it will always show. A week whose
    report was posted is read as posted (:mod:`~pulse_mirror.storage.reports.published`).
    """
    first = week.shift(-max(trend_weeks - 1, 1))
    live = await answer_histograms(engine, first=first, last=week)
    frozen = await published(engine, first=first, last=week)
    return ReportInput(
        histograms=with_published(live, frozen),
        comments=await week_comments(engine, week),
        asked=await people_asked(engine, week),
        pulsed=await pulse_items(engine, week),
        closes_at=await window_closes(engine, first=first, last=week),
    )


class ReportAggregates:
    """The report's source in the database (the ``ReportSource`` port of ``reports``)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def report_input(self, *, week: IsoWeek, trend_weeks: int) -> ReportInput:
        """See :func:`report_input`."""
        return await report_input(self._engine, week=week, trend_weeks=trend_weeks)

    async def freeze(self, *, week: IsoWeek, min_respondents: int) -> bool:
        """Keep the week's figures final as its report was posted (:func:`~.published.freeze`)."""
        counts = await answer_histograms(self._engine, first=week, last=week)
        return await freeze(
            self._engine, week=week, histograms=counts, min_respondents=min_respondents
        )


async def import_answers(engine: AsyncEngine, answers: Sequence[Answer]) -> int:
    """Insert past answers in one transaction: all of them, or none on any error."""
    rows = [
        {
            "id": new_id(),
            "item": a.item,
            "side": a.side.value,
            "week": week_text(a.week),
            "value": a.value,
            "group": a.group,
            "respondent_id": None,
        }
        for a in answers
    ]
    async with engine.begin() as connection:
        for start in range(0, len(rows), _IMPORT_CHUNK):
            await connection.execute(sa.insert(answer), rows[start : start + _IMPORT_CHUNK])
    log.info("imported answers", extra={"count": len(rows)})
    return len(rows)
