"""``pulse close-window``: a week's answering ends now, its figures become final and reportable."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from pulse_mirror.cli.main import app
from pulse_mirror.storage.engine import create_engine
from pulse_mirror.storage.reports.aggregates import window_closes
from pulse_mirror.surveys.model import IsoWeek, Side
from pulse_mirror.surveys.report.windows import until_text
from tests.cli.open_week import closing_later, open_week_database

ZONE = "Europe/Berlin"
NOW = dt.datetime.now(dt.UTC)
WEEK = IsoWeek.of(dt.datetime.now(ZoneInfo(ZONE)).date())  # "current" in the config's zone
CLOSES = closing_later(NOW)


@pytest.fixture
def database(tmp_path: Path) -> str:
    return open_week_database(tmp_path, week=WEEK, closes=CLOSES, now=NOW)


@pytest.fixture
def config(tmp_path: Path, database: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(
        f"organisation:\n  timezone: {ZONE}\n"
        "database:\n  url: sqlite:///pulse.db\nanonymity:\n  min_respondents: 5\n"
    )
    return path


def _closes(database: str) -> dict[Side, dt.datetime]:
    async def read() -> dict[Side, dt.datetime]:
        engine = create_engine(database)
        try:
            found = await window_closes(engine, first=WEEK, last=WEEK)
        finally:
            await engine.dispose()
        return {side: at for (_, side), at in found.items()}

    return asyncio.run(read())


def _import(runner: CliRunner, config: Path, tmp_path: Path) -> None:
    lines = ["week,side,item,value"]
    lines += [f"{WEEK},employee,effort.employee,{6 + i % 2}" for i in range(6)]
    lines += [f"{WEEK},customer,effort.customer,{2 + i % 3}" for i in range(5)]
    path = tmp_path / "answers.csv"
    path.write_text("\n".join(lines) + "\n")
    result = runner.invoke(app, ["import", str(path), "-c", str(config)])
    assert result.exit_code == 0, result.output


def test_without_yes_off_a_terminal_it_closes_nothing_and_says_how(
    config: Path, database: str
) -> None:
    result = CliRunner().invoke(app, ["close-window", "--week", "current", "-c", str(config)])
    assert result.exit_code == 2
    employees, customers = until_text(CLOSES[Side.EMPLOYEE]), until_text(CLOSES[Side.CUSTOMER])
    assert " ".join(result.stderr.split()) == (
        f"close-window {WEEK}: open (customers until {customers}, employees until {employees});"
        " closing cannot be undone: add --yes to close it"
    )
    assert _closes(database) == CLOSES


def test_a_closed_week_reports_every_figure_and_closing_again_ends_nothing(
    config: Path, database: str, tmp_path: Path
) -> None:
    runner = CliRunner()
    _import(runner, config, tmp_path)
    closed = runner.invoke(app, ["close-window", "--week", "current", "--yes", "-c", str(config)])
    assert closed.exit_code == 0, closed.output
    lines = closed.stdout.splitlines()
    assert lines[:2] == [
        f"closed week {WEEK} customers (was open until {until_text(CLOSES[Side.CUSTOMER])})",
        f"closed week {WEEK} employees (was open until {until_text(CLOSES[Side.EMPLOYEE])})",
    ]
    assert f"pulse report --week {WEEK} --post" in lines[2]
    now = dt.datetime.now(dt.UTC)
    assert all(at <= now for at in _closes(database).values())

    out = tmp_path / "out"
    made = runner.invoke(app, ["report", "--week", "current", "--out", str(out), "-c", str(config)])
    assert made.exit_code == 0 and "still open" not in made.output, made.output
    data = json.loads((out / "report.json").read_text())
    effort = next(d for d in data["mirrored"] if d["key"] == "effort")
    assert effort["inside"]["score"]["n"] == 6 and effort["outside"]["score"]["n"] == 5
    assert data["open_windows"] == []

    again = runner.invoke(app, ["close-window", "--week", str(WEEK), "--yes", "-c", str(config)])
    assert again.exit_code == 0
    assert again.stdout.strip() == f"week {WEEK}: no answer window is open; nothing to close"


def test_a_week_that_is_not_a_week_is_one_line(config: Path) -> None:
    result = CliRunner().invoke(app, ["close-window", "--week", "soon", "-c", str(config)])
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith("--week: ") and "(or: current, last)" in result.stderr
