"""``pulse report`` and ``pulse export`` during this week's open window, on the system clock."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from pulse_mirror.cli.main import app
from pulse_mirror.storage.engine import create_engine
from pulse_mirror.storage.tables import pulse
from pulse_mirror.surveys.model import IsoWeek, Side
from pulse_mirror.surveys.report.windows import until_text
from tests.cli.open_week import closing_later, open_week_database

WEEK = IsoWeek.of(dt.date.today())  # the week the CLI exports last
NOW = dt.datetime.now(dt.UTC)
CLOSES = closing_later(NOW)


@pytest.fixture
def database(tmp_path: Path) -> str:
    return open_week_database(tmp_path, week=WEEK, closes=CLOSES, now=NOW)


@pytest.fixture
def config(tmp_path: Path, database: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text("database:\n  url: sqlite:///pulse.db\nanonymity:\n  min_respondents: 5\n")
    return path


def _import(
    runner: CliRunner, config: Path, tmp_path: Path, employees: int, customers: int
) -> None:
    lines = ["week,side,item,value"]
    lines += [f"{WEEK},employee,effort.employee,{6 + i % 2}" for i in range(employees)]
    lines += [f"{WEEK},customer,effort.customer,{2 + i % 3}" for i in range(customers)]
    path = tmp_path / f"answers-{employees}-{customers}.csv"
    path.write_text("\n".join(lines) + "\n")
    result = runner.invoke(app, ["import", str(path), "-c", str(config)])
    assert result.exit_code == 0, result.output


def _close_windows(database: str) -> None:
    async def close() -> None:
        engine = create_engine(database)
        try:
            async with engine.begin() as connection:
                await connection.execute(
                    sa.update(pulse).values(closes_at=NOW - dt.timedelta(minutes=1))
                )
        finally:
            await engine.dispose()

    asyncio.run(close())


def _export(runner: CliRunner, config: Path) -> str:
    result = runner.invoke(app, ["export", "--format", "csv", "--weeks", "2", "-c", str(config)])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_report_of_an_open_week_says_so_and_shows_no_figure(config: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    _import(runner, config, tmp_path, employees=6, customers=5)
    out = tmp_path / "out"
    made = runner.invoke(app, ["report", "--week", str(WEEK), "--out", str(out), "-c", str(config)])
    assert made.exit_code == 0, made.output
    employees, customers = until_text(CLOSES[Side.EMPLOYEE]), until_text(CLOSES[Side.CUSTOMER])
    assert (
        f"week {WEEK} is still open (employees until {employees}, customers until {customers}): "
        "no figures until its windows close"
    ) in " ".join(made.output.split())  # the console wraps long lines
    data = json.loads((out / "report.json").read_text())
    effort = next(d for d in data["mirrored"] if d["key"] == "effort")
    assert effort["inside"]["score"] is None and effort["outside"]["score"] is None
    assert effort["inside"]["hidden"] == f"window still open until {employees}"
    assert effort["outside"]["hidden"] == f"window still open until {customers}"
    assert all(r["respondents"] is None and r["asked"] is None for r in data["response_rates"])
    page = (out / "report.md").read_text()
    assert f"**Week {WEEK} is still open until {customers}" in page
    assert "n = " not in page


def test_two_exports_of_an_open_week_do_not_differ_and_the_close_shows_all(
    config: Path, database: str, tmp_path: Path
) -> None:
    runner = CliRunner()
    _import(runner, config, tmp_path, employees=6, customers=5)
    first = _export(runner, config)
    _import(runner, config, tmp_path, employees=2, customers=3)  # answered in between
    second = _export(runner, config)
    assert first == second
    rows = {(r["week"], r["item"]): r for r in csv.DictReader(io.StringIO(first))}
    effort = rows[(str(WEEK), "effort.customer")]
    assert effort["n"] == "" and effort["value"] == "" and effort["score"] == ""
    assert effort["note"] == f"window still open until {until_text(CLOSES[Side.CUSTOMER])}"
    assert rows[(str(WEEK), "effort.employee")]["n"] == ""

    _close_windows(database)
    after = {
        (r["week"], r["item"]): r for r in csv.DictReader(io.StringIO(_export(runner, config)))
    }
    assert after[(str(WEEK), "effort.customer")]["n"] == "8"
    assert after[(str(WEEK), "effort.employee")]["n"] == "8"
    assert after[(str(WEEK), "effort.employee")]["note"] == ""
    out = tmp_path / "closed"
    made = runner.invoke(app, ["report", "--week", str(WEEK), "--out", str(out), "-c", str(config)])
    assert made.exit_code == 0 and "still open" not in " ".join(made.output.split())
    data = json.loads((out / "report.json").read_text())
    effort_dim = next(d for d in data["mirrored"] if d["key"] == "effort")
    assert effort_dim["outside"]["score"]["n"] == 8 and data["open_windows"] == []
