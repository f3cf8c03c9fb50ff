"""Databases made before the move into ``pulse_mirror`` upgrade cleanly from the new location.

The fixtures are SQLite dumps written by the old layout's code: one at revision 0002 with no
rows, one at revision 0004 holding two weeks of the demo. Each is loaded into a fresh file,
upgraded by the packaged migrations (directly and through ``pulse db upgrade``), and must then
have exactly a fresh database's schema, every old row, and be readable by the commands.
"""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pulse_mirror.cli.main import app
from pulse_mirror.storage.migrate import current_revision, head_revision, upgrade
from tests.storage.test_migrations import _schema_differences

OLD_LAYOUT = Path(__file__).resolve().parents[1] / "fixtures" / "old_layout"
EMPTY_0002 = "old_layout_0002.sql"
DEMO_0004 = "old_layout_0004_demo.sql"
REVISION = {EMPTY_0002: "0002", DEMO_0004: "0004"}

runner = CliRunner()

Rows = dict[str, list[tuple[object, ...]]]


def _url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


def _load_dump(name: str, path: Path) -> None:
    connection = sqlite3.connect(path)
    try:
        connection.executescript((OLD_LAYOUT / name).read_text(encoding="utf-8"))
    finally:
        connection.close()


def _schema(path: Path) -> dict[tuple[str, str], str]:
    """Tables, indexes (with their columns and CHECKs, as SQLite keeps them), spaces folded."""
    connection = sqlite3.connect(path)
    try:
        found = connection.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
        ).fetchall()
    finally:
        connection.close()
    return {(kind, name): re.sub(r"\s+", " ", sql or "").strip() for kind, name, sql in found}


def _tables(connection: sqlite3.Connection) -> list[str]:
    """The product's tables: all but SQLite's own and Alembic's version table."""
    found = connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table'"
        " AND name NOT LIKE 'sqlite_%' AND name != 'alembic_version'"
    )
    return [str(name) for (name,) in found]


def _columns(connection: sqlite3.Connection, table: str) -> list[str]:
    return [str(row[1]) for row in connection.execute(f'PRAGMA table_info("{table}")')]


def _table_columns(path: Path) -> dict[str, list[str]]:
    connection = sqlite3.connect(path)
    try:
        return {table: _columns(connection, table) for table in _tables(connection)}
    finally:
        connection.close()


def _rows(path: Path, *, columns: dict[str, list[str]] | None = None) -> Rows:
    """Every row of every table, sorted; only the tables and ``columns`` given, if any."""
    chosen = columns if columns is not None else _table_columns(path)
    connection = sqlite3.connect(path)
    try:
        rows: Rows = {}
        for table, names in chosen.items():
            selected = ", ".join(f'"{name}"' for name in names)
            found = connection.execute(f'SELECT {selected} FROM "{table}"').fetchall()
            rows[table] = sorted(found, key=repr)
        return rows
    finally:
        connection.close()


def _config(tmp_path: Path, database: Path) -> Path:
    config = tmp_path / "config.yaml"
    config.write_text(
        f"organisation:\n  name: Acme\ndatabase:\n  url: {_url(database)}\n", encoding="utf-8"
    )
    return config


def _upgrade(how: str, *, database: Path, tmp_path: Path) -> None:
    if how == "function":
        asyncio.run(upgrade(_url(database)))
        return
    result = runner.invoke(app, ["db", "upgrade", "--config", str(_config(tmp_path, database))])
    assert result.exit_code == 0, result.output
    assert "Upgraded the schema from 00" in result.output
    assert f" to {head_revision()}" in result.output  # the newest, whichever was added last


@pytest.fixture
def fresh_schema(tmp_path: Path) -> dict[tuple[str, str], str]:
    """The schema of a database created from empty by today's migrations."""
    fresh = tmp_path / "fresh.db"
    asyncio.run(upgrade(_url(fresh)))
    return _schema(fresh)


@pytest.mark.parametrize("how", ["function", "command"])
@pytest.mark.parametrize("dump", [EMPTY_0002, DEMO_0004])
def test_an_old_layout_database_upgrades_to_the_fresh_schema_with_every_row(
    dump: str, how: str, tmp_path: Path, fresh_schema: dict[tuple[str, str], str]
) -> None:
    database = tmp_path / "old.db"
    _load_dump(dump, database)
    columns_before = _table_columns(database)
    rows_before = _rows(database)
    assert asyncio.run(current_revision(_url(database))) == REVISION[dump]

    _upgrade(how, database=database, tmp_path=tmp_path)

    assert asyncio.run(current_revision(_url(database))) == head_revision()
    schema = _schema(database)
    assert sorted(schema) == sorted(fresh_schema)
    assert {key: sql for key, sql in schema.items() if fresh_schema[key] != sql} == {}
    assert asyncio.run(_schema_differences(_url(database))) == []
    # Every old row is still there, column for column; tables the upgrade added start empty.
    assert _rows(database, columns=columns_before) == rows_before
    counts = {table: len(rows) for table, rows in _rows(database).items()}
    assert counts == {table: 0 for table in counts} | {
        table: len(rows) for table, rows in rows_before.items()
    }


def test_the_demo_dump_holds_data_worth_checking(tmp_path: Path) -> None:
    database = tmp_path / "demo.db"
    _load_dump(DEMO_0004, database)
    counts = {table: len(rows) for table, rows in _rows(database).items()}
    assert all(counts[table] > 0 for table in ("person", "pulse", "delivery", "answer"))


def test_the_upgraded_demo_is_read_by_status_and_the_weekly_report(tmp_path: Path) -> None:
    database = tmp_path / "demo.db"
    _load_dump(DEMO_0004, database)
    config = _config(tmp_path, database)
    _upgrade("command", database=database, tmp_path=tmp_path)

    status = runner.invoke(app, ["status", "--config", str(config)], env={"COLUMNS": "200"})
    assert status.exit_code == 0, status.output
    # The demo's third week still has a question waiting: status reads it from the old rows.
    assert "next message due: Tue 2026-03-17" in status.output

    out = tmp_path / "report"
    args = ["report", "--week", "2026-W10", "--out", str(out), "--config", str(config)]
    report = runner.invoke(app, args)
    assert report.exit_code == 0, report.output
    built = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert built["week"] == "2026-W10"
    asked = {m["key"] for m in built["mirrored"] if m["inside"]["asked"] and m["outside"]["asked"]}
    assert asked == {"centricity", "personal"}
    rates = {rate["side"]: rate["asked"] for rate in built["response_rates"]}
    assert rates == {"employee": 6, "customer": 1}
