"""The database fails just after a message went out: the message is never sent again.

A send that reached the platform but whose outcome could not be stored must not be retried:
the row is left claimed and recovery marks it unknown, as after a crash.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from pulse_mirror.outbox.dispatcher import Dispatcher
from pulse_mirror.storage.deliveries.claims import DispatchStore
from pulse_mirror.storage.repository import SqlRepository
from pulse_mirror.storage.tables import delivery
from pulse_mirror.surveys.model import IsoWeek, Platform, Side
from pulse_mirror.surveys.records import DeliveryKind, DeliveryStatus, NewDelivery
from tests.fakes import FakeClock
from tests.outbox.fakes import RecordingMessenger
from tests.outbox.helpers import add_people, dispatcher

START = dt.datetime(2026, 5, 4, 8, tzinfo=dt.UTC)


async def _one_question(repository: SqlRepository) -> str:
    [person] = await add_people(repository, side=Side.CUSTOMER, count=1, now=START)
    pulse = await repository.get_or_create_pulse(
        week=IsoWeek(2026, 19), side=Side.CUSTOMER, items=["effort.customer"],
        opens_at=START, closes_at=START + dt.timedelta(days=7),
    )  # fmt: skip
    await repository.enqueue([NewDelivery(pulse.id, person.id, DeliveryKind.QUESTION, START)])
    return person.platform_user_id


def _failing(repository: SqlRepository, times: int) -> list[int]:
    """Make mark_sent fail ``times`` times, as a database that is briefly gone would."""
    real, calls = repository.mark_sent, [0]

    async def mark_sent(*args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        if calls[0] <= times:
            raise ConnectionError("the database went away")
        return await real(*args, **kwargs)

    repository.mark_sent = mark_sent  # type: ignore[method-assign]
    return calls


async def _statuses(repository: SqlRepository) -> list[DeliveryStatus]:
    async with repository.engine.connect() as connection:
        rows = (await connection.execute(sa.select(delivery.c.status))).scalars().all()
    return [DeliveryStatus(status) for status in rows]


async def _world(
    repository: SqlRepository, *, failures: int
) -> tuple[FakeClock, RecordingMessenger, list[int], Dispatcher]:
    """One question due, a dispatcher, and mark_sent failing ``failures`` times."""
    clock = FakeClock(START)
    await _one_question(repository)
    messenger = RecordingMessenger(Platform.TELEGRAM, clock)
    calls = _failing(repository, times=failures)
    return clock, messenger, calls, dispatcher(repository, messenger=messenger, clock=clock)


async def test_a_brief_failure_to_record_is_retried_and_the_message_sent_once(
    repository: SqlRepository,
) -> None:
    clock, messenger, calls, work = await _world(repository, failures=1)

    stats = await work.dispatch_due()
    clock.advance(dt.timedelta(hours=1))
    again = await work.dispatch_due()

    assert (stats.sent, stats.unrecorded, again.handled) == (1, 0, 0)
    assert calls[0] == 2 and len(messenger.sent) == 1
    assert await _statuses(repository) == [DeliveryStatus.SENT]


async def test_a_send_that_cannot_be_recorded_is_never_sent_again(
    repository: SqlRepository,
) -> None:
    clock, messenger, _, work = await _world(repository, failures=100)

    stats = await work.dispatch_due()
    assert (stats.sent, stats.unrecorded, stats.handed_back) == (0, 1, 0)
    for _ in range(3):  # later runs, and recovery of stale claims, never send it again
        clock.advance(dt.timedelta(hours=1))
        await DispatchStore(repository.engine).recover_stale(
            now=clock.now(), older_than=dt.timedelta(minutes=30)
        )
        await work.dispatch_due()
    assert len(messenger.sent) == 1
    assert await _statuses(repository) == [DeliveryStatus.UNKNOWN]
