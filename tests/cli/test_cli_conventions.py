"""What every ``pulse`` command shares: --config, --version, examples, flags, no token demands."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from pulse_mirror.cli.main import app
from pulse_mirror.config.settings import SECRET_ENV
from pulse_mirror.storage.migrate import upgrade
from pulse_mirror.surveys.model import IsoWeek

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "config.example.yaml"
WIDE = {"COLUMNS": "300"}


def _commands() -> dict[str, Any]:
    """Every command by its full name ("db upgrade"), as typer built it."""
    root: Any = typer.main.get_command(app)
    found: dict[str, Any] = {}
    for name, command in root.commands.items():
        subcommands = getattr(command, "commands", None)
        if subcommands is not None:
            found |= {f"{name} {sub}": c for sub, c in subcommands.items()}
        else:
            found[name] = command
    return found


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    for var in SECRET_ENV.values():
        monkeypatch.delenv(var, raising=False)
    return CliRunner()


@pytest.fixture
def config(tmp_path: Path) -> Path:
    """Both platforms enabled, no token in the environment, a migrated database."""
    path = tmp_path / "config.yaml"
    path.write_text(
        "database:\n  url: sqlite:///pulse.db\n"
        "slack:\n  enabled: true\n  report_channel: '#pulse'\n"
        "telegram:\n  enabled: true\n",
        encoding="utf-8",
    )
    asyncio.run(upgrade(f"sqlite+aiosqlite:///{tmp_path / 'pulse.db'}"))
    return path


def test_version_prints_one_line(runner: CliRunner) -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.startswith("pulse ") and len(result.stdout.splitlines()) == 1


def test_every_command_that_reads_a_config_takes_the_same_config_option() -> None:
    reading = {
        name: command
        for name, command in _commands().items()
        if any(param.name == "config" for param in command.params)
    }
    assert set(reading) >= {
        "check-config", "questions", "run", "status", "send-now", "pause", "resume",
        "slack-manifest", "slack-roster", "report", "export", "import", "db upgrade",
    }  # fmt: skip
    for name, command in reading.items():
        option = next(p for p in command.params if p.name == "config")
        assert option.opts == ["--config", "-c"] or set(option.opts) == {"--config", "-c"}, name


@pytest.mark.parametrize("name", sorted(set(_commands()) - {"sandbox"}))
def test_each_command_help_shows_an_example_and_no_bool_placeholder(
    runner: CliRunner, name: str
) -> None:
    result = runner.invoke(app, [*name.split(), "--help"], env=WIDE)
    assert result.exit_code == 0, result.output
    assert "Example: pulse " in result.stdout
    assert "<bool>" not in result.stdout


def test_flags_render_without_a_value(runner: CliRunner) -> None:
    result = runner.invoke(app, ["report", "--help"], env=WIDE)
    lines = [line.split() for line in result.stdout.splitlines() if line.strip()]
    post = lines[[line[0] for line in lines].index("--post")]
    assert post[:3] == ["--post", "Also", "post"]
    assert next(line for line in lines if line[0] == "--help")[:2] == ["--help", "Show"]


@pytest.mark.parametrize("form", [["PATH"], ["--config", "PATH"], ["-c", "PATH"]])
def test_check_config_takes_the_file_as_argument_or_option(
    runner: CliRunner, form: list[str]
) -> None:
    secrets = {
        "SLACK_BOT_TOKEN": "xoxb-1",
        "SLACK_APP_TOKEN": "xapp-1",
        "TELEGRAM_BOT_TOKEN": "1:x",
    }
    args = [str(EXAMPLE) if part == "PATH" else part for part in form]
    result = runner.invoke(app, ["check-config", *args], env=secrets)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"OK {EXAMPLE}")


def test_check_config_given_two_different_files_is_one_line(
    runner: CliRunner, tmp_path: Path
) -> None:
    result = runner.invoke(app, ["check-config", str(EXAMPLE), "--config", str(tmp_path / "x")])
    assert result.exit_code == 2
    assert result.stderr == "check-config: give the config once, as an argument or with --config\n"


def test_check_config_still_demands_the_tokens(runner: CliRunner, config: Path) -> None:
    result = runner.invoke(app, ["check-config", str(config)], env=WIDE)
    assert result.exit_code == 2
    assert "slack: enabled but SLACK_BOT_TOKEN is not set in the environment" in result.stderr


@pytest.mark.parametrize(
    "args",
    [["status"], ["export"], ["questions"], ["db", "upgrade"], ["report", "--week", "2026-W10"]],
)
def test_read_only_commands_need_no_platform_token(
    runner: CliRunner, config: Path, tmp_path: Path, args: list[str]
) -> None:
    extra = ["--out", str(tmp_path / "out")] if args[0] == "report" else []
    result = runner.invoke(app, [*args, *extra, "--config", str(config)], env=WIDE)
    assert result.exit_code == 0, result.output
    assert "TOKEN" not in result.output


@pytest.mark.parametrize("args", [["run"], ["send-now"], ["report", "--post"]])
def test_commands_that_talk_to_the_platforms_demand_their_tokens(
    runner: CliRunner, config: Path, args: list[str]
) -> None:
    result = runner.invoke(app, [*args, "--config", str(config)], env=WIDE)
    assert result.exit_code == 2
    assert "slack: enabled but SLACK_BOT_TOKEN is not set in the environment" in result.stderr


def test_report_without_week_says_which_week_it_picked(
    runner: CliRunner, config: Path, tmp_path: Path
) -> None:
    result = runner.invoke(
        app, ["report", "--out", str(tmp_path / "out"), "--config", str(config)], env=WIDE
    )
    assert result.exit_code == 0, result.output
    last = IsoWeek.of(dt.date.today()).shift(-1)
    assert result.stdout.splitlines()[0] == (
        f"week {last} (the last full week; pick another with --week)"
    )


def test_report_with_week_does_not_repeat_it(
    runner: CliRunner, config: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    result = runner.invoke(
        app, ["report", "--week", "2026-W10", "--out", str(out), "-c", str(config)], env=WIDE
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == f"wrote {out / 'report.png'}"


def test_a_file_imported_twice_is_refused_with_its_fingerprint_and_date(
    runner: CliRunner, config: Path, tmp_path: Path
) -> None:
    history = tmp_path / "history.csv"
    history.write_text("week,side,item,value\n2026-W10,customer,effort.customer,3\n")
    sha = hashlib.sha256(history.read_bytes()).hexdigest()
    first = runner.invoke(app, ["import", str(history), "-c", str(config)], env=WIDE)
    assert first.exit_code == 0, first.output
    assert first.stdout == f"imported 1 answers from {history}\n"

    copy = tmp_path / "copy.csv"
    copy.write_bytes(history.read_bytes())
    again = runner.invoke(app, ["import", str(copy), "-c", str(config)], env=WIDE)
    assert again.exit_code == 2
    today = dt.datetime.now(dt.UTC).date()
    assert again.stderr == (
        f"{copy}: already imported on {today:%Y-%m-%d} (as {history}, sha256 {sha}); "
        "nothing was imported; --again imports it once more\n"
    )

    forced = runner.invoke(app, ["import", str(copy), "--again", "-c", str(config)], env=WIDE)
    assert forced.exit_code == 0, forced.output
    assert forced.stdout == f"imported 1 answers from {copy}\n"


def test_import_help_says_why_a_file_is_imported_once(runner: CliRunner) -> None:
    result = runner.invoke(app, ["import", "--help"], env=WIDE)
    flat = " ".join(result.stdout.split())
    assert "its answers would count twice" in flat and "--again" in flat


def test_help_and_version_load_no_database_or_config_library() -> None:
    code = (
        "import json, sys\n"
        "from pulse_mirror.cli import main\n"
        "heavy = [m for m in ('sqlalchemy', 'alembic', 'pydantic', 'aiohttp', 'matplotlib',"
        " 'slack_bolt', 'telegram') if m in sys.modules]\n"
        "print(json.dumps(heavy))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    # cli/sandbox.py (another area) imports the config models at its top; everything else waits.
    allowed = {"pydantic"}
    assert set(json.loads(done.stdout)) <= allowed, done.stdout
