"""``pulse sandbox`` starts both stand-ins, prints their URLs, answers real clients, stops."""

from __future__ import annotations

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
        [sys.executable, "-m", "bot", "sandbox"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )
    try:
        assert proc.stdout is not None
        lines = [proc.stdout.readline().strip() for _ in range(2)]
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
