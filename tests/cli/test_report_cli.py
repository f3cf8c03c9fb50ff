"""``pulse import``, ``pulse report`` and ``pulse export`` end to end on a SQLite file."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import sqlite3
from pathlib import Path

import pytest
from matplotlib.image import imread
from typer.testing import CliRunner

from pulse_mirror.cli.main import app
from pulse_mirror.storage.migrate import upgrade


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text("database:\n  url: sqlite:///pulse.db\nanonymity:\n  min_respondents: 5\n")
    asyncio.run(upgrade(f"sqlite+aiosqlite:///{tmp_path / 'pulse.db'}"))
    return path


def _history(path: Path) -> Path:
    lines = ["week,side,item,value,team"]
    lines += [f"2026-W10,employee,effort.employee,{v},sales" for v in [6, 7, 6, 5, 6, 7]]
    lines += [f"2026-W10,customer,effort.customer,{v}," for v in [3, 4, 2, 3, 3]]
    lines += [f"2026-W10,customer,satisfaction.customer,{v}," for v in [5, 4]]  # too few
    path.write_text("\n".join(lines) + "\n")
    return path


def test_import_report_and_export(config: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    imported = runner.invoke(app, ["import", str(_history(tmp_path / "h.csv")), "-c", str(config)])
    assert imported.exit_code == 0, imported.output
    assert "imported 13 answers" in imported.output

    out = tmp_path / "out"
    made = runner.invoke(
        app, ["report", "--week", "2026-W10", "--out", str(out), "-c", str(config)]
    )
    assert made.exit_code == 0, made.output
    for name in ("report.png", "trend.png", "nps.png"):
        assert imread(out / name).shape[:2] == (900, 1600)
    data = json.loads((out / "report.json").read_text())
    effort = next(d for d in data["mirrored"] if d["key"] == "effort")
    assert effort["inside"]["score"]["n"] == 6 and effort["outside"]["score"]["n"] == 5
    satisfaction = next(d for d in data["mirrored"] if d["key"] == "satisfaction")
    assert satisfaction["outside"]["score"] is None
    assert "fewer than 5 answers" in (out / "report.md").read_text()

    exported = runner.invoke(
        app, ["export", "--format", "csv", "--weeks", "520", "-c", str(config)]
    )
    assert exported.exit_code == 0, exported.output
    # Weeks before the first answer are left out, with one line on stderr saying so.
    assert exported.stderr == "export: from 2026-W10, the first week with a pulse or an answer\n"
    rows = list(csv.DictReader(io.StringIO(exported.stdout)))
    assert min(r["week"] for r in rows) == "2026-W10"
    week10 = {r["item"]: r for r in rows if r["week"] == "2026-W10"}
    assert week10["effort.customer"]["n"] == "5"
    assert week10["satisfaction.customer"]["n"] == ""
    assert week10["satisfaction.customer"]["value"] == ""
    assert week10["satisfaction.customer"]["note"] == "fewer than 5 answers"


def test_a_bad_file_is_refused_whole(config: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "week,side,item,value\n"
        "2026-W10,customer,effort.customer,3\n"
        "2026-W10,customer,effort.customer,12\n"
        "2026-W77,customer,effort.customer,3\n"
    )
    runner = CliRunner()
    result = runner.invoke(app, ["import", str(bad), "-c", str(config)])
    assert result.exit_code == 2
    assert "line 3: value: 12 is off the 1-7 scale" in result.output
    assert "line 4: week:" in result.output
    assert "nothing was imported" in result.output
    exported = runner.invoke(
        app, ["export", "--format", "json", "--weeks", "520", "-c", str(config)]
    )
    assert exported.exit_code == 0, exported.output
    assert exported.stdout == ""
    assert exported.stderr == (
        "export: no pulse and no answer in the last 520 weeks; nothing to export\n"
    )


def test_a_bad_week_is_a_clear_error(config: Path) -> None:
    result = CliRunner().invoke(app, ["report", "--week", "2026-47", "-c", str(config)])
    assert result.exit_code == 2
    assert "--week: '2026-47' is not an ISO week" in result.output


def test_import_drops_the_label_of_a_team_below_the_configured_threshold(
    tmp_path: Path,
) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("database:\n  url: sqlite:///pulse.db\nanonymity:\n  min_respondents: 6\n")
    asyncio.run(upgrade(f"sqlite+aiosqlite:///{tmp_path / 'pulse.db'}"))
    lines = ["week,side,item,value,team"]
    lines += [f"2026-W10,employee,effort.employee,{v},sales" for v in [6, 7, 6, 5, 6, 7]]
    lines += [f"2026-W10,employee,effort.employee,{v},legal" for v in [2, 3, 2, 2, 3]]  # 5 < 6
    (tmp_path / "teams.csv").write_text("\n".join(lines) + "\n")
    imported = CliRunner().invoke(app, ["import", str(tmp_path / "teams.csv"), "-c", str(path)])
    assert imported.exit_code == 0, imported.output
    with sqlite3.connect(tmp_path / "pulse.db") as connection:
        rows = connection.execute('SELECT "group", count(*) FROM answer GROUP BY 1').fetchall()
    assert dict(rows) == {"sales": 6, None: 5}
