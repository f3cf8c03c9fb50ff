"""``pulse sandbox`` starts both stand-ins, prints their URLs, answers real clients, stops."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

from slack_sdk.web.async_client import AsyncWebClient
from telegram import Bot

ROOT = Path(__file__).resolve().parents[2]


async def test_pulse_sandbox_serves_both_platforms() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "pulse_mirror", "sandbox"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )
    try:
        assert proc.stdout is not None
        lines = await asyncio.wait_for(
            asyncio.to_thread(lambda: [proc.stdout.readline().strip() for _ in range(2)]),  # type: ignore[union-attr]
            timeout=30,
        )
        slack_url = lines[0].removeprefix("Slack Web API: ")
        telegram_url = lines[1].removeprefix("Telegram Bot API: ")
        assert slack_url.startswith("http://127.0.0.1:") and slack_url.endswith("/api/")
        assert telegram_url.startswith("http://127.0.0.1:") and telegram_url.endswith("/bot")

        auth = await AsyncWebClient(token="xoxb-sandbox", base_url=slack_url).auth_test()
        assert auth["ok"] is True
        async with Bot("123456:sandbox-token", base_url=telegram_url) as bot:
            assert bot.username
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=10)
    assert proc.returncode == 0, proc.stderr.read() if proc.stderr else ""


def test_pulse_sandbox_refuses_a_public_address() -> None:
    from typer.testing import CliRunner

    from pulse_mirror.cli.main import app

    result = CliRunner().invoke(app, ["sandbox", "--host", "0.0.0.0"])
    assert result.exit_code == 2
    assert "loopback" in result.output and "Traceback" not in result.output


async def test_stand_ins_refuse_a_public_address() -> None:
    import pytest

    from pulse_mirror.sandbox.slack import SlackSandbox
    from pulse_mirror.sandbox.telegram import TelegramSandbox

    for sandbox in (SlackSandbox(), TelegramSandbox()):
        with pytest.raises(ValueError, match="loopback"):
            await sandbox.start(host="0.0.0.0")
