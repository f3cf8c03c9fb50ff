"""The control API over HTTP: set up the workspace, read what people got, act, fault, limit."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest_asyncio
from aiohttp import web
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from pulse_mirror.sandbox.slack import SlackSandbox


@pytest_asyncio.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def _call(
    http: aiohttp.ClientSession, verb: str, url: str, body: Any = None
) -> tuple[int, dict[str, Any]]:
    async with http.request(verb, url, json=body) as response:
        return response.status, await response.json()


async def test_users_channels_and_what_they_received(
    slack_sandbox: SlackSandbox, http: aiohttp.ClientSession
) -> None:
    root = slack_sandbox.control_url
    status, made = await _call(
        http,
        "POST",
        root + "users",
        {
            "id": "U0ADA",
            "name": "ada",
            "real_name": "Ada",
            "tz": "Asia/Tokyo",
            "locale": "de-DE",
            "is_restricted": True,
        },
    )
    assert status == 200
    assert made["user"]["tz"] == "Asia/Tokyo"
    assert made["user"]["is_restricted"] is True
    status, _ = await _call(
        http, "POST", root + "channels", {"id": "C0HR", "name": "hr", "bot_member": False}
    )
    assert status == 200
    client = AsyncWebClient(token=slack_sandbox.bot_token, base_url=slack_sandbox.api_url)
    await client.chat_postMessage(channel="U0ADA", text="hello")
    try:
        await client.chat_postMessage(channel="C0HR", text="x")
    except SlackApiError as exc:
        assert exc.response["error"] == "not_in_channel"
    status, got = await _call(http, "GET", root + "users/U0ADA/received")
    assert status == 200
    assert [m["text"] for m in got["messages"]] == ["hello"]
    status, history = await _call(http, "GET", root + "channels/C0HR/history")
    assert (status, history["messages"]) == (200, [])
    status, _ = await _call(http, "GET", root + "users/U404/received")
    assert status == 404
    status, bad = await _call(http, "POST", root + "users", {"name": "x", "shoe_size": 44})
    assert status == 400
    assert "shoe_size" in bad["error"]


async def test_faults_and_rate_limits_through_the_control_api(
    slack_sandbox: SlackSandbox, http: aiohttp.ClientSession
) -> None:
    root = slack_sandbox.control_url
    client = AsyncWebClient(token=slack_sandbox.bot_token, base_url=slack_sandbox.api_url)
    status, queued = await _call(
        http, "POST", root + "faults", {"method": "auth.test", "kind": "status", "status": 502}
    )
    assert (status, queued["pending"]) == (200, {"auth.test": 1})
    try:
        await client.auth_test()
        raise AssertionError("the fault did not fire")
    except SlackApiError as exc:
        assert exc.response.status_code == 502
    status, limits = await _call(
        http, "PUT", root + "rate_limits/auth.test", {"limit": 1, "per": 60}
    )
    assert limits["rate_limits"]["auth.test"] == {"limit": 1, "per": 60.0, "scope": "method"}
    await client.auth_test()
    try:
        await client.auth_test()
        raise AssertionError("the limit did not apply")
    except SlackApiError as exc:
        assert exc.response.status_code == 429
    await _call(http, "DELETE", root + "rate_limits/auth.test")
    assert (await client.auth_test())["ok"] is True
    status, calls = await _call(http, "GET", root + "calls")
    assert [c["status"] for c in calls["calls"]] == [200, 429, 200]  # faults are not calls
    await _call(http, "POST", root + "reset")
    assert slack_sandbox.calls == []


async def test_acting_as_a_person_through_the_control_api(
    slack_sandbox: SlackSandbox, http: aiohttp.ClientSession
) -> None:
    clicks: list[dict[str, Any]] = []

    async def bot_endpoint(request: web.Request) -> web.Response:
        clicks.append(dict(request.headers))
        return web.json_response({})

    app = web.Application()
    app.router.add_post("/slack/events", bot_endpoint)
    runner = web.AppRunner(app, shutdown_timeout=0.2)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        root = slack_sandbox.control_url
        url = f"http://127.0.0.1:{runner.addresses[0][1]}/slack/events"
        await _call(http, "PUT", root + "request_url", {"url": url})
        ada = slack_sandbox.add_user(name="ada")
        client = AsyncWebClient(token=slack_sandbox.bot_token, base_url=slack_sandbox.api_url)
        blocks = [
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "action_id": "answer",
                        "value": "3",
                        "text": {"type": "plain_text", "text": "3"},
                    }
                ],
            }
        ]
        await client.chat_postMessage(channel=ada.id, text="q", blocks=blocks)
        status, reply = await _call(
            http,
            "POST",
            root + "act/click",
            {"user": ada.id, "action_id": "answer", "value": "3", "forge": {"age": 600}},
        )
        assert (status, reply["status"], reply["via"]) == (200, 200, "http")
        stamp = int(clicks[0]["X-Slack-Request-Timestamp"])
        assert stamp < slack_sandbox.workspace.clock() - 500  # backdated as asked
        status, _ = await _call(
            http, "POST", root + "act/click", {"user": ada.id, "action_id": "nope"}
        )
        assert status == 404
    finally:
        await runner.cleanup()
