"""Who may run: one process per SQLite file, one elected planner per PostgreSQL database.

On PostgreSQL several ``pulse run`` replicas share the dispatch work; the planner and the
weekly report run on the one that holds a session-level advisory lock, kept on a connection
of its own. If that replica dies its connection closes, the lock is freed and another replica
takes over at its next attempt. SQLite allows one writer process, so a second process on the
same file refuses to start: it cannot get the exclusive lock on ``<database>.lock``.
"""

from __future__ import annotations

import fcntl
import logging
import os
from pathlib import Path
from typing import IO, Protocol

import sqlalchemy as sa
from sqlalchemy import exc
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

log = logging.getLogger(__name__)

LEADER_KEY = 0x70756C7365 + 1  # any fixed number; distinct from the migration lock


class AlreadyRunning(Exception):
    """Another process already runs on this SQLite database; the message is one line."""


class Leadership(Protocol):
    """Whether this process is the one that plans and reports."""

    async def is_leader(self) -> bool:
        """Try to be (or stay) the leader; True while this process is."""
        ...

    async def release(self) -> None:
        """Give up leadership."""
        ...


class SoleProcess:
    """The only process on a database (SQLite behind a file lock): always the leader."""

    async def is_leader(self) -> bool:
        """Always True."""
        return True

    async def release(self) -> None:
        """Nothing to give up."""


class PostgresLeader:
    """Leadership by ``pg_try_advisory_lock`` on a dedicated autocommit connection."""

    def __init__(self, engine: AsyncEngine, *, key: int = LEADER_KEY) -> None:
        self._engine = engine
        self._key = key
        self._connection: AsyncConnection | None = None

    async def is_leader(self) -> bool:
        """Keep the lock if the connection is alive, else try to take it."""
        if self._connection is not None:
            try:
                await self._connection.execute(sa.text("SELECT 1"))
                return True
            except (exc.SQLAlchemyError, OSError):
                log.warning("lost the leader connection; trying to take the lock again")
                await self._drop()
        try:
            connection = await self._engine.connect()
            connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
            got = await connection.execute(
                sa.text("SELECT pg_try_advisory_lock(:key)"), {"key": self._key}
            )
            if got.scalar_one():
                self._connection = connection
                log.info("this replica is the leader (plans and reports)")
                return True
            await connection.close()
        except (exc.SQLAlchemyError, OSError):
            log.warning("could not check leadership", exc_info=True)
        return False

    async def release(self) -> None:
        """Unlock and close the dedicated connection."""
        if self._connection is None:
            return
        try:
            await self._connection.execute(
                sa.text("SELECT pg_advisory_unlock(:key)"), {"key": self._key}
            )
        except (exc.SQLAlchemyError, OSError):
            log.debug("unlock failed; closing the connection frees the lock anyway")
        await self._drop()

    async def _drop(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                await connection.close()
            except (exc.SQLAlchemyError, OSError):
                log.debug("closing the leader connection failed", exc_info=True)


class FileLock:
    """An exclusive, non-blocking ``flock`` on a file next to the SQLite database."""

    def __init__(self, database: Path) -> None:
        self.database = database
        self.path = database.with_name(database.name + ".lock")
        self._file: IO[str] | None = None

    def acquire(self) -> None:
        """Take the lock or raise AlreadyRunning naming the process that holds it."""
        handle = self.path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            handle.close()
            raise AlreadyRunning(
                f"another pulse run (pid {holder}) already uses {self.database}; "
                "SQLite allows one process: stop it, or use PostgreSQL for several replicas"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._file = handle

    def release(self) -> None:
        """Let go of the lock."""
        handle, self._file = self._file, None
        if handle is not None:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
            handle.close()


def sqlite_file(engine: AsyncEngine) -> Path | None:
    """The database file of a SQLite engine; None for PostgreSQL or an in-memory database."""
    if engine.dialect.name != "sqlite":
        return None
    name = engine.url.database
    if not name or name == ":memory:" or name.startswith("file:"):
        return None
    return Path(name).expanduser().resolve()
