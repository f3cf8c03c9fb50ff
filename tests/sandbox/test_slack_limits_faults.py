"""Rate limits, injected faults and file uploads reach slack_sdk as from the real platform."""

from __future__ import annotations

import asyncio
import struct
import zlib

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from pulse_mirror.sandbox.faults import Fault
from pulse_mirror.sandbox.slack import RateLimit, SlackSandbox
from tests.fakes import FakeClock


def _png(width: int = 2, height: int = 2) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


async def test_post_message_is_limited_per_channel_on_the_injected_clock() -> None:
    clock = FakeClock()
    sandbox = SlackSandbox(now=clock)
    await sandbox.start()
    try:
        client = AsyncWebClient(token=sandbox.bot_token, base_url=sandbox.api_url)
        ada, bob = sandbox.add_user(name="ada"), sandbox.add_user(name="bob")
        sandbox.set_rate_limit("chat.postMessage", RateLimit(limit=2, per=1.0, scope="channel"))
        await client.chat_postMessage(channel=ada.id, text="1")
        await client.chat_postMessage(channel=ada.id, text="2")
        with pytest.raises(SlackApiError) as caught:
            await client.chat_postMessage(channel=ada.id, text="3")
        assert caught.value.response.status_code == 429
        assert caught.value.response["error"] == "ratelimited"
        assert caught.value.response.headers["Retry-After"] == "1"
        await client.chat_postMessage(channel=bob.id, text="other channel is not limited")
        clock.advance(1.0)
        await client.chat_postMessage(channel=ada.id, text="3")
        assert [m["text"] for m in sandbox.received(ada.id)["messages"]] == ["1", "2", "3"]
    finally:
        await sandbox.stop()


async def test_users_list_has_tier_2_by_default(slack_sandbox: SlackSandbox) -> None:
    client = AsyncWebClient(token=slack_sandbox.bot_token, base_url=slack_sandbox.api_url)
    for _ in range(20):
        await client.users_list()
    with pytest.raises(SlackApiError) as caught:
        await client.users_list()
    assert caught.value.response.status_code == 429
    assert int(caught.value.response.headers["Retry-After"]) >= 1


async def test_retry_handler_waits_and_then_succeeds(slack_sandbox: SlackSandbox) -> None:
    client = AsyncWebClient(token=slack_sandbox.bot_token, base_url=slack_sandbox.api_url)
    client.retry_handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=2))
    slack_sandbox.set_rate_limit("auth.test", RateLimit(limit=1, per=1.0))
    await client.auth_test()
    response = await client.auth_test()  # 429 first, then the retry after Retry-After
    assert response["ok"] is True
    statuses = [c.status for c in slack_sandbox.calls if c.method == "auth.test"]
    assert statuses == [200, 429, 200]


async def test_injected_server_error_reaches_the_client(slack_sandbox: SlackSandbox) -> None:
    client = AsyncWebClient(token=slack_sandbox.bot_token, base_url=slack_sandbox.api_url)
    slack_sandbox.inject_fault("auth.test", Fault(kind="status", status=503), times=2)
    for _ in range(2):
        with pytest.raises(SlackApiError) as caught:
            await client.auth_test()
        assert caught.value.response.status_code == 503
    assert (await client.auth_test())["ok"] is True


async def test_injected_timeout_reaches_the_client(slack_sandbox: SlackSandbox) -> None:
    client = AsyncWebClient(
        token=slack_sandbox.bot_token, base_url=slack_sandbox.api_url, timeout=1
    )
    slack_sandbox.inject_fault("users.list", Fault(kind="timeout", delay=5.0))
    with pytest.raises(asyncio.TimeoutError):
        await client.users_list()
    assert (await client.users_list())["ok"] is True


async def test_dropped_connection_reaches_the_client(slack_sandbox: SlackSandbox) -> None:
    client = AsyncWebClient(token=slack_sandbox.bot_token, base_url=slack_sandbox.api_url)
    ada = slack_sandbox.add_user(name="ada")
    # slack_sdk retries a connection error once by default, so two drops surface
    slack_sandbox.inject_fault("chat.postMessage", Fault(kind="drop"), times=2)
    with pytest.raises(aiohttp.ClientError):
        await client.chat_postMessage(channel=ada.id, text="x")
    assert slack_sandbox.faults.pending() == {}
    assert slack_sandbox.received(ada.id)["messages"] == []


async def test_one_dropped_connection_is_healed_by_the_default_retry(
    slack_sandbox: SlackSandbox,
) -> None:
    client = AsyncWebClient(token=slack_sandbox.bot_token, base_url=slack_sandbox.api_url)
    ada = slack_sandbox.add_user(name="ada")
    slack_sandbox.inject_fault("chat.postMessage", Fault(kind="drop"))
    await client.chat_postMessage(channel=ada.id, text="x")
    assert [m["text"] for m in slack_sandbox.received(ada.id)["messages"]] == ["x"]


async def test_files_upload_v2_lands_a_png_in_the_channel(slack_sandbox: SlackSandbox) -> None:
    client = AsyncWebClient(token=slack_sandbox.bot_token, base_url=slack_sandbox.api_url)
    report = slack_sandbox.add_channel(name="leadership")
    png = _png()
    response = await client.files_upload_v2(
        channel=report.id,
        content=png,
        filename="gap.png",
        title="Perception gap, week 12",
        initial_comment="This week's mirror",
    )
    assert response["file"]["title"] == "Perception gap, week 12"
    history = slack_sandbox.history(report.id)
    assert history["files"] == [
        {
            "id": response["file"]["id"],
            "filename": "gap.png",
            "title": "Perception gap, week 12",
            "bytes": len(png),
            "channels": [report.id],
        }
    ]
    [message] = history["messages"]
    assert message["text"] == "This week's mirror"
    assert message["files"][0]["mimetype"] == "image/png"
    assert slack_sandbox.workspace.files[response["file"]["id"]].data == png


async def test_files_upload_v2_to_a_channel_without_the_bot_fails(
    slack_sandbox: SlackSandbox,
) -> None:
    client = AsyncWebClient(token=slack_sandbox.bot_token, base_url=slack_sandbox.api_url)
    closed = slack_sandbox.add_channel(name="board", bot_member=False)
    with pytest.raises(SlackApiError) as caught:
        await client.files_upload_v2(channel=closed.id, content=b"abc", filename="a.png")
    assert caught.value.response["error"] == "not_in_channel"
