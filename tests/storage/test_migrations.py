"""Migrations create the schema from empty, match the tables exactly, and can run twice."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Connection

from pulse_mirror.storage.engine import create_engine
from pulse_mirror.storage.migrate import current_revision, head_revision, upgrade
from pulse_mirror.storage.tables import metadata


def _differences(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, metadata))


async def _schema_differences(url: str) -> list[object]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(_differences)
    finally:
        await engine.dispose()


async def test_an_empty_database_has_no_revision_and_differs_from_the_tables(
    database_url: str,
) -> None:
    assert await current_revision(database_url) is None
    # The comparison below is only worth something if it does see a missing schema.
    assert await _schema_differences(database_url)


async def test_upgrade_from_empty_reaches_head_and_matches_the_tables(database_url: str) -> None:
    await upgrade(database_url)

    assert head_revision() == "0007"
    assert await current_revision(database_url) == head_revision()
    assert await _schema_differences(database_url) == []


async def test_upgrade_twice_changes_nothing(database_url: str) -> None:
    await upgrade(database_url)
    await upgrade(database_url)

    assert await current_revision(database_url) == head_revision()
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            versions = (await connection.execute(sa.text("SELECT * FROM alembic_version"))).all()
    finally:
        await engine.dispose()
    assert len(versions) == 1


async def test_every_sqlite_connection_gets_the_pragmas(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'pragmas.db'}"
    await upgrade(url)
    engine = create_engine(url)
    expected = {
        "journal_mode": "wal",
        "foreign_keys": 1,
        "busy_timeout": 30000,
        "synchronous": 1,
        "secure_delete": 1,
    }
    # Two connections held at once: the pragmas are per connection, so both must have them.
    async with engine.connect() as first, engine.connect() as second:
        for connection in (first, second):
            found = {
                name: (await connection.execute(sa.text(f"PRAGMA {name}"))).scalar_one()
                for name in expected
            }
            assert found == expected
    await engine.dispose()
