"""``pulse check-config --online``: one line per check, against the stand-ins and a closed port."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pulse_mirror.cli.main import app
from pulse_mirror.config.settings import SECRET_ENV
from pulse_mirror.storage.migrate import upgrade
from tests.cli.stand_ins import StandIns, closed_port, running_stand_ins

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    for var in SECRET_ENV.values():
        monkeypatch.delenv(var, raising=False)
    return CliRunner()


def _config(tmp_path: Path, *, slack_api: str, telegram_api: str, channel: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(
        "database:\n  url: sqlite:///pulse.db\n"
        f"slack:\n  enabled: true\n  api_url: {slack_api}\n  report_channel: '{channel}'\n"
        f"telegram:\n  enabled: true\n  api_url: {telegram_api}\n",
        encoding="utf-8",
    )
    return path


def _env(stand_ins: StandIns) -> dict[str, str]:
    return {
        "SLACK_BOT_TOKEN": stand_ins.slack.bot_token,
        "SLACK_APP_TOKEN": stand_ins.slack.app_token,
        "TELEGRAM_BOT_TOKEN": stand_ins.telegram.token,
    }


def _online_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if not line.startswith(("OK ", "  "))]


def test_every_connection_is_ok_against_the_stand_ins(runner: CliRunner, tmp_path: Path) -> None:
    asyncio.run(upgrade(f"sqlite+aiosqlite:///{tmp_path / 'pulse.db'}"))
    with running_stand_ins() as stand_ins:
        stand_ins.slack.add_channel(name="pulse-reports", bot_member=True)
        config = _config(
            tmp_path,
            slack_api=stand_ins.slack.api_url,
            telegram_api=stand_ins.telegram.api_url,
            channel="#pulse-reports",
        )
        result = runner.invoke(app, ["check-config", str(config), "--online"], env=_env(stand_ins))

    assert result.exit_code == 0, result.output
    assert _online_lines(result.stdout) == [
        "database: ok",
        "slack token: ok",
        "slack report channel: ok",
        "telegram token: ok",
    ]


def test_each_problem_is_one_line_and_exits_2(runner: CliRunner, tmp_path: Path) -> None:
    with running_stand_ins() as stand_ins:
        stand_ins.slack.add_channel(name="quiet", bot_member=False)
        config = _config(
            tmp_path,
            slack_api=stand_ins.slack.api_url,
            telegram_api=stand_ins.telegram.api_url,
            channel="#quiet",
        )
        env = _env(stand_ins) | {"TELEGRAM_BOT_TOKEN": "42:not-the-sandbox-token"}
        result = runner.invoke(app, ["check-config", "--config", str(config), "--online"], env=env)

    assert result.exit_code == 2
    assert _online_lines(result.stdout) == [
        "database: problem: no schema yet; run `pulse db upgrade`",
        "slack token: ok",
        "slack report channel: problem: #quiet: the bot is not a member; invite it with /invite",
        "telegram token: problem: getMe refused the token (401)",
    ]
    assert "not-the-sandbox-token" not in result.output


def _unreachable(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A config whose Slack and Telegram APIs are a closed port, and tokens for both."""
    port = closed_port()
    config = _config(
        tmp_path,
        slack_api=f"http://127.0.0.1:{port}/api/",
        telegram_api=f"http://127.0.0.1:{port}/bot",
        channel="C0123ABCD",
    )
    return config, {
        "SLACK_BOT_TOKEN": "xoxb-1",
        "SLACK_APP_TOKEN": "xapp-1",
        "TELEGRAM_BOT_TOKEN": "1:x",
    }


def test_a_closed_port_is_a_problem_line_not_a_traceback(runner: CliRunner, tmp_path: Path) -> None:
    config, env = _unreachable(tmp_path)
    result = runner.invoke(app, ["check-config", str(config), "--online"], env=env)

    assert result.exit_code == 2
    lines = _online_lines(result.stdout)
    assert [line.split(": problem: ")[0] for line in lines] == [
        "database",
        "slack token",
        "slack report channel",
        "telegram token",
    ]
    assert all("cannot be reached" in line for line in lines[1:]), lines
    assert "Traceback" not in result.output


def test_offline_is_the_default_and_touches_nothing(runner: CliRunner, tmp_path: Path) -> None:
    config, env = _unreachable(tmp_path)
    result = runner.invoke(app, ["check-config", str(config)], env=env)

    assert result.exit_code == 0, result.output
    assert _online_lines(result.stdout) == []


def test_send_now_prints_no_bolt_token_warning(tmp_path: Path) -> None:
    asyncio.run(upgrade(f"sqlite+aiosqlite:///{tmp_path / 'pulse.db'}"))
    env = {k: v for k, v in os.environ.items() if k not in SECRET_ENV.values()}
    with running_stand_ins() as stand_ins:
        config = tmp_path / "config.yaml"
        config.write_text(
            "database:\n  url: sqlite:///pulse.db\n"
            f"slack:\n  enabled: true\n  api_url: {stand_ins.slack.api_url}\n",
            encoding="utf-8",
        )
        done = subprocess.run(
            [sys.executable, "-m", "pulse_mirror", "send-now", "--config", str(config)],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=env | _env(stand_ins),
            timeout=120,
            check=False,
        )

    assert done.returncode == 0, done.stderr
    assert "will be unused" not in done.stdout + done.stderr
    assert "sent 0, failed 0" in " ".join(done.stdout.split())  # undo the console's wrapping
