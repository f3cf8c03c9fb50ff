"""What every part of the repository shares: the engine and dialect-aware statements."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine

from pulse_mirror.surveys.model import IsoWeek

UpsertInsert = postgresql.Insert | sqlite.Insert


class Store:
    """Holds the engine; each public method runs in its own short transaction."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    @property
    def engine(self) -> AsyncEngine:
        """The engine this repository works on."""
        return self._engine

    def _insert(self, table: sa.Table) -> UpsertInsert:
        """An INSERT that supports ON CONFLICT on both SQLite and PostgreSQL."""
        if self._engine.dialect.name == "postgresql":
            return postgresql.insert(table)
        return sqlite.insert(table)


def week_text(week: IsoWeek) -> str:
    """An ISO week as stored: ``YYYY-Www``."""
    return str(week)


def utc(value: dt.datetime) -> dt.datetime:
    """Refuse naive datetimes early, with a message that says what is wrong."""
    if value.tzinfo is None:
        raise ValueError(f"naive datetime {value.isoformat()}: storage needs timezone-aware")
    return value.astimezone(dt.UTC)
