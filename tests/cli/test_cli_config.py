"""``pulse check-config``: exit 0 with a summary, or exit 2 with one line per problem."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pulse_mirror.cli.main import app
from pulse_mirror.config.settings import SECRET_ENV

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "config.example.yaml"
SECRETS = {
    "SLACK_BOT_TOKEN": "xoxb-cli-bot-token-1111",
    "SLACK_APP_TOKEN": "xapp-cli-app-token-2222",
    "TELEGRAM_BOT_TOKEN": "99:cli-telegram-token-3333",
}


def flat(text: str) -> str:
    """The output with rich's line wrapping undone."""
    return " ".join(text.split())


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    for var in SECRET_ENV.values():
        monkeypatch.delenv(var, raising=False)
    return CliRunner()


def test_the_example_passes_and_is_summarised(runner: CliRunner) -> None:
    result = runner.invoke(app, ["check-config", str(EXAMPLE)], env=SECRETS)

    assert result.exit_code == 0, result.output
    assert f"OK {EXAMPLE}" in flat(result.stdout)
    assert "organisation: Example GmbH (time zone Europe/Berlin)" in flat(result.stdout)
    assert "custom dimensions: 1" in flat(result.stdout)
    for value in SECRETS.values():
        assert value not in result.output


@pytest.mark.parametrize(
    ("text", "line"),
    [
        (
            "anonymity:\n  min_respondents: 2\n",
            "anonymity.min_respondents: 2 is not allowed; must be ≥ 3",
        ),
        (
            "organisation:\n  timezone: Europe/Berln\n",
            "organisation.timezone: 'Europe/Berln' is not a known time zone",
        ),
        ("slack:\n  mode: sockets\n", "slack.mode: 'sockets' is not allowed; use socket or http"),
        ("surveys:\n  employes: {}\n", "unknown key surveys.employes (did you mean employees?)"),
        (
            "slack:\n  enabled: true\n",
            "slack: enabled but SLACK_BOT_TOKEN is not set in the environment",
        ),
        ("slack:\n  enabled: [true\n", "not valid YAML (line 3, column 1)"),
        (
            "slack:\n  token: xoxb-in-the-file\n",
            "slack.token: secrets do not belong in the config file",
        ),
    ],
)
def test_each_bad_file_exits_2_with_its_line(
    runner: CliRunner, tmp_path: Path, text: str, line: str
) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")

    result = runner.invoke(app, ["check-config", str(path)])

    assert result.exit_code == 2
    assert line in flat(result.stderr)
    assert "Traceback" not in result.output
    assert "xoxb-in-the-file" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_a_missing_file_exits_2(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["check-config", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2
    assert flat(result.stderr) == f"{tmp_path / 'nope.yaml'}: file not found"


def test_the_installed_command_exits_2_without_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("surveys:\n  customers:\n    min_days_between: 0\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in SECRET_ENV.values()}

    done = subprocess.run(
        [sys.executable, "-m", "pulse_mirror", "check-config", str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        check=False,
    )

    assert done.returncode == 2
    assert (
        done.stderr.strip() == "surveys.customers.min_days_between: 0 is not allowed; must be ≥ 1"
    )
    assert "Traceback" not in done.stderr + done.stdout


def test_a_long_problem_stays_on_one_line_when_piped(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("organisation:\n  timezone: Europe/Berln\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in (*SECRET_ENV.values(), "COLUMNS")}

    done = subprocess.run(
        [sys.executable, "-m", "pulse_mirror", "check-config", str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        check=False,
    )

    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "organisation.timezone: 'Europe/Berln' is not a known time zone "
        "(IANA name such as Europe/Berlin)"
    ]
