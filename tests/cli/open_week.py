"""A SQLite database holding this week's pulses with their answer windows still open."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Mapping
from pathlib import Path

from pulse_mirror.storage.engine import create_engine
from pulse_mirror.storage.migrate import upgrade
from pulse_mirror.storage.repository import SqlRepository
from pulse_mirror.surveys.model import IsoWeek, Side


def closing_later(now: dt.datetime) -> dict[Side, dt.datetime]:
    """Windows still open at ``now``: employees close in two days, customers in three."""
    at = now.replace(second=0, microsecond=0)
    return {Side.EMPLOYEE: at + dt.timedelta(days=2), Side.CUSTOMER: at + dt.timedelta(days=3)}


def open_week_database(
    folder: Path, *, week: IsoWeek, closes: Mapping[Side, dt.datetime], now: dt.datetime
) -> str:
    """``folder``/pulse.db, migrated, with one effort pulse per side closing at ``closes``."""
    url = f"sqlite+aiosqlite:///{folder / 'pulse.db'}"

    async def pulses() -> None:
        await upgrade(url)
        engine = create_engine(url)
        try:
            repository = SqlRepository(engine, min_group_size=5)
            for side, closes_at in closes.items():
                await repository.get_or_create_pulse(
                    week=week, side=side, items=[f"effort.{side.value}"],
                    opens_at=now - dt.timedelta(days=1), closes_at=closes_at,
                )  # fmt: skip
        finally:
            await engine.dispose()

    asyncio.run(pulses())
    return url
