"""Migrations keep the data: SQLite table rebuilds run with foreign keys off, checked after."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from pulse_mirror.storage.engine import create_engine
from pulse_mirror.storage.migrate import BrokenForeignKeys, run_migration, upgrade, upgrade_engine
from pulse_mirror.storage.repository import SqlRepository
from pulse_mirror.storage.tables import answer, ballot, delivery, person
from pulse_mirror.surveys.model import Side
from tests.storage.builders import NOW, add_person, add_pulse, deliver

COUNTED = (person, delivery, answer, ballot)


async def _populate(engine: AsyncEngine) -> None:
    repository = SqlRepository(engine)
    customer = await add_person(repository, side=Side.CUSTOMER, user="C1", group="smb")
    employee = await add_person(repository, side=Side.EMPLOYEE, user="U1")
    inside = await deliver(
        repository, pulse=await add_pulse(repository, side=Side.EMPLOYEE), person=employee
    )
    outside = await deliver(
        repository, pulse=await add_pulse(repository, side=Side.CUSTOMER), person=customer
    )
    await repository.record_answer(token=inside.token, item="effort_in", value=3, now=NOW)
    await repository.record_answer(token=outside.token, item="effort_in", value=5, now=NOW)


async def _counts(engine: AsyncEngine) -> dict[str, int]:
    async with engine.connect() as connection:
        return {
            table.name: (
                await connection.execute(sa.select(sa.func.count()).select_from(table))
            ).scalar_one()
            for table in COUNTED
        }


def _rebuild_person(connection: Connection) -> None:
    # What Alembic's batch mode does to change a column on SQLite: copy, drop, rename.
    operations = Operations(MigrationContext.configure(connection))
    with operations.batch_alter_table("person", recreate="always") as batch:
        batch.alter_column("language", existing_type=sa.String(8), type_=sa.String(16))


async def _migrate(engine: AsyncEngine, work: Callable[[Connection], None]) -> None:
    async with engine.connect() as connection:
        await connection.run_sync(run_migration, work)


@pytest.fixture
async def sqlite_engine(tmp_path: Path) -> Any:
    url = f"sqlite+aiosqlite:///{tmp_path / 'pulse.db'}"
    await upgrade(url)
    engine = create_engine(url)
    await _populate(engine)
    try:
        yield engine
    finally:
        await engine.dispose()


async def test_a_table_rebuild_keeps_every_row_that_references_it(
    sqlite_engine: AsyncEngine,
) -> None:
    before = await _counts(sqlite_engine)
    assert all(before.values())

    await _migrate(sqlite_engine, _rebuild_person)

    assert await _counts(sqlite_engine) == before
    async with sqlite_engine.connect() as connection:
        assert (await connection.exec_driver_sql("PRAGMA foreign_keys")).scalar_one() == 1


async def test_the_same_rebuild_with_foreign_keys_on_would_lose_them(
    sqlite_engine: AsyncEngine,
) -> None:
    # The hazard the migration path guards against, shown on an ordinary transaction.
    before = await _counts(sqlite_engine)
    async with sqlite_engine.begin() as connection:
        await connection.run_sync(_rebuild_person)

    after = await _counts(sqlite_engine)
    assert after["person"] == before["person"]
    assert after["delivery"] == 0 and after["ballot"] == 0


async def test_a_migration_leaving_dangling_references_is_rolled_back(
    sqlite_engine: AsyncEngine,
) -> None:
    before = await _counts(sqlite_engine)

    def orphan_the_deliveries(connection: Connection) -> None:
        connection.execute(sa.delete(person))

    with pytest.raises(BrokenForeignKeys, match="delivery"):
        await _migrate(sqlite_engine, orphan_the_deliveries)

    assert await _counts(sqlite_engine) == before


async def test_the_migration_connection_has_foreign_keys_off(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'pulse.db'}")
    seen: list[int] = []

    def foreign_keys_at_ddl(conn: Connection, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().startswith("CREATE TABLE"):
            cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
            cursor.execute("PRAGMA foreign_keys")
            row = cursor.fetchone()
            assert row is not None
            seen.append(row[0])
            cursor.close()

    event.listen(engine.sync_engine, "before_cursor_execute", foreign_keys_at_ddl)
    try:
        await upgrade_engine(engine)
        async with engine.connect() as connection:
            after = (await connection.exec_driver_sql("PRAGMA foreign_keys")).scalar_one()
    finally:
        await engine.dispose()

    assert seen and set(seen) == {0}
    assert after == 1


async def test_upgrading_a_populated_database_twice_keeps_its_data(
    database_url: str, engine: AsyncEngine
) -> None:
    await _populate(engine)
    before = await _counts(engine)

    await upgrade(database_url)
    await upgrade_engine(engine)

    assert await _counts(engine) == before
    assert all(before.values())


async def test_a_migration_needs_a_connection_outside_a_transaction(
    sqlite_engine: AsyncEngine,
) -> None:
    async with sqlite_engine.begin() as connection:
        with pytest.raises(RuntimeError, match="outside any transaction"):
            await connection.run_sync(run_migration, lambda _: None)
