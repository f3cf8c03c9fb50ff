"""Column types shared by the tables."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa


class UtcDateTime(sa.TypeDecorator[dt.datetime]):
    """A timezone-aware datetime, stored in UTC and read back as UTC on every database.

    SQLite keeps no offset, so without this a non-UTC value would be stored as its wall time
    and comparisons such as ``due_at <= now`` would be wrong.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: sa.Dialect) -> Any:
        """Refuse naive datetimes and store everything in UTC."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value.isoformat()}: storage needs timezone-aware")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: Any, dialect: sa.Dialect) -> dt.datetime | None:
        """Return UTC-aware datetimes whatever the database kept."""
        if value is None:
            return None
        assert isinstance(value, dt.datetime)
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)
