"""Create or upgrade the schema with the Alembic migrations shipped inside this package.

On SQLite, Alembic's batch mode rebuilds a table by copying it and dropping the original;
with foreign keys on, that drop would cascade-delete every row that references it. A
migration therefore runs with foreign keys off (a pragma SQLite ignores inside a
transaction, so it is set before the transaction begins) and checks them before it commits.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import exc, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from pulse_mirror.storage.engine import DatabaseUnavailable, create_engine, explain, mask

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# Any fixed number: replicas that start together take turns at upgrading PostgreSQL.
_UPGRADE_LOCK = 0x70756C7365


def alembic_config(url: str | None = None) -> Config:
    """An Alembic config pointing at the packaged migrations; no alembic.ini needed."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def head_revision() -> str | None:
    """The newest revision shipped with this package."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


class BrokenForeignKeys(Exception):
    """A migration left rows whose foreign keys point nowhere; it was rolled back."""


def _set_foreign_keys(connection: Connection, *, on: bool) -> None:
    # On the driver's own cursor: through SQLAlchemy the statement would begin a transaction.
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")
    finally:
        cursor.close()


def _check_foreign_keys(connection: Connection) -> None:
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
    if broken:
        tables = sorted({str(row[0]) for row in broken})
        raise BrokenForeignKeys(
            f"migration rolled back: {len(broken)} rows with dangling foreign keys "
            f"in {', '.join(tables)}"
        )


def run_migration(connection: Connection, work: Callable[[Connection], None]) -> None:
    """Run ``work`` in one transaction; on SQLite with foreign keys off, and checked after.

    ``connection`` must not be in a transaction yet.
    """
    sqlite = connection.dialect.name == "sqlite"
    if connection.in_transaction():
        raise RuntimeError("a migration needs a connection outside any transaction")
    if sqlite:
        _set_foreign_keys(connection, on=False)
    try:
        with connection.begin():
            work(connection)
            if sqlite:
                _check_foreign_keys(connection)
    finally:
        if sqlite:
            _set_foreign_keys(connection, on=True)


def _upgrade(connection: Connection, config: Config) -> None:
    def to_head(inside: Connection) -> None:
        if inside.dialect.name == "postgresql":
            inside.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _UPGRADE_LOCK})
        config.attributes["connection"] = inside
        command.upgrade(config, "head")

    run_migration(connection, to_head)


def _revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


async def upgrade_engine(engine: AsyncEngine) -> None:
    """Bring the schema behind ``engine`` to the newest revision; a no-op when it is current."""
    config = alembic_config()
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_upgrade, config)
    except (exc.OperationalError, exc.InterfaceError, OSError) as error:
        raise DatabaseUnavailable(mask(engine.url), explain(error)) from None
    log.info("database schema is at %s", head_revision(), extra={"database": mask(engine.url)})


async def upgrade(url: str) -> None:
    """Create the schema, or upgrade it to the newest revision; running it again changes nothing."""
    engine = create_engine(url)
    try:
        await upgrade_engine(engine)
    finally:
        await engine.dispose()


async def current_revision(url: str) -> str | None:
    """The revision the database is at, or None when it has no schema yet."""
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(_revision)
    except (exc.OperationalError, exc.InterfaceError, OSError) as error:
        raise DatabaseUnavailable(mask(engine.url), explain(error)) from None
    finally:
        await engine.dispose()
