"""The README's "Try it against the sandbox", run for real: `pulse sandbox`, `pulse db upgrade`
and `pulse run` as subprocesses, the daytime employees answering through the control API, then
`pulse close-window` and `pulse report --post` ending with the report in the channel."""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import pytest

from pulse_mirror.sandbox.bot_config import MIN_RESPONDENTS
from pulse_mirror.sandbox.seed import DAYTIME, REPORT_CHANNEL_ID
from pulse_mirror.surveys.bank import load_bank

ROOT = Path(__file__).resolve().parents[2]
PULSE = [sys.executable, "-m", "pulse_mirror"]
T = TypeVar("T")


def _env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env.update({"COLUMNS": "200", "PULSE_CONFIG": "/nonexistent.yaml"})
    return env | (extra or {})


def _sourced(path: Path) -> dict[str, str]:
    """The variables of an ``export NAME=value`` file, as the shell would set them."""
    found = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        name, _, value = line.removeprefix("export ").partition("=")
        found[name] = value
    return found


def _get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.loads(response.read())


def _post(url: str, body: dict[str, Any]) -> Any:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def _until(what: str, probe: Callable[[], T | None], *, within: float = 20.0) -> T:
    """Poll ``probe`` until it returns something (the processes run on their own clocks)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@contextmanager
def _running(
    args: list[str], *, cwd: Path, env: dict[str, str], log: Path | None = None
) -> Iterator[subprocess.Popen[str]]:
    # A log file, not a pipe, for a process whose output nobody reads: a full pipe blocks it.
    sink = log.open("w") if log is not None else subprocess.PIPE
    proc = subprocess.Popen(
        args, cwd=cwd, env=env, text=True, stdout=sink, stderr=subprocess.STDOUT
    )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if log is not None:
            sink.close()  # type: ignore[union-attr]


def _received_pulse(control: str, user: str) -> dict[str, Any] | None:
    """The pulse in ``user``'s DMs, once it is there."""
    for message in _get(f"{control}users/{user}/received")["messages"]:
        if "pulse_answer_" in json.dumps(message.get("blocks", [])):
            return message  # type: ignore[no-any-return]
    return None


def _pulse(args: list[str], *, cwd: Path, env: dict[str, str]) -> str:
    done = subprocess.run(
        [*PULSE, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=90
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_readme_walkthrough_ends_with_an_answer_stored_and_a_report_posted(
    tmp_path: Path,
) -> None:
    with _running(
        [*PULSE, "sandbox", "--config-out", "sandbox.yaml"], cwd=tmp_path, env=_env()
    ) as sandbox:
        assert sandbox.stdout is not None
        lines = [sandbox.stdout.readline().strip() for _ in range(12)]
        assert lines[-1] == "Press Ctrl-C to stop.", lines
        printed = "\n".join(lines)
        assert "SLACK_BOT_TOKEN=xoxb-sandbox" in printed and "TELEGRAM_BOT_TOKEN=" in printed
        assert "pulse slack-roster --config sandbox.yaml" in printed
        control = next(x for x in lines if x.startswith("Slack control API: ")).split(": ", 1)[1]

        env = _env(_sourced(tmp_path / "sandbox.env"))
        upgrade = subprocess.run(
            [*PULSE, "db", "upgrade", "--config", "sandbox.yaml"],
            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert upgrade.returncode == 0, upgrade.stderr
        assert (tmp_path / "sandbox.db").is_file()
        roster = subprocess.run(
            [*PULSE, "slack-roster", "--config", "sandbox.yaml"],
            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert roster.returncode == 0, roster.stderr

        run_log = tmp_path / "run.log"
        with _running(
            [*PULSE, "run", "--config", "sandbox.yaml"], cwd=tmp_path, env=env, log=run_log
        ) as run:
            # The README: the seeded daytime employees (as many as the threshold) answer 4.
            assert len(DAYTIME) == MIN_RESPONDENTS
            for user, _, _ in DAYTIME:
                _until(
                    f"a pulse in {user}'s DMs ({run_log})",
                    lambda user=user: _received_pulse(control, user),  # type: ignore[misc]
                )
                clicked = _post(
                    f"{control}act/click", {"user": user, "action_id": "pulse_answer_4"}
                )
                assert clicked["ok"] is True and clicked["via"] == "socket", clicked

            def stored() -> list[tuple[str, int]]:
                with sqlite3.connect(tmp_path / "sandbox.db") as db:
                    return db.execute("SELECT side, value FROM answer").fetchall()

            answers = [("employee", 4)] * MIN_RESPONDENTS
            assert _until("the answers in the database", lambda: stored() == answers)
            # A fresh install posts no report for a week before its first pulse: the channel
            # gets a one-time note saying when the first results come instead.
            messages = _until(
                "the first-start note in the seeded channel",
                lambda: _get(f"{control}channels/{REPORT_CHANNEL_ID}/history")["messages"],
            )
            assert any("first results on" in m["text"] for m in messages), messages
            assert _get(f"{control}channels/{REPORT_CHANNEL_ID}/history")["files"] == []

            # The README's last step: close this week's window, then post its report.
            closed = _pulse(
                ["close-window", "--week", "current", "--yes", "--config", "sandbox.yaml"],
                cwd=tmp_path, env=env,
            )  # fmt: skip
            assert "closed week" in closed and "employees" in closed, closed
            posted = _pulse(
                ["report", "--week", "current", "--post", "--out", "report",
                 "--config", "sandbox.yaml"],
                cwd=tmp_path, env=env,
            )  # fmt: skip
            assert "slack: posted" in posted, posted
            with sqlite3.connect(tmp_path / "sandbox.db") as db:
                [(items,)] = db.execute("SELECT items FROM pulse WHERE side = 'employee'")
            [item] = json.loads(items)
            dimension = load_bank().dimension(load_bank().item(item).dimension).title_in("en")
            history = _get(f"{control}channels/{REPORT_CHANNEL_ID}/history")
            [report] = [m for m in history["messages"] if m.get("blocks")]
            body = json.dumps(report["blocks"], ensure_ascii=False)
            assert f"{dimension} (Employees): " in body, body
            assert f"n = {MIN_RESPONDENTS}" in body and "still open" not in body, body
            assert len(history["files"]) == 1
            run.send_signal(signal.SIGINT)
            assert run.wait(timeout=20) == 0
        sandbox.send_signal(signal.SIGINT)
        assert sandbox.wait(timeout=10) == 0


@pytest.mark.parametrize("option", ["--slack-port", "--telegram-port"])
def test_a_busy_port_is_one_line_and_exit_status_2(option: str, tmp_path: Path) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [*PULSE, "sandbox", option, str(port), "--config-out", "sandbox.yaml"],
            cwd=tmp_path, env=_env(), capture_output=True, text=True, timeout=30,
        )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"{option}: cannot listen on 127.0.0.1:{port} (Address already in use)"
    ]
    assert result.stdout == "" and not (tmp_path / "sandbox.yaml").exists()
