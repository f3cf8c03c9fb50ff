"""The planner's set-based reads and writes plan exactly what the in-memory plan planned.

The plan job reads only the ids of the eligible customers and the employees still without the
week's question, and stores the sample with a few set-based statements; these tests compare
the result with the plan built from every person in memory, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest
import sqlalchemy as sa

from pulse_mirror.runtime.jobs import Jobs, PlanSettings
from pulse_mirror.storage import operations
from pulse_mirror.storage.locks import SoleProcess
from pulse_mirror.storage.operations import OperationsStore
from pulse_mirror.storage.repository import SqlRepository
from pulse_mirror.storage.tables import delivery, person
from pulse_mirror.surveys.bank import load_bank
from pulse_mirror.surveys.model import IsoWeek, PersonStatus, Platform, Side
from pulse_mirror.surveys.planning.weekly import (
    CustomerRules,
    EmployeeRules,
    customer_deliveries,
    employee_deliveries,
    sample_for_week,
)
from pulse_mirror.surveys.records import DeliveryKind, NewDelivery
from tests.fakes import FakeClock

WEEK = IsoWeek(2026, 10)
# Tuesday 09:30 UTC: past the 10:00 slot east of Berlin, so those employees join late.
NOW = dt.datetime(2026, 3, 3, 9, 30, tzinfo=dt.UTC)
ZONES = ("Europe/Berlin", "America/New_York", "Asia/Tokyo", "Not/AZone", "Pacific/Auckland")
SEED = 11
SETTINGS = PlanSettings(
    employees=EmployeeRules(
        weekdays=(2, 4), send_time=dt.time(10), answer_window_days=5, reminders=2,
        default_tz="Europe/Berlin",
    ),
    customers=CustomerRules(
        min_days_between=28, answer_window_days=7, sample_fraction=0.3, reminders=1,
        default_tz="Europe/Berlin",
    ),
    employee_questions=3,
    customer_questions=2,
    organisation_tz="Europe/Berlin",
)  # fmt: skip


async def _people(repository: SqlRepository) -> None:
    """Employees in several zones and customers in every state the sample distinguishes."""
    for index in range(40):
        await repository.upsert_person(
            side=Side.EMPLOYEE, platform=Platform.SLACK, platform_user_id=f"U{index}",
            language="en", time_zone=ZONES[index % len(ZONES)], group=None, now=NOW,
        )  # fmt: skip
    asked = []
    for index in range(120):
        customer = await repository.upsert_person(
            side=Side.CUSTOMER, platform=Platform.TELEGRAM, platform_user_id=str(index),
            language="en", time_zone=ZONES[index % len(ZONES)], group=None, now=NOW,
            consent_at=None if index % 17 == 0 else NOW - dt.timedelta(days=90),
        )  # fmt: skip
        if index % 3 == 0:  # asked 10, 28 (exactly the period) or 40 days ago
            days = (10, 28, 40)[index % 9 // 3]
            asked.append({"key": customer.id, "at": NOW - dt.timedelta(days=days)})
        if index % 11 == 0:
            await repository.set_status(customer.id, PersonStatus.OPTED_OUT)
        elif index % 13 == 0:  # paused; every other pause is over by now
            until = NOW + dt.timedelta(days=1 if index % 2 else -1)
            await repository.set_status(customer.id, PersonStatus.PAUSED, paused_until=until)
    async with repository.engine.begin() as connection:
        await connection.execute(
            sa.update(person)
            .where(person.c.id == sa.bindparam("key"))
            .values(last_asked_at=sa.bindparam("at")),
            asked,
        )


def _jobs(repository: SqlRepository, *, seed: int = SEED) -> Jobs:
    return Jobs(
        repository=repository,
        operations=OperationsStore(repository.engine),
        bank=load_bank(),
        settings=SETTINGS,
        clock=FakeClock(NOW),
        leader=SoleProcess(),
        rng=random.Random(seed),
    )


async def _stored(repository: SqlRepository) -> set[tuple[int, str, dt.datetime]]:
    statement = sa.select(delivery.c.person_id, delivery.c.kind, delivery.c.due_at)
    async with repository.engine.connect() as connection:
        rows = (await connection.execute(statement)).all()
    return {(row.person_id, row.kind, _utc(row.due_at)) for row in rows}


async def _last_asked(repository: SqlRepository) -> dict[int, dt.datetime | None]:
    return {p.id: p.last_asked_at for p in await _everyone(repository)}


async def _everyone(repository: SqlRepository) -> list[Any]:
    statement = sa.select(person.c.id).order_by(person.c.id)
    async with repository.engine.connect() as connection:
        ids = (await connection.execute(statement)).scalars().all()
    return [await repository.get_person(key) for key in ids]


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _keyed(rows: list[NewDelivery]) -> set[tuple[int, str, dt.datetime]]:
    return {(row.person_id, row.kind.value, row.due_at) for row in rows}


async def test_the_plan_matches_the_in_memory_plan_of_every_person(
    repository: SqlRepository,
) -> None:
    await _people(repository)
    employees = await repository.active_people(Side.EMPLOYEE, now=NOW)
    customers = await repository.active_people(Side.CUSTOMER, now=NOW)
    before = await _last_asked(repository)

    result = await _jobs(repository).plan_week(WEEK, now=NOW)

    pulses = {side: await repository.get_or_create_pulse(  # the pulses the plan created
        week=WEEK, side=side, items=[], opens_at=NOW, closes_at=NOW,
    ) for side in Side}  # fmt: skip
    rng = random.Random(SEED)
    sampled = sample_for_week(people=customers, rules=SETTINGS.customers, now=NOW, rng=rng)
    expected_customers = customer_deliveries(
        pulse=pulses[Side.CUSTOMER], sampled=sampled, rules=SETTINGS.customers, now=NOW, rng=rng
    )
    expected_employees = employee_deliveries(
        pulse=pulses[Side.EMPLOYEE], people=employees, rules=SETTINGS.employees, now=NOW
    )
    assert len(sampled) > 10 and result.customers_asked == len(sampled)
    assert await _stored(repository) == _keyed(expected_customers) | _keyed(expected_employees)
    questions = {r.person_id: r.due_at for r in expected_customers if r.kind.value == "question"}
    assert await _last_asked(repository) == before | questions


async def test_a_re_run_adds_nothing_and_keeps_the_plan(repository: SqlRepository) -> None:
    await _people(repository)
    work = _jobs(repository)
    first = await work.plan_week(WEEK, now=NOW)
    planned = await _stored(repository)
    asked = await _last_asked(repository)

    again = await work.plan_week(WEEK, now=NOW + dt.timedelta(minutes=15))
    other_seed = await _jobs(repository, seed=SEED + 1).plan_week(WEEK, now=NOW)

    assert first.employees_asked > 0 and first.customers_asked > 0
    assert (again.employees, again.customers) == (0, 0)
    assert (other_seed.employees, other_seed.customers) == (0, 0)
    assert await _stored(repository) == planned
    assert await _last_asked(repository) == asked


async def test_a_re_run_plans_only_the_employees_who_joined_since(
    repository: SqlRepository,
) -> None:
    await _people(repository)
    work = _jobs(repository)
    await work.plan_week(WEEK, now=NOW)
    planned = await _stored(repository)
    joiner = await repository.upsert_person(
        side=Side.EMPLOYEE, platform=Platform.SLACK, platform_user_id="U-new",
        language="en", time_zone="America/Los_Angeles", group=None, now=NOW,
    )  # fmt: skip

    later = NOW + dt.timedelta(hours=1)
    result = await work.plan_week(WEEK, now=later)

    added = await _stored(repository) - planned
    assert result.employees_asked == 1 and result.customers == 0
    assert {row[0] for row in added} == {joiner.id}
    kinds = sorted(row[1] for row in added)
    assert kinds == sorted([DeliveryKind.QUESTION.value, "reminder_1", "reminder_2"])


async def test_a_run_stopped_before_the_questions_is_completed_by_the_next(
    repository: SqlRepository,
) -> None:
    await _people(repository)
    work = _jobs(repository)
    await work.plan_week(WEEK, now=NOW)
    planned = await _stored(repository)
    stopped = sorted({key for key, kind, _ in planned if kind == "reminder_2"})[:2]
    async with repository.engine.begin() as connection:  # reminders stored, questions not
        await connection.execute(
            sa.delete(delivery).where(
                delivery.c.person_id.in_(stopped), delivery.c.kind == "question"
            )
        )

    result = await work.plan_week(WEEK, now=NOW)

    assert result.employees_asked == 2 and result.employees == 2
    assert await _stored(repository) == planned


@pytest.mark.parametrize("chunk", [3, 10_000])
async def test_a_sample_is_stored_in_chunks_with_when_each_is_asked(
    repository: SqlRepository, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    monkeypatch.setattr(operations, "_CHUNK", chunk)
    await _people(repository)
    store = OperationsStore(repository.engine)
    pulse = await repository.get_or_create_pulse(
        week=WEEK, side=Side.CUSTOMER, items=["effort.customer"], opens_at=NOW,
        closes_at=NOW + dt.timedelta(days=7),
    )  # fmt: skip
    _, eligible = await store.sample_base(now=NOW, asked_before=NOW - dt.timedelta(days=28))
    picked = list(eligible)[:8]
    at = {key: NOW + dt.timedelta(hours=key % 5, minutes=key) for key in picked}
    rows = [NewDelivery(pulse.id, key, DeliveryKind.QUESTION, due) for key, due in at.items()]

    stored = await store.enqueue_sample(pulse_id=pulse.id, deliveries=rows, asked=at)
    second = await store.enqueue_sample(pulse_id=pulse.id, deliveries=rows, asked={})

    assert (stored, second) == (8, 0)
    assert await store.has_questions(pulse.id)
    last = await _last_asked(repository)
    assert {key: last[key] for key in picked} == at
    found = await store.people_by_id([picked[3], picked[0], 999_999])
    assert [p.id for p in found] == sorted([picked[0], picked[3]])


async def test_the_sample_base_counts_and_lists_exactly_the_in_memory_candidates(
    repository: SqlRepository,
) -> None:
    await _people(repository)
    customers = await repository.active_people(Side.CUSTOMER, now=NOW)
    consented = [c for c in customers if c.consent_at is not None]
    since = NOW - dt.timedelta(days=28)

    pool, eligible = await OperationsStore(repository.engine).sample_base(
        now=NOW, asked_before=since
    )

    assert pool == len(consented)
    assert list(eligible) == [
        c.id for c in consented if c.last_asked_at is None or c.last_asked_at <= since
    ]
