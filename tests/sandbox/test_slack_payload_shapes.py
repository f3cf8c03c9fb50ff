"""The stand-in's payloads have the shape of Slack's recorded ones (tests/payloads/slack/)."""

from __future__ import annotations

import asyncio
import json
import urllib.parse
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest_asyncio
from aiohttp import web
from slack_sdk.web.async_client import AsyncWebClient

from pulse_mirror.sandbox.slack import SlackSandbox

RECORDED = Path(__file__).resolve().parents[1] / "payloads" / "slack"

# Keys Slack sends only in some cases (admins' 2FA flag, profile status and extra avatar sizes,
# rendering hints Slack adds to block text); they are left out of the comparison.
SOMETIMES = {
    "has_2fa",
    "avatar_hash",
    "status_text",
    "status_emoji",
    "image_24",
    "image_32",
    "image_72",
    "image_192",
    "image_512",
    "verbatim",
    "emoji",
}


def _at(obj: Any, path: str) -> Any:
    for part in filter(None, path.split("/")):
        obj = obj[int(part)] if isinstance(obj, list) else obj[part]
    return obj


def _keys(obj: Any, path: str) -> set[str]:
    found = _at(obj, path)
    assert isinstance(found, dict), f"{path or '/'} is not an object"
    return {key for key in found if not key.startswith("_")} - SOMETIMES  # "_source": citation


def assert_same_shape(recorded_name: str, ours: Any, paths: list[str]) -> None:
    """The key sets at each path are equal in the recorded payload and in ours."""
    recorded = json.loads((RECORDED / recorded_name).read_text(encoding="utf-8"))
    for path in paths:
        assert _keys(ours, path) == _keys(recorded, path), f"{recorded_name} at /{path}"


@pytest_asyncio.fixture
async def receiver(slack_sandbox: SlackSandbox) -> AsyncIterator[list[dict[str, Any]]]:
    """A bare HTTP endpoint that records what the stand-in POSTs and answers 200."""
    bodies: list[dict[str, Any]] = []

    async def record(request: web.Request) -> web.Response:
        raw = (await request.read()).decode()
        if request.content_type == "application/x-www-form-urlencoded":
            bodies.append(json.loads(urllib.parse.parse_qs(raw)["payload"][0]))
        else:
            bodies.append(json.loads(raw))
        return web.Response(status=200)

    app = web.Application()
    app.router.add_post("/slack/events", record)
    runner = web.AppRunner(app, shutdown_timeout=0.2)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    slack_sandbox.request_url = f"http://127.0.0.1:{runner.addresses[0][1]}/slack/events"
    try:
        yield bodies
    finally:
        await runner.cleanup()


def _question() -> list[dict[str, Any]]:
    return [
        {
            "type": "actions",
            "block_id": "scale",
            "elements": [
                {
                    "type": "button",
                    "action_id": "answer",
                    "value": "7",
                    "text": {"type": "plain_text", "text": "Easy", "emoji": True},
                }
            ],
        }
    ]


async def test_block_actions_has_slacks_shape(
    slack_sandbox: SlackSandbox, receiver: list[dict[str, Any]]
) -> None:
    client = AsyncWebClient(token=slack_sandbox.bot_token, base_url=slack_sandbox.api_url)
    ada = slack_sandbox.add_user(name="ada")
    await client.chat_postMessage(channel=ada.id, text="How easy?", blocks=_question())
    await slack_sandbox.click(ada.id, action_id="answer")
    [payload] = receiver
    assert_same_shape(
        "block_actions.json",
        payload,
        [
            "",
            "user",
            "team",
            "container",
            "channel",
            "message",
            "state",
            "actions/0",
            "actions/0/text",
            "message/blocks/0",
            "message/blocks/0/elements/0",
        ],
    )


async def test_view_submission_has_slacks_shape(
    slack_sandbox: SlackSandbox, receiver: list[dict[str, Any]]
) -> None:
    client = AsyncWebClient(token=slack_sandbox.bot_token, base_url=slack_sandbox.api_url)
    ada = slack_sandbox.add_user(name="ada")
    modal = {
        "type": "modal",
        "callback_id": "comment",
        "title": {"type": "plain_text", "text": "Comment"},
        "blocks": [
            {
                "type": "input",
                "block_id": "comment",
                "label": {"type": "plain_text", "text": "One thing we should change"},
                "element": {"type": "plain_text_input", "action_id": "text"},
            }
        ],
    }
    opened = await client.views_open(
        trigger_id=slack_sandbox.workspace.issue_trigger(ada.id), view=modal
    )
    await slack_sandbox.submit_view(ada.id, opened["view"]["id"], {"comment": {"text": "faster"}})
    [payload] = receiver
    assert_same_shape(
        "view_submission.json",
        payload,
        ["", "user", "team", "view", "view/state/values/comment/text"],
    )


async def test_web_api_responses_have_slacks_shape(slack_sandbox: SlackSandbox) -> None:
    client = AsyncWebClient(token=slack_sandbox.bot_token, base_url=slack_sandbox.api_url)
    ada = slack_sandbox.add_user(name="ada", email="ada@example.com")
    blocks = [{"type": "section", "block_id": "q", "text": {"type": "mrkdwn", "text": "Hi"}}]
    posted = await client.chat_postMessage(channel=ada.id, text="Hi", blocks=blocks)
    assert_same_shape("chat_postMessage.json", posted.data, ["", "message"])
    listed = await client.users_list(limit=5)
    assert isinstance(listed.data, dict)
    people = {**listed.data, "members": [m for m in listed["members"] if m["id"] == ada.id]}
    assert_same_shape(
        "users_list.json", people, ["", "members/0", "members/0/profile", "response_metadata"]
    )


async def test_socket_mode_hello_and_envelope_have_slacks_shape(
    slack_sandbox: SlackSandbox,
) -> None:
    client = AsyncWebClient(base_url=slack_sandbox.api_url)
    url = (await client.apps_connections_open(app_token=slack_sandbox.app_token))["url"]
    ada = slack_sandbox.add_user(name="ada")
    async with aiohttp.ClientSession() as session, session.ws_connect(url) as ws:
        hello = await ws.receive_json()
        assert_same_shape("socket_mode_hello.json", hello, ["", "debug_info", "connection_info"])
        delivery = asyncio.create_task(slack_sandbox.open_home(ada.id))
        envelope = await ws.receive_json()
        await ws.send_json({"envelope_id": envelope["envelope_id"]})
        reply = await delivery
    assert reply.ack == {"envelope_id": envelope["envelope_id"]}
    assert_same_shape(
        "socket_mode_envelope.json",
        envelope,
        ["", "payload", "payload/event", "payload/authorizations/0"],
    )
