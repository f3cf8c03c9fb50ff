"""Every window of a week closes by the week's report, so a posted figure is final."""

from __future__ import annotations

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from pulse_mirror.runtime.jobs import Jobs
from pulse_mirror.storage.locks import SoleProcess
from pulse_mirror.storage.operations import OperationsStore
from pulse_mirror.storage.repository import SqlRepository
from pulse_mirror.storage.tables import pulse
from pulse_mirror.surveys.bank import load_bank
from pulse_mirror.surveys.model import IsoWeek, Side
from tests.fakes import FakeClock
from tests.outbox.helpers import SETTINGS, add_people

WEEK = IsoWeek(2026, 10)
START = dt.datetime(2026, 3, 2, tzinfo=dt.UTC)  # Monday of 2026-W10
REPORT = dt.datetime(2026, 3, 9, 9, tzinfo=ZoneInfo("Europe/Berlin"))  # Monday 09:00 of W11


async def _pulses(repository: SqlRepository) -> dict[Side, sa.Row]:
    async with repository.engine.connect() as connection:
        rows = (await connection.execute(sa.select(pulse).where(pulse.c.week == str(WEEK)))).all()
    return {Side(row.side): row for row in rows}


async def test_windows_close_by_the_report_and_the_report_closes_them_first(
    repository: SqlRepository,
) -> None:
    clock = FakeClock(START)
    await add_people(repository, side=Side.EMPLOYEE, count=3, now=START)
    await add_people(repository, side=Side.CUSTOMER, count=12, now=START)
    settings = dataclasses.replace(SETTINGS, report_at=(1, dt.time(9)))
    published: list[tuple[IsoWeek, list[bool]]] = []

    async def publish(week: IsoWeek) -> None:
        rows = await _pulses(repository)
        published.append((week, [rows[side].window_closed for side in Side]))

    jobs = Jobs(
        repository=repository, operations=OperationsStore(repository.engine), bank=load_bank(),
        settings=settings, clock=clock, leader=SoleProcess(), dispatchers=[], publish=publish,
    )  # fmt: skip
    await jobs.plan_week(WEEK, now=START)
    pulses = await _pulses(repository)
    employees, customers = pulses[Side.EMPLOYEE], pulses[Side.CUSTOMER]
    # Customers' seven days would run into the next week: they end at the report instead.
    assert customers.closes_at == REPORT.astimezone(dt.UTC)
    assert employees.closes_at < REPORT  # Tuesday + 5 days ends before it anyway

    clock.set(REPORT.astimezone(dt.UTC))
    await jobs.report()  # the close job has not run yet at this minute
    assert published == [(WEEK, [True, True])]
