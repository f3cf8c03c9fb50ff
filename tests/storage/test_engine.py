"""A database that cannot be used gives one clean line: which database, and why."""

from __future__ import annotations

import datetime as dt
import socket
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import URL
from sqlalchemy.exc import StatementError

from pulse_mirror.storage.engine import DatabaseUnavailable, check, create_engine
from pulse_mirror.storage.migrate import current_revision, upgrade
from pulse_mirror.storage.repository import SqlRepository
from pulse_mirror.surveys.model import IsoWeek, Side

SECRET = "s3cret-pw"


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _assert_clean(error: DatabaseUnavailable, *, reason: str) -> None:
    message = str(error)
    assert SECRET not in message
    assert "\n" not in message
    assert "Traceback" not in message
    assert reason in message
    # No chained driver exception whose traceback would be printed along with it.
    assert error.__cause__ is None
    assert error.__context__ is None or error.__suppress_context__


async def test_the_fresh_database_passes_the_check(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        await check(engine)
    finally:
        await engine.dispose()


async def test_connection_refused_names_the_database_without_the_password() -> None:
    url = f"postgresql://pulse:{SECRET}@127.0.0.1:{_closed_port()}/pulse"
    engine = create_engine(url)
    with pytest.raises(DatabaseUnavailable) as caught:
        await check(engine)
    await engine.dispose()
    _assert_clean(caught.value, reason="connection refused")
    assert "pulse:***@127.0.0.1" in str(caught.value)


async def test_upgrade_of_an_unreachable_database_raises_the_same_error() -> None:
    url = f"postgresql+psycopg://pulse:{SECRET}@127.0.0.1:{_closed_port()}/pulse"
    with pytest.raises(DatabaseUnavailable) as caught:
        await upgrade(url)
    _assert_clean(caught.value, reason="connection refused")
    with pytest.raises(DatabaseUnavailable):
        await current_revision(url)


async def test_an_unknown_postgres_database_is_named(postgres_server: URL) -> None:
    url = postgres_server.set(database="pulse_no_such_db", password=SECRET)
    with pytest.raises(DatabaseUnavailable) as caught:
        await upgrade(url.render_as_string(hide_password=False))
    _assert_clean(caught.value, reason="unknown database 'pulse_no_such_db'")


async def test_a_sqlite_file_in_a_missing_directory_cannot_be_opened(tmp_path: Path) -> None:
    with pytest.raises(DatabaseUnavailable) as caught:
        await upgrade(f"sqlite:///{tmp_path / 'missing' / 'pulse.db'}")
    _assert_clean(caught.value, reason=f"directory {tmp_path / 'missing'} does not exist")


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("not a url at all", "bad URL"),
        (f"mysql://root:{SECRET}@localhost/pulse", "unsupported driver 'mysql'"),
        (f"postgresql+asyncpg://root:{SECRET}@localhost/pulse", "unsupported driver"),
        ("sqlite+pysqlite:///pulse.db", "unsupported driver"),
    ],
)
def test_a_bad_or_unsupported_url_is_refused_before_connecting(url: str, reason: str) -> None:
    with pytest.raises(DatabaseUnavailable) as caught:
        create_engine(url)
    _assert_clean(caught.value, reason=reason)


async def test_plain_scheme_names_get_the_async_driver(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'plain.db'}")
    assert engine.url.drivername == "sqlite+aiosqlite"
    await engine.dispose()
    assert create_engine("postgresql://u@h/db").url.drivername == "postgresql+psycopg"
    assert create_engine("postgres://u@h/db").url.drivername == "postgresql+psycopg"


async def test_naive_datetimes_are_refused(repository: SqlRepository) -> None:
    with pytest.raises(StatementError, match="timezone-aware"):
        await repository.get_or_create_pulse(
            week=IsoWeek(2026, 48),
            side=Side.EMPLOYEE,
            items=["x"],
            opens_at=dt.datetime(2026, 11, 23, 9),
            closes_at=dt.datetime(2026, 11, 26, 9),
        )


async def test_sqlite_transactions_begin_for_real(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'begin.db'}")
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        async with engine.begin() as connection:  # a writing transaction takes the lock first
            await connection.execute(sa.text("SELECT 1"))
            in_write = await connection.run_sync(_driver_in_transaction)
        writing = list(statements)
        statements.clear()
        async with engine.connect() as connection:  # a reading one holds no lock
            await connection.execute(sa.text("SELECT 1"))
            in_read = await connection.run_sync(_driver_in_transaction)
        reading = list(statements)
    finally:
        await engine.dispose()

    assert writing == ["BEGIN IMMEDIATE", "SELECT 1"]
    assert reading == ["BEGIN", "SELECT 1"]
    assert in_write and in_read  # the read ran inside the transaction, not before it


def _driver_in_transaction(connection: sa.Connection) -> bool:
    return bool(connection.connection.driver_connection.in_transaction)  # type: ignore[union-attr]


async def test_answers_and_comments_are_without_rowid_on_sqlite(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'rowid.db'}"
    await upgrade(url)
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(
                sa.text("SELECT name, sql FROM sqlite_master WHERE type = 'table'")
            )
            schema = {name: sql for name, sql in rows.all()}
    finally:
        await engine.dispose()

    assert schema["answer"].rstrip().endswith("WITHOUT ROWID")
    assert schema["comment"].rstrip().endswith("WITHOUT ROWID")
    assert "WITHOUT ROWID" not in schema["ballot"]
