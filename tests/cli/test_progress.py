"""Long commands: a bar on a terminal; one summary line in a pipe or with CI=true."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import json
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from pulse_mirror.cli.main import app
from pulse_mirror.cli.progress import drawn, progress
from pulse_mirror.storage.migrate import upgrade
from pulse_mirror.surveys.model import IsoWeek


def _terminal() -> tuple[Console, io.StringIO]:
    sink = io.StringIO()
    return Console(file=sink, force_terminal=True, width=100), sink


def test_a_terminal_gets_a_bar_with_the_step_and_the_count(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("CI", raising=False)
    console, sink = _terminal()
    assert drawn(console)
    with progress("reporting 3 weeks", total=3, console=console) as advance:
        for week in ("2026-W45", "2026-W46", "2026-W47"):
            advance(description=f"reported {week}")
    shown = sink.getvalue()
    assert "reported 2026-W47" in shown and "3/3" in shown


@pytest.mark.parametrize("ci", ["true", "1", "yes", None])
def test_ci_or_a_pipe_draws_nothing(monkeypatch: pytest.MonkeyPatch, ci: str | None) -> None:
    if ci is None:  # no CI, but not a terminal: a pipe, a log file
        monkeypatch.delenv("CI", raising=False)
        sink = io.StringIO()
        console = Console(file=sink, force_terminal=False)
    else:
        monkeypatch.setenv("CI", ci)
        console, sink = _terminal()
    assert not drawn(console)
    with progress("importing", total=3, console=console) as advance:
        advance(3, description="imported")
    assert sink.getvalue() == ""


@pytest.fixture
def config(tmp_path: Path) -> Path:
    asyncio.run(upgrade(f"sqlite+aiosqlite:///{tmp_path / 'pulse.db'}"))
    path = tmp_path / "config.yaml"
    path.write_text("database:\n  url: sqlite:///pulse.db\nanonymity:\n  min_respondents: 5\n")
    return path


def test_import_off_a_terminal_prints_one_line(config: Path, tmp_path: Path) -> None:
    week = IsoWeek.of(dt.date.today()).shift(-3)
    rows = [f"{week},employee,effort.employee,{5 + i % 3}" for i in range(6)]
    csv = tmp_path / "past.csv"
    csv.write_text("week,side,item,value\n" + "\n".join(rows) + "\n")
    result = CliRunner().invoke(app, ["import", str(csv), "-c", str(config)])
    assert result.exit_code == 0, result.output
    assert " ".join(result.stdout.split()) == f"imported 6 answers from {csv}"  # wraps at 80


def test_a_range_of_weeks_writes_a_folder_per_week_and_one_summary(
    config: Path, tmp_path: Path
) -> None:
    out = tmp_path / "reports"
    result = CliRunner().invoke(
        app, ["report", "--week", "2026-W45..2026-W47", "--out", str(out), "-c", str(config)]
    )
    assert result.exit_code == 0, result.output
    assert " ".join(result.stdout.split()) == (
        f"wrote 3 weeks, 2026-W45 to 2026-W47, into {out}/<week>/ (report.png, trend.png,"
        " nps.png, report.md, report.json)"
    )
    assert sorted(p.name for p in out.iterdir()) == ["2026-W45", "2026-W46", "2026-W47"]
    data = json.loads((out / "2026-W46" / "report.json").read_text())
    assert data["week"] == "2026-W46"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--week", "2026-W47..2026-W45"], "--week: 2026-W47..2026-W45 is not a range of 1 to"),
        (["--week", "2026-W45..2026-W47", "--post"], "--post takes one week, not a range"),
    ],
)
def test_a_bad_range_is_one_line(config: Path, args: list[str], message: str) -> None:
    result = CliRunner().invoke(app, ["report", *args, "-c", str(config)])
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1 and message in result.stderr
