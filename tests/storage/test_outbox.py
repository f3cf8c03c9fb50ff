"""The outbox: idempotent enqueue, atomic claims, and what happens after a send."""

from __future__ import annotations

import asyncio
import datetime as dt

import sqlalchemy as sa

from pulse_mirror.storage.engine import create_engine
from pulse_mirror.storage.migrate import upgrade
from pulse_mirror.storage.repository import SqlRepository
from pulse_mirror.storage.tables import delivery
from pulse_mirror.surveys.model import Side
from pulse_mirror.surveys.records import DeliveryKind, DeliveryStatus, NewDelivery
from tests.reads import claim_due
from tests.storage.builders import NOW, add_person, add_pulse


async def _people_and_pulse(repository: SqlRepository, count: int) -> list[NewDelivery]:
    pulse = await add_pulse(repository, side=Side.EMPLOYEE)
    news = []
    for index in range(count):
        person = await add_person(repository, side=Side.EMPLOYEE, user=f"U{index}")
        news.append(
            NewDelivery(
                pulse_id=pulse.id,
                person_id=person.id,
                kind=DeliveryKind.QUESTION,
                due_at=NOW + dt.timedelta(seconds=index),
            )
        )
    return news


async def test_enqueue_is_idempotent_on_the_key(repository: SqlRepository) -> None:
    news = await _people_and_pulse(repository, 3)

    assert await repository.enqueue(news) == 3
    assert await repository.enqueue(news) == 0
    assert await repository.enqueue([*news, news[0]]) == 0  # duplicates inside one batch too
    reminder = NewDelivery(
        pulse_id=news[0].pulse_id,
        person_id=news[0].person_id,
        kind=DeliveryKind.REMINDER_1,
        due_at=NOW,
    )
    assert await repository.enqueue([reminder, *news]) == 1

    counts = await repository.count_by_status()
    assert counts[DeliveryStatus.PENDING] == 4
    assert sum(counts.values()) == 4
    assert reminder.key == f"pulse:{news[0].pulse_id}:{news[0].person_id}:reminder_1"


async def test_tokens_are_unique_and_unguessable(repository: SqlRepository) -> None:
    news = await _people_and_pulse(repository, 20)
    await repository.enqueue(news)

    claimed = await claim_due(repository, now=NOW + dt.timedelta(hours=1), limit=100, worker="w")

    tokens = {row.token for row in claimed}
    assert len(tokens) == 20
    assert all(len(token) >= 22 and len(token.encode()) <= 32 for token in tokens)


async def test_claim_takes_only_due_rows_oldest_first_up_to_the_limit(
    repository: SqlRepository,
) -> None:
    news = await _people_and_pulse(repository, 5)
    await repository.enqueue(news)

    none_yet = await claim_due(repository, now=NOW - dt.timedelta(seconds=1), limit=10, worker="w")
    first = await claim_due(repository, now=NOW + dt.timedelta(seconds=3), limit=2, worker="w")
    second = await claim_due(repository, now=NOW + dt.timedelta(seconds=3), limit=10, worker="w")

    assert none_yet == []
    assert [row.due_at for row in first] == [NOW, NOW + dt.timedelta(seconds=1)]
    assert [row.due_at for row in second] == [
        NOW + dt.timedelta(seconds=2),
        NOW + dt.timedelta(seconds=3),
    ]
    assert all(row.status is DeliveryStatus.CLAIMED for row in first + second)
    assert all(row.claimed_by == "w" and row.attempts == 1 for row in first + second)
    assert all(row.claimed_at == NOW + dt.timedelta(seconds=3) for row in first)


async def test_concurrent_claimers_never_share_a_row(
    repository: SqlRepository, database_url: str
) -> None:
    news = await _people_and_pulse(repository, 60)
    await repository.enqueue(news)
    engines = [create_engine(database_url) for _ in range(4)]
    claimers = [SqlRepository(engine) for engine in engines]

    async def drain(worker: int) -> list[int]:
        taken: list[int] = []
        while batch := await claim_due(claimers[worker],
            now=NOW + dt.timedelta(hours=1), limit=7, worker=f"w{worker}"
        ):
            taken.extend(row.id for row in batch)
        return taken

    try:
        results = await asyncio.gather(*(drain(worker) for worker in range(len(claimers))))
    finally:
        for engine in engines:
            await engine.dispose()

    every_claim = [row_id for result in results for row_id in result]
    assert len(every_claim) == 60
    assert len(set(every_claim)) == 60
    counts = await repository.count_by_status()
    assert counts[DeliveryStatus.CLAIMED] == 60


