"""Socket Mode: Bolt's real AsyncSocketModeHandler, connected to the stand-in, gets and acks."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from pulse_mirror.sandbox.slack import SlackSandbox
from pulse_mirror.sandbox.slack.socket import NoSocketConnection

QUESTION = [
    {
        "type": "actions",
        "block_id": "scale",
        "elements": [
            {
                "type": "button",
                "action_id": "answer",
                "value": "7",
                "text": {"type": "plain_text", "text": "7"},
            },
        ],
    }
]


@pytest_asyncio.fixture
async def socket_bot(
    slack_sandbox: SlackSandbox,
) -> AsyncIterator[tuple[AsyncWebClient, list[dict[str, Any]], asyncio.Event]]:
    client = AsyncWebClient(token=slack_sandbox.bot_token, base_url=slack_sandbox.api_url)
    app = AsyncApp(client=client, signing_secret=slack_sandbox.signing_secret)
    clicks: list[dict[str, Any]] = []
    home_opened = asyncio.Event()

    @app.action("answer")
    async def on_answer(ack: Any, body: dict[str, Any]) -> None:
        await ack()
        clicks.append(body)

    @app.event("app_home_opened")
    async def on_home(event: dict[str, Any]) -> None:
        home_opened.set()

    handler = AsyncSocketModeHandler(app, app_token=slack_sandbox.app_token)
    await handler.connect_async()  # type: ignore[no-untyped-call]
    await slack_sandbox.socket.wait_connected()
    try:
        yield client, clicks, home_opened
    finally:
        await handler.close_async()  # type: ignore[no-untyped-call]


async def test_a_click_arrives_over_socket_mode_and_is_acked(
    slack_sandbox: SlackSandbox,
    socket_bot: tuple[AsyncWebClient, list[dict[str, Any]], asyncio.Event],
) -> None:
    client, clicks, _ = socket_bot
    ada = slack_sandbox.add_user(name="ada")
    await client.chat_postMessage(channel=ada.id, text="q", blocks=QUESTION)
    reply = await slack_sandbox.click(ada.id, action_id="answer")
    assert reply.via == "socket"
    [envelope] = slack_sandbox.socket.envelopes
    assert envelope["type"] == "interactive"
    assert envelope["accepts_response_payload"] is False
    assert reply.ack is not None
    assert reply.ack["envelope_id"] == envelope["envelope_id"]
    assert slack_sandbox.socket.acks == [reply.ack]
    [body] = clicks
    assert body["actions"][0]["value"] == "7"
    assert body["user"]["id"] == ada.id


async def test_events_arrive_as_events_api_envelopes(
    slack_sandbox: SlackSandbox,
    socket_bot: tuple[AsyncWebClient, list[dict[str, Any]], asyncio.Event],
) -> None:
    _, _, home_opened = socket_bot
    ada = slack_sandbox.add_user(name="ada")
    reply = await slack_sandbox.open_home(ada.id)
    await asyncio.wait_for(home_opened.wait(), timeout=10)
    [envelope] = slack_sandbox.socket.envelopes
    assert envelope["type"] == "events_api"
    assert envelope["payload"]["event"]["type"] == "app_home_opened"
    assert {"retry_attempt", "retry_reason"} <= set(envelope)
    assert reply.ack == {"envelope_id": envelope["envelope_id"]}


async def test_apps_connections_open_needs_the_app_token(slack_sandbox: SlackSandbox) -> None:
    app_client = AsyncWebClient(base_url=slack_sandbox.api_url)
    opened = await app_client.apps_connections_open(app_token=slack_sandbox.app_token)
    assert opened["url"].startswith("ws://127.0.0.1:")
    with pytest.raises(SlackApiError) as caught:
        await app_client.apps_connections_open(app_token="xapp-wrong")
    assert caught.value.response["error"] == "invalid_auth"


async def test_delivering_without_a_connection_says_so(slack_sandbox: SlackSandbox) -> None:
    ada = slack_sandbox.add_user(name="ada")
    with pytest.raises(NoSocketConnection):
        await slack_sandbox.open_home(ada.id, via="socket")


async def test_a_view_submission_ack_carries_the_response_action(
    slack_sandbox: SlackSandbox,
) -> None:
    client = AsyncWebClient(token=slack_sandbox.bot_token, base_url=slack_sandbox.api_url)
    app = AsyncApp(client=client, signing_secret=slack_sandbox.signing_secret)

    @app.view("comment")
    async def on_submit(ack: Any) -> None:
        await ack(response_action="errors", errors={"comment": "Please write a bit more"})

    handler = AsyncSocketModeHandler(app, app_token=slack_sandbox.app_token)
    await handler.connect_async()  # type: ignore[no-untyped-call]
    try:
        await slack_sandbox.socket.wait_connected()
        ada = slack_sandbox.add_user(name="ada")
        modal = {
            "type": "modal",
            "callback_id": "comment",
            "title": {"type": "plain_text", "text": "Comment"},
            "blocks": [
                {
                    "type": "input",
                    "block_id": "comment",
                    "label": {"type": "plain_text", "text": "Comment"},
                    "element": {"type": "plain_text_input", "action_id": "text"},
                }
            ],
        }
        trigger = slack_sandbox.workspace.issue_trigger(ada.id)
        view_id = (await client.views_open(trigger_id=trigger, view=modal))["view"]["id"]
        reply = await slack_sandbox.submit_view(ada.id, view_id, {"comment": {"text": "x"}})
    finally:
        await handler.close_async()  # type: ignore[no-untyped-call]
    [envelope] = slack_sandbox.socket.envelopes
    assert envelope["accepts_response_payload"] is True
    assert reply.json() == {
        "response_action": "errors",
        "errors": {"comment": "Please write a bit more"},
    }
    assert slack_sandbox.received(ada.id)["views"][0]["closed"] is False
