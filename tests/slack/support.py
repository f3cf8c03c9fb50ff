"""What the Slack tests share: a settable clock, a pulse delivered to a person, waiting."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

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
ITEMS = ("effort.employee", "recommend.employee")
SECRETS = {"SLACK_BOT_TOKEN": "xoxb-sandbox", "SLACK_SIGNING_SECRET": "sandbox-secret"}


@dataclass(frozen=True)
class Delivered:
    """One person with one claimed pulse message."""

    person: PersonRecord
    pulse: PulseRecord
    delivery: DeliveryRecord

    @property
    def token(self) -> str:
        """The button token of the message."""
        return self.delivery.token


async def add_employee(
    repository: SqlRepository, user_id: str, *, group: str | None = "support", lang: str = "en"
) -> PersonRecord:
    """An active Slack employee."""
    return await repository.upsert_person(
        side=Side.EMPLOYEE,
        platform=Platform.SLACK,
        platform_user_id=user_id,
        language=lang,
        time_zone="Europe/Berlin",
        group=group,
        now=NOW,
    )


async def deliver_pulse(
    repository: SqlRepository, person: PersonRecord, *, items: tuple[str, ...] = ITEMS
) -> Delivered:
    """This week's employee pulse, open three days, claimed for ``person``."""
    pulse = await repository.get_or_create_pulse(
        week=WEEK,
        side=Side.EMPLOYEE,
        items=items,
        opens_at=NOW,
        closes_at=NOW + dt.timedelta(days=3),
    )
    new = NewDelivery(
        pulse_id=pulse.id, person_id=person.id, kind=DeliveryKind.QUESTION, due_at=NOW
    )
    await repository.enqueue([new])
    claimed = [
        d for d in await claim_due(repository, now=NOW, limit=100, worker="t") if d.key == new.key
    ]
    assert claimed
    return Delivered(person=person, pulse=pulse, delivery=claimed[0])


async def rows(engine: AsyncEngine, table: str) -> list[dict[str, Any]]:
    """Every row of a table as dicts."""
    async with engine.connect() as connection:
        result = await connection.execute(sa.text(f"SELECT * FROM {table}"))
        return [dict(row._mapping) for row in result]


async def eventually(check: Callable[[], Awaitable[bool]], *, what: str, tries: int = 400) -> None:
    """Wait until the bot's work after its ack shows (``check`` is true), or fail naming it."""
    for _ in range(tries):
        if await check():
            return
        await asyncio.sleep(0.025)
    raise AssertionError(f"never happened: {what}")
