"""Shared set-up for the dispatch tests: people, rules, jobs and dispatchers on a database."""

from __future__ import annotations

import datetime as dt
import random

import sqlalchemy as sa

from pulse_mirror.outbox.delivery_state import DeliveryContext
from pulse_mirror.outbox.dispatcher import Dispatcher, RetryPolicy
from pulse_mirror.outbox.pacing import Pacer, Rate
from pulse_mirror.runtime.jobs import Jobs, PlanSettings
from pulse_mirror.storage.deliveries.claims import DispatchStore
from pulse_mirror.storage.locks import Leadership, SoleProcess
from pulse_mirror.storage.operations import OperationsStore
from pulse_mirror.storage.people import person_record
from pulse_mirror.storage.repository import SqlRepository
from pulse_mirror.storage.tables import person
from pulse_mirror.surveys.bank import QuestionBank, load_bank
from pulse_mirror.surveys.model import Platform, Side
from pulse_mirror.surveys.planning.weekly import CustomerRules, EmployeeRules
from pulse_mirror.surveys.ports import Clock, Messenger
from pulse_mirror.surveys.records import PersonRecord

SETTINGS = PlanSettings(
    employees=EmployeeRules(
        weekdays=(2,), send_time=dt.time(10), answer_window_days=5, reminders=2,
        default_tz="Europe/Berlin",
    ),
    customers=CustomerRules(
        min_days_between=28, answer_window_days=7, sample_size=10, default_tz="Europe/Berlin"
    ),
    employee_questions=3,
    customer_questions=2,
    organisation_tz="Europe/Berlin",
)  # fmt: skip


async def add_people(
    repository: SqlRepository,
    *,
    side: Side,
    count: int,
    zones: tuple[str, ...] = ("Europe/Berlin",),
    start: int = 1,
    now: dt.datetime,
) -> list[PersonRecord]:
    """``count`` active people of one side, their time zones taken in turn from ``zones``."""
    platform = Platform.SLACK if side is Side.EMPLOYEE else Platform.TELEGRAM
    if count > 50:
        return await _bulk_people(
            repository, side=side, platform=platform, count=count, zones=zones, start=start,
            now=now,
        )  # fmt: skip
    people = []
    for index in range(start, start + count):
        user = f"U{index}" if side is Side.EMPLOYEE else str(100_000 + index)
        people.append(
            await repository.upsert_person(
                side=side,
                platform=platform,
                platform_user_id=user,
                language="en",
                time_zone=zones[index % len(zones)],
                group=None,
                now=now,
                consent_at=now if side is Side.CUSTOMER else None,
            )
        )
    return people


def dispatcher(
    repository: SqlRepository,
    *,
    messenger: Messenger,
    clock: Clock,
    bank: QuestionBank | None = None,
    rate: float | None = None,
    per_chat: float | None = None,
    worker: str = "test-worker",
    concurrency: int = 64,
    retry: RetryPolicy | None = None,
) -> Dispatcher:
    """A dispatcher for one messenger on ``repository``'s engine."""
    store = DispatchStore(repository.engine)
    pacer = Pacer(
        clock=clock,
        overall=None if rate is None else Rate.per_second(rate),
        per_chat=None if per_chat is None else Rate.per_second(per_chat),
    )
    context = DeliveryContext(repository=repository, bank=bank or load_bank())
    return Dispatcher(
        store=store,
        repository=repository,
        context=context,
        messenger=messenger,
        pacer=pacer,
        clock=clock,
        worker=worker,
        concurrency=concurrency,
        retry=retry,
    )


def jobs(
    repository: SqlRepository,
    *,
    clock: Clock,
    dispatchers: list[Dispatcher],
    settings: PlanSettings = SETTINGS,
    leader: Leadership | None = None,
    seed: int = 3,
) -> Jobs:
    """The scheduler's jobs on ``repository`` with a seeded sample."""
    return Jobs(
        repository=repository,
        operations=OperationsStore(repository.engine),
        bank=load_bank(),
        settings=settings,
        clock=clock,
        leader=leader or SoleProcess(),
        dispatchers=dispatchers,
        rng=random.Random(seed),
    )


def _user(side: Side, index: int) -> str:
    return f"U{index}" if side is Side.EMPLOYEE else str(100_000 + index)


async def _bulk_people(
    repository: SqlRepository,
    *,
    side: Side,
    platform: Platform,
    count: int,
    zones: tuple[str, ...],
    start: int,
    now: dt.datetime,
) -> list[PersonRecord]:
    """Many people in one statement (the same rows ``upsert_person`` writes)."""
    rows = [
        {
            "side": side.value, "platform": platform.value, "platform_user_id": _user(side, i),
            "language": "en", "time_zone": zones[i % len(zones)], "group": None,
            "status": "active", "consent_at": now if side is Side.CUSTOMER else None,
            "created_at": now,
        }
        for i in range(start, start + count)
    ]  # fmt: skip
    async with repository.engine.begin() as connection:
        await connection.execute(sa.insert(person), rows)
        found = (
            await connection.execute(
                sa.select(person)
                .where(person.c.platform_user_id.in_([r["platform_user_id"] for r in rows]))
                .order_by(person.c.id)
            )
        ).all()
    return [person_record(row) for row in found]
