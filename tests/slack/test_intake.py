"""The click intake at shutdown: every acknowledged click is handled before the bot stops."""

from __future__ import annotations

import asyncio
import json
import urllib.parse
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.web.async_client import AsyncWebClient

from pulse_mirror.sandbox.slack import SlackSandbox
from pulse_mirror.slack.http.gate import Admitted
from pulse_mirror.slack.http.intake import ClickIntake


def _click(n: int) -> Admitted:
    payload = {
        "type": "block_actions",
        "user": {"id": f"U{n}", "team_id": "T0SANDBOX"},
        "team": {"id": "T0SANDBOX"},
        "api_app_id": "A1",
        "actions": [{"action_id": "answer", "value": str(n), "action_ts": f"{n}.0"}],
    }
    body = urllib.parse.urlencode({"payload": json.dumps(payload)})
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    return Admitted(bolt=AsyncBoltRequest(body=body, headers=headers), kind="block_actions")


async def test_stopping_handles_every_acknowledged_click_and_queues_no_new_one(
    slack_sandbox: SlackSandbox,
) -> None:
    client = AsyncWebClient(token=slack_sandbox.bot_token, base_url=slack_sandbox.api_url)
    app = AsyncApp(client=client, request_verification_enabled=False, process_before_response=True)
    gate, handled = asyncio.Event(), []

    @app.action("answer")
    async def on_answer(ack: Any, body: dict[str, Any]) -> None:
        await ack()
        await gate.wait()  # slow clicks: still in progress when the bot is asked to stop
        handled.append(body["actions"][0]["value"])

    intake = ClickIntake(app=app, workers=2)
    assert all(intake.accept(_click(n)) for n in range(7))
    await asyncio.sleep(0)  # the workers take the first two

    stopping = asyncio.create_task(intake.stop(grace=30))
    await asyncio.sleep(0)
    assert intake.accept(_click(99)) is False  # handled before its ack now
    gate.set()
    await stopping

    assert sorted(handled) == [str(n) for n in range(7)]
    assert intake.waiting == 0
