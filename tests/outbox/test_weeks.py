"""Weeks of schedule on a virtual clock: the right people, at their local time, exactly once."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from pulse_mirror.storage.operations import OperationsStore
from pulse_mirror.storage.repository import SqlRepository
from pulse_mirror.storage.tables import delivery, pulse
from pulse_mirror.surveys.model import Platform, Side
from pulse_mirror.surveys.records import DeliveryKind
from tests.fakes import FakeClock
from tests.outbox.fakes import RecordingMessenger
from tests.outbox.helpers import add_people, dispatcher, jobs

START = dt.datetime(2026, 3, 2, tzinfo=dt.UTC)  # Monday of 2026-W10, before both DST changes
ZONES = ("Europe/Berlin", "America/New_York", "Asia/Tokyo")
WEEKS = 6


async def test_six_weeks_across_daylight_saving(repository: SqlRepository) -> None:
    clock = FakeClock(START)
    employees = await add_people(repository, side=Side.EMPLOYEE, count=9, zones=ZONES, now=START)
    customers = await add_people(repository, side=Side.CUSTOMER, count=30, now=START)
    slack = RecordingMessenger(Platform.SLACK, clock)
    telegram = RecordingMessenger(Platform.TELEGRAM, clock)
    work = jobs(
        repository,
        clock=clock,
        dispatchers=[
            dispatcher(repository, messenger=slack, clock=clock, rate=1.0),
            dispatcher(repository, messenger=telegram, clock=clock, rate=30.0, per_chat=1.0),
        ],
    )
    answerers = {p.platform_user_id for p in employees if p.id % 2 == 0}
    answered: set[str] = set()

    end = START + dt.timedelta(weeks=WEEKS)
    while clock.now() < end:
        if clock.now().hour % 6 == 0:
            await work.plan()
            await work.plan()  # every job is safe to run twice
        await work.dispatch()
        await work.close_windows()
        for sent in slack.sent:
            if sent.address in answerers and sent.token not in answered:
                outcome = await repository.record_answer(
                    token=sent.token, item=sent.items[0], value=4, now=clock.now()
                )
                assert outcome.value == "recorded"
                answered.add(sent.token)
        clock.set(clock.now().replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=1))

    # Employees: one question a week each, at 10:00 on Tuesday in their own zone.
    per_week: dict[tuple[str, str], list[dt.datetime]] = defaultdict(list)
    for sent in slack.sent:
        if sent.kind is DeliveryKind.QUESTION:
            tz = ZONES[int(sent.address[1:]) % len(ZONES)]
            wall = sent.at.astimezone(ZoneInfo(tz))
            # Sent at the due minute; Slack's pace of 1/s spreads nine sends over a few seconds.
            assert (wall.isoweekday(), wall.hour, wall.minute) == (2, 10, 0), (sent.address, wall)
            per_week[(sent.address, wall.strftime("%G-W%V"))].append(sent.at)
    assert len(per_week) == 9 * WEEKS
    assert all(len(times) == 1 for times in per_week.values())

    # Reminders only to those who had not answered, two a week, never after the window.
    reminded = defaultdict(int)
    for sent in slack.sent:
        if sent.kind is not DeliveryKind.QUESTION:
            assert sent.address not in answerers
            reminded[sent.address] += 1
    non_answerers = {p.platform_user_id for p in employees} - answerers
    assert set(reminded) == non_answerers
    assert all(count == 2 * WEEKS for count in reminded.values())
    assert await _sent_after_close(repository, [*slack.sent, *telegram.sent]) == 0
    await _nothing_tells_who_answered(repository, answered=answered)

    # Customers: a sample of 10 a week, nobody asked twice within 28 days.
    asked: dict[str, list[dt.datetime]] = defaultdict(list)
    for sent in telegram.sent:
        assert sent.kind is DeliveryKind.QUESTION
        asked[sent.address].append(sent.at)
    weekly = defaultdict(int)
    for sent in telegram.sent:
        weekly[sent.at.astimezone(ZoneInfo("Europe/Berlin")).strftime("%G-W%V")] += 1
    counts = [weekly[f"2026-W{week:02d}"] for week in range(10, 10 + WEEKS)]
    # 30 customers, 10 a week: after three weeks everyone was asked within 28 days, so the
    # fourth week asks nobody; the trickle resumes as the first ones become eligible again.
    assert counts[:4] == [10, 10, 10, 0]
    assert sum(counts[4:]) >= 10 and max(counts) == 10
    for times in asked.values():
        assert all(b - a >= dt.timedelta(days=28) for a, b in itertools.pairwise(times))
    assert set(asked) <= {c.platform_user_id for c in customers}
    assert len(telegram.sent) == len({s.token for s in telegram.sent})  # no duplicates


async def test_nothing_is_planned_or_sent_while_the_organisation_is_paused(
    repository: SqlRepository,
) -> None:
    clock = FakeClock(START)
    await add_people(repository, side=Side.EMPLOYEE, count=3, now=START)
    slack = RecordingMessenger(Platform.SLACK, clock)
    work = jobs(
        repository, clock=clock, dispatchers=[dispatcher(repository, messenger=slack, clock=clock)]
    )
    operations = OperationsStore(repository.engine)

    await operations.set_paused(True, now=START)
    result = await work.plan()
    clock.advance(dt.timedelta(days=2))
    await work.dispatch()
    assert (result.employees, slack.sent) == (0, [])

    await operations.set_paused(False, now=clock.now())  # Wednesday 01:00 in Berlin
    assert (await work.plan()).employees == 3 * 3  # a question and two reminders each
    await work.dispatch()
    assert slack.sent == []  # Tuesday's slot is past: asked at the next send time, not at night
    clock.advance(dt.timedelta(hours=9))  # Wednesday 10:00 in Berlin
    await work.dispatch()
    assert [s.kind for s in slack.sent] == [DeliveryKind.QUESTION] * 3


async def _sent_after_close(repository: SqlRepository, sent: list[Any]) -> int:
    """Messages that reached a person after their pulse's window (reminders carry its token)."""
    statement = sa.select(delivery.c.token, pulse.c.closes_at).join(
        pulse, pulse.c.id == delivery.c.pulse_id
    )
    async with repository.engine.connect() as connection:
        closes = {row.token: row.closes_at for row in (await connection.execute(statement))}
    assert {message.token for message in sent} <= set(closes)
    return sum(message.at >= closes[message.token] for message in sent)


async def _nothing_tells_who_answered(repository: SqlRepository, *, answered: set[str]) -> None:
    """Once a window closed, the outbox looks the same for those who answered and the rest."""
    statement = (
        sa.select(delivery.c.token, delivery.c.kind, delivery.c.status, delivery.c.last_error)
        .join(pulse, pulse.c.id == delivery.c.pulse_id)
        .where(pulse.c.window_closed.is_(True))
    )
    async with repository.engine.connect() as connection:
        closed = (await connection.execute(statement)).all()
    assert closed, "no window closed in the weeks simulated"
    assert {row.kind for row in closed} == {DeliveryKind.QUESTION.value}  # reminders are gone
    seen = {(row.token in answered, row.status, row.last_error) for row in closed}
    assert {(status, error) for _, status, error in seen} == {("sent", None)}
    assert {who for who, _, _ in seen} == {True, False}  # both groups are there, alike
