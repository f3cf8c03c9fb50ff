"""``pulse demo`` on the command line: progress over the weeks, a summary, the files."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pulse_mirror.cli.main import app


def test_pulse_demo_runs_a_short_demo_and_sums_it_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A machine with a proxy set: the demo talks only to 127.0.0.1, never through it.
    for name in ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")  # nothing listens there
    image = tmp_path / "docs" / "mirror.png"
    result = CliRunner().invoke(
        app,
        ["demo", "--weeks", "1", "--employees", "6", "--customers", "12", "--seed", "2",
         "--out", str(tmp_path / "out"), "--readme-image", str(image)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "1 weeks in" in result.output
    assert "messages sent:" in result.output and "in Slack" in result.output
    assert "biggest real gap:" in result.output
    assert (tmp_path / "out" / "2026-W10" / "report.json").is_file()
    assert image.read_bytes().startswith(b"\x89PNG")


def test_pulse_demo_refuses_nonsense_options(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["demo", "--weeks", "0", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert not any(tmp_path.iterdir())


def test_ctrl_c_stops_the_demo_cleanly(tmp_path: Path) -> None:
    out = tmp_path / "out"
    process = subprocess.Popen(
        [sys.executable, "-m", "pulse_mirror", "demo", "--weeks", "8", "--employees", "6",
         "--customers", "12", "--seed", "3", "--out", str(out)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while not (out / "2026-W10" / "report.json").exists():  # the first week is out
            assert process.poll() is None, process.communicate()[0]
            assert time.monotonic() < deadline, "the demo never reported its first week"
            time.sleep(0.05)
        os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C in a terminal sends
        output, _ = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode == 130, output
    assert "stopped; the bot and the stand-ins were shut down" in output
    assert "Traceback" not in output
    assert not (out / "2026-W17").exists()  # it did stop, well before the last week
