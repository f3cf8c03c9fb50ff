"""Builders shared by the storage tests: people, pulses and messages on the fresh database."""

from __future__ import annotations

import datetime as dt

from pulse_mirror.storage.repository import SqlRepository
from pulse_mirror.surveys.model import IsoWeek, Platform, Side
from pulse_mirror.surveys.records import (
    DeliveryKind,
    DeliveryRecord,
    NewDelivery,
    PersonRecord,
    PulseRecord,
)
from tests.reads import claim_due

NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)  # Monday of 2026-W48
WEEK = IsoWeek(2026, 48)
ITEMS = ("effort_in", "recommend_in")


async def add_person(
    repository: SqlRepository, *, side: Side, user: str, group: str | None = "support"
) -> PersonRecord:
    """An active employee (Slack) or customer (Telegram)."""
    platform = Platform.SLACK if side is Side.EMPLOYEE else Platform.TELEGRAM
    return await repository.upsert_person(
        side=side,
        platform=platform,
        platform_user_id=user,
        language="en",
        time_zone="Europe/Berlin",
        group=group,
        now=NOW,
        consent_at=NOW if side is Side.CUSTOMER else None,
    )


async def add_pulse(
    repository: SqlRepository, *, side: Side, items: tuple[str, ...] = ITEMS
) -> PulseRecord:
    """This week's pulse for one side, open for three days."""
    return await repository.get_or_create_pulse(
        week=WEEK, side=side, items=items, opens_at=NOW, closes_at=NOW + dt.timedelta(days=3)
    )


async def deliver(
    repository: SqlRepository, *, pulse: PulseRecord, person: PersonRecord
) -> DeliveryRecord:
    """Enqueue the question for one person and return its stored row (with its token)."""
    new = NewDelivery(
        pulse_id=pulse.id, person_id=person.id, kind=DeliveryKind.QUESTION, due_at=NOW
    )
    await repository.enqueue([new])
    claimed = await claim_due(repository, now=NOW, limit=1000, worker="test")
    found = [row for row in claimed if row.key == new.key]
    assert found, "the question should have been claimable"
    await repository.mark_sent(found[0].id, message_id=f"m-{person.id}", now=NOW)
    record = await repository.delivery_by_token(found[0].token)
    assert record is not None
    return record
