"""The async engine for SQLite (aiosqlite) and PostgreSQL (psycopg), and one clear error."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event, exc
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.ext.asyncio import create_async_engine as _create_async_engine

log = logging.getLogger(__name__)

SUPPORTED_DRIVERS = ("sqlite+aiosqlite", "postgresql+psycopg")
# Plain scheme names an operator is likely to write, mapped to the async driver we ship.
_DRIVER_ALIASES = {
    "sqlite": "sqlite+aiosqlite",
    "postgresql": "postgresql+psycopg",
    "postgres": "postgresql+psycopg",
}
SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=30000",
    "PRAGMA synchronous=NORMAL",
    # Deleted ballots are overwritten with zeros, not left readable in free pages.
    "PRAGMA secure_delete=ON",
)
# Set by before_execute and consumed by the begin event: the transaction is one that a
# statement starts on its own (a plain connect()), not one opened by begin().
_STATEMENT_PENDING = "pulse_statement_pending"
_PASSWORD_IN_URL = re.compile(r"(://[^:/@]*:)[^@]*@")
_MISSING_DATABASE = re.compile(r'database "([^"]*)" does not exist')


class DatabaseUnavailable(Exception):
    """The database cannot be used; the message is one line, without any password."""

    def __init__(self, database: str, reason: str) -> None:
        super().__init__(f"database {database} is not available: {reason}")
        self.database = database
        self.reason = reason


def mask(url: str | URL) -> str:
    """The URL as text with any password replaced by ``***``."""
    if isinstance(url, URL):
        return url.render_as_string(hide_password=True)
    return _PASSWORD_IN_URL.sub(r"\1***@", url)


def parse_url(url: str) -> URL:
    """Parse a database URL and pick the async driver; raise DatabaseUnavailable if unusable."""
    try:
        parsed = make_url(url)
    except (exc.ArgumentError, ValueError):
        raise DatabaseUnavailable(
            mask(url), "bad URL (expected e.g. sqlite:///pulse.db or postgresql://host/db)"
        ) from None
    drivername = _DRIVER_ALIASES.get(parsed.drivername, parsed.drivername)
    if drivername not in SUPPORTED_DRIVERS:
        raise DatabaseUnavailable(
            mask(parsed),
            f"unsupported driver {parsed.drivername!r} (use {' or '.join(SUPPORTED_DRIVERS)})",
        )
    return parsed.set(drivername=drivername)


def _set_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # The driver would defer BEGIN until the first write, leaving earlier reads outside the
    # transaction; _begin below emits BEGIN itself instead.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(pragma)
    finally:
        cursor.close()


def _note_statement(connection: sa.Connection, *_args: Any) -> None:
    connection.info[_STATEMENT_PENDING] = True


def _statement_started(connection: sa.Connection, *_args: Any) -> None:
    connection.info.pop(_STATEMENT_PENDING, None)


def _begin(connection: sa.Connection) -> None:
    """Open a real SQLite transaction, so that reads inside it see one snapshot.

    ``engine.begin()`` opens a writing transaction: ``BEGIN IMMEDIATE`` takes the write lock
    up front, so one that reads first and writes later can neither act on a stale read nor
    fail to upgrade its lock. The transaction a plain ``connect()`` starts at its first
    statement is a reading one: ``BEGIN`` holds no lock until it writes.
    """
    automatic = connection.info.pop(_STATEMENT_PENDING, False)
    if connection.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
        return
    connection.exec_driver_sql("BEGIN" if automatic else "BEGIN IMMEDIATE")


def _require_directory(url: URL) -> None:
    # Checked up front: a failed aiosqlite connect leaves a worker thread behind that reports
    # to an event loop which may already be closed.
    folder = Path(url.database or "").expanduser().resolve().parent
    if not folder.is_dir():
        raise DatabaseUnavailable(mask(url), f"directory {folder} does not exist")


def create_engine(url: str) -> AsyncEngine:
    """An async engine for ``url``.

    SQLite connections get WAL, foreign keys, a busy timeout and secure delete, and real
    transactions (see ``_begin``).
    """
    parsed = parse_url(url)
    options: dict[str, Any] = {}
    if parsed.drivername.startswith("postgresql"):
        # Survive database restarts and idle-connection reapers between two jobs.
        options.update(pool_size=5, max_overflow=10, pool_pre_ping=True, pool_recycle=1800)
    elif parsed.database not in (None, "", ":memory:"):
        _require_directory(parsed)
        options.update(pool_size=5, max_overflow=5)
    try:
        engine = _create_async_engine(parsed, **options)
    except (exc.ArgumentError, exc.NoSuchModuleError, exc.InvalidRequestError) as error:
        raise DatabaseUnavailable(mask(parsed), f"unsupported URL ({error})") from None
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _set_sqlite_pragmas)
        event.listen(engine.sync_engine, "before_execute", _note_statement)
        event.listen(engine.sync_engine, "before_cursor_execute", _statement_started)
        event.listen(engine.sync_engine, "begin", _begin)
    return engine


def explain(error: BaseException) -> str:
    """A short reason for a connection error, without the driver's multi-line detail."""
    text = str(getattr(error, "orig", None) or error)
    lowered = text.lower()
    missing = _MISSING_DATABASE.search(text)
    if missing:
        return f"unknown database {missing.group(1)!r}"
    known = (
        ("connection refused", "connection refused"),
        ("password authentication failed", "password authentication failed"),
        ("no password supplied", "a password is required"),
        ("could not translate host name", "unknown host"),
        ("name or service not known", "unknown host"),
        ("unable to open database file", "cannot open the database file"),
        ("timeout", "connection timed out"),
        ("file is not a database", "the file is not a SQLite database"),
    )
    for needle, reason in known:
        if needle in lowered:
            return reason
    return _first_line(text) or type(error).__name__


def _first_line(text: str) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    # psycopg prefixes the connection attempt ("connection to server at ... failed: ").
    return line.split("failed: ")[-1].removeprefix("FATAL:").strip()


async def check(engine: AsyncEngine) -> None:
    """Connect once and run a trivial query; raise DatabaseUnavailable with the reason."""
    try:
        async with engine.connect() as connection:
            await connection.execute(sa.text("SELECT 1"))
    except (exc.SQLAlchemyError, OSError) as error:
        log.debug("database check failed", exc_info=True)
        raise DatabaseUnavailable(mask(engine.url), explain(error)) from None
