"""The click intake at shutdown: every acknowledged click is handled before the bot stops."""

from __future__ import annotations

import asyncio
import json
import time
import urllib.parse
from typing import Any

from aiohttp.test_utils import make_mocked_request
from slack_bolt.async_app import AsyncApp
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from pulse_mirror.sandbox.slack import SlackSandbox
from pulse_mirror.slack.intake import ClickIntake


def _signed_click(secret: str, n: int) -> tuple[bytes, Any]:
    payload = {
        "type": "block_actions",
        "user": {"id": f"U{n}", "team_id": "T0SANDBOX"},
        "team": {"id": "T0SANDBOX"},
        "api_app_id": "A1",
        "actions": [{"action_id": "answer", "value": str(n), "action_ts": f"{n}.0"}],
    }
    body = urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()
    stamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": SignatureVerifier(secret).generate_signature(
            timestamp=stamp, body=body
        ),
    }
    return body, make_mocked_request("POST", "/slack/events", headers=headers)


async def test_stopping_handles_every_acknowledged_click_and_queues_no_new_one(
    slack_sandbox: SlackSandbox,
) -> None:
    secret = slack_sandbox.signing_secret
    client = AsyncWebClient(token=slack_sandbox.bot_token, base_url=slack_sandbox.api_url)
    app = AsyncApp(client=client, signing_secret=secret, process_before_response=True)
    gate, handled = asyncio.Event(), []

    @app.action("answer")
    async def on_answer(ack: Any, body: dict[str, Any]) -> None:
        await ack()
        await gate.wait()  # slow clicks: still in progress when the bot is asked to stop
        handled.append(body["actions"][0]["value"])

    intake = ClickIntake(app=app, signing_secret=secret, workers=2)
    assert all(intake.accept(*_signed_click(secret, n)) for n in range(7))
    await asyncio.sleep(0)  # the workers take the first two

    stopping = asyncio.create_task(intake.stop(grace=30))
    await asyncio.sleep(0)
    assert intake.accept(*_signed_click(secret, 99)) is False  # handled before its ack now
    gate.set()
    await stopping

    assert sorted(handled) == [str(n) for n in range(7)]
    assert intake.waiting == 0
