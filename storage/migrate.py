"""Create or upgrade the schema with the Alembic migrations shipped inside this package."""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import exc, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.engine import DatabaseUnavailable, create_engine, explain, mask

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


def _upgrade(connection: Connection, config: Config) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _UPGRADE_LOCK})
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


def _revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


async def upgrade_engine(engine: AsyncEngine) -> None:
    """Bring the schema behind ``engine`` to the newest revision; a no-op when it is current."""
    config = alembic_config()
    try:
        async with engine.begin() as connection:
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
