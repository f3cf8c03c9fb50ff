"""``pulse db upgrade`` and ``pulse questions`` from the operator's shell."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pulse_mirror.cli.main import app
from pulse_mirror.storage.migrate import head_revision

runner = CliRunner()


def _config(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text("organisation:\n  name: Acme\n" + body, encoding="utf-8")
    return path


def test_db_upgrade_creates_then_is_a_no_op(tmp_path: Path) -> None:
    config = _config(tmp_path, "database:\n  url: sqlite:///pulse.db\n")
    said = []
    for _ in range(2):
        result = runner.invoke(
            app, ["db", "upgrade", "--config", str(config)], env={"COLUMNS": "400"}
        )
        assert result.exit_code == 0, result.output
        said.append(result.stdout.strip())
    where = f"sqlite+aiosqlite:///{tmp_path / 'pulse.db'}"
    assert said == [
        f"Created the schema at revision {head_revision()} ({where})",
        f"Database is up to date at revision {head_revision()} ({where})",
    ]
    with sqlite3.connect(tmp_path / "pulse.db") as connection:
        tables = {row[0] for row in connection.execute("select name from sqlite_master")}
    assert {"person", "pulse", "delivery", "answer", "comment", "ballot", "report_run"} <= tables


def test_db_upgrade_on_a_missing_folder_is_one_clear_line(tmp_path: Path) -> None:
    config = _config(tmp_path, "database:\n  url: sqlite:///nowhere/pulse.db\n")
    result = runner.invoke(app, ["db", "upgrade", "--config", str(config)])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "does not exist" in lines[0]
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://pulse@127.0.0.1:1/x",  # nothing listens: refused before any password
        "postgresql://postgres@127.0.0.1:5432/no_such_database",  # the server reads the URL
    ],
    ids=["refused", "unknown-database"],
)
def test_db_upgrade_never_shows_the_password(
    tmp_path: Path, url: str, request: pytest.FixtureRequest
) -> None:
    if "5432" in url:
        request.getfixturevalue("postgres_server")  # skipped with a reason when unreachable
    config = _config(tmp_path, f"database:\n  url: {url}\n")
    result = runner.invoke(
        app,
        ["db", "upgrade", "--config", str(config)],
        env={"PULSE_DATABASE_PASSWORD": "s3cret-value"},
    )
    assert result.exit_code == 2
    assert "not available" in result.output and "***" in result.output
    assert "s3cret-value" not in result.output and "Traceback" not in result.output


def test_questions_in_german_with_custom_dimensions(tmp_path: Path) -> None:
    config = _config(
        tmp_path,
        "dimensions:\n"
        "  - key: onboarding\n"
        "    metric: agreement\n"
        "    title: {en: Onboarding, de: Einarbeitung}\n"
        "    items:\n"
        "      employee: {text: {en: 'Onboarding works', de: 'Die Einarbeitung klappt'}}\n",
    )
    result = runner.invoke(
        app, ["questions", "--lang", "de", "--config", str(config)], env={"COLUMNS": "250"}
    )
    assert result.exit_code == 0, result.output
    assert "Weiterempfehlung (NPS)" in result.output
    assert "Einarbeitung (custom)" in result.output
    assert "Was schätzt du" in result.output and "Sie uns" in result.output


def test_questions_refuses_an_unknown_language() -> None:
    result = runner.invoke(app, ["questions", "--lang", "fr"])
    assert result.exit_code == 2
    assert "en or de" in result.output


def test_db_upgrade_needs_no_platform_token(tmp_path: Path) -> None:
    config = _config(
        tmp_path,
        "database:\n  url: sqlite:///pulse.db\nslack:\n  enabled: true\n"
        "telegram:\n  enabled: true\n",
    )
    bare = {var: "" for var in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "TELEGRAM_BOT_TOKEN")}
    result = runner.invoke(app, ["db", "upgrade", "--config", str(config)], env=bare)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"Created the schema at revision {head_revision()}")


def test_questions_needs_no_platform_token(tmp_path: Path) -> None:
    config = _config(tmp_path, "slack:\n  enabled: true\n")
    result = runner.invoke(app, ["questions", "--config", str(config)], env={"SLACK_BOT_TOKEN": ""})
    assert result.exit_code == 0, result.output
    assert "question bank" in result.stdout