async def test_postgres_claimers_skip_rows_locked_by_another_transaction(
    postgres_url: str,
) -> None:
    await upgrade(postgres_url)
    engine = create_engine(postgres_url)
    repository = SqlRepository(engine)
    news = await _people_and_pulse(repository, 4)
    await repository.enqueue(news)
    oldest_two = sa.select(delivery.c.id).order_by(delivery.c.due_at).limit(2).with_for_update()

    async with engine.connect() as holder:
        locked = (await holder.execute(oldest_two)).scalars().all()
        # Without SKIP LOCKED this claim would wait for the holder, which never lets go first.
        claimed = await asyncio.wait_for(
            claim_due(repository, now=NOW + dt.timedelta(hours=1), limit=10, worker="w"),
            timeout=30,
        )
        await holder.rollback()

    await engine.dispose()

    assert len(locked) == 2
    assert len(claimed) == 2
    assert not {row.id for row in claimed} & set(locked)


async def test_a_sent_message_keeps_its_platform_id_and_cannot_be_finished_twice(
    repository: SqlRepository,
) -> None:
    news = await _people_and_pulse(repository, 1)
    await repository.enqueue(news)
    (row,) = await claim_due(repository, now=NOW, limit=10, worker="w")
    later = NOW + dt.timedelta(seconds=5)

    assert await repository.mark_sent(row.id, message_id="1700000000.000100", now=later)
    assert not await repository.mark_failed(row.id, error="late failure")

    stored = await repository.delivery_by_token(row.token)
    assert stored is not None
    assert stored.status is DeliveryStatus.SENT
    assert (stored.platform_message_id, stored.sent_at) == ("1700000000.000100", later)
    assert await repository.delivery_by_token("no-such-token") is None


async def test_failures_retry_later_or_stop_and_unknown_outcomes_stay_put(
    repository: SqlRepository,
) -> None:
    news = await _people_and_pulse(repository, 3)
    await repository.enqueue(news)
    retried, failed, unknown = await claim_due(repository,
        now=NOW + dt.timedelta(hours=1), limit=3, worker="w"
    )
    retry_at = NOW + dt.timedelta(minutes=5)

    assert await repository.mark_failed(retried.id, error="HTTP 500", retry_at=retry_at)
    assert await repository.mark_failed(failed.id, error="user_not_found")
    assert await repository.mark_unknown(unknown.id, error="timed out after sending")

    assert (
        await claim_due(repository, now=retry_at - dt.timedelta(seconds=1), limit=9, worker="w")
        == []
    )
    (again,) = await claim_due(repository, now=retry_at, limit=9, worker="w2")
    assert (again.id, again.attempts, again.last_error) == (retried.id, 2, "HTTP 500")
    counts = await repository.count_by_status()
    assert counts[DeliveryStatus.FAILED] == 1
    assert counts[DeliveryStatus.UNKNOWN] == 1
    assert counts[DeliveryStatus.CLAIMED] == 1
    assert counts[DeliveryStatus.PENDING] == 0


async def test_release_returns_only_that_workers_claims(repository: SqlRepository) -> None:
    news = await _people_and_pulse(repository, 4)
    await repository.enqueue(news)
    mine = await claim_due(repository, now=NOW + dt.timedelta(hours=1), limit=3, worker="crashed")
    theirs = await claim_due(repository, now=NOW + dt.timedelta(hours=1), limit=3, worker="alive")

    assert await repository.release_claimed("crashed") == 3
    assert not await repository.mark_sent(mine[0].id, message_id="x", now=NOW)

    counts = await repository.count_by_status()
    assert (counts[DeliveryStatus.PENDING], counts[DeliveryStatus.CLAIMED]) == (3, 1)
    again = await claim_due(repository, now=NOW + dt.timedelta(hours=1), limit=9, worker="new")
    assert {row.id for row in again} == {row.id for row in mine}
    assert theirs[0].id not in {row.id for row in again}


async def test_cancel_pending_leaves_other_people_and_sent_messages(
    repository: SqlRepository,
) -> None:
    news = await _people_and_pulse(repository, 2)
    reminder = NewDelivery(
        pulse_id=news[0].pulse_id,
        person_id=news[0].person_id,
        kind=DeliveryKind.REMINDER_1,
        due_at=NOW + dt.timedelta(days=1),
    )
    await repository.enqueue([*news, reminder])
    sent = await claim_due(repository, now=NOW, limit=1, worker="w")
    await repository.mark_sent(sent[0].id, message_id="m", now=NOW)

    assert await repository.cancel_pending(news[0].person_id) == 1

    counts = await repository.count_by_status()
    assert counts[DeliveryStatus.CANCELLED] == 1
    assert counts[DeliveryStatus.SENT] == 1
    assert counts[DeliveryStatus.PENDING] == 1
