"""When an employee window closes, its answers and comments are written again in random order.

Rows inserted as people click keep that order where SQL can see it: PostgreSQL stamps each row
with the transaction that wrote it (``xmin``) and places it after the one before (``ctid``).
Matched with the send times of the messages, that order could point to a person even after
the ballots are gone. Rewritten at the close, in one transaction and a random order with new
random ids, every row of the week carries the same ``xmin`` and a place that says nothing.
A ``VACUUM`` afterwards drops the old row versions from what SQL can read.
(SQLite keeps these tables ``WITHOUT ROWID`` in the order of their random ids already, and
``secure_delete`` overwrites what is deleted; the rewrite does no harm there.)
"""

from __future__ import annotations

import random

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from pulse_mirror.storage.tables import answer, comment, new_id
from pulse_mirror.surveys.model import Side

_SHUFFLE = random.SystemRandom()


async def reshuffle_week(connection: AsyncConnection, *, week: str) -> int:
    """Write the week's employee answers and comments again in random order; return the rows."""
    rewritten = 0
    for table in (answer, comment):
        mine = sa.and_(table.c.week == week, table.c.side == Side.EMPLOYEE.value)
        columns = [column for column in table.c if column.name != "id"]
        rows = [dict(row) for row in (await connection.execute(sa.select(*columns).where(mine)))
                .mappings()]  # fmt: skip
        if not rows:
            continue
        _SHUFFLE.shuffle(rows)
        await connection.execute(sa.delete(table).where(mine))
        await connection.execute(table.insert(), [{**row, "id": new_id()} for row in rows])
        rewritten += len(rows)
    return rewritten


async def vacuum_answers(engine: AsyncEngine) -> None:
    """On PostgreSQL, drop the row versions a close left behind (VACUUM needs autocommit)."""
    if engine.dialect.name != "postgresql":
        return
    async with engine.connect() as connection:
        autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
        await autocommit.execute(sa.text("VACUUM answer, comment, ballot"))
