"""The Slack stand-in's posting limits, through the real slack_sdk client: per channel (a burst
of 5, then 1/s; a user id and the DM with that user are one channel), a workspace ceiling
the bot is never told (set through the control API), both answered with 429 and Retry-After.
And a user id as the channel posts into the DM, as Slack does with a bot token."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
import pytest_asyncio
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from pulse_mirror.sandbox.slack import SlackSandbox
from tests.fakes import FakeClock


@pytest_asyncio.fixture
async def clock() -> FakeClock:
    return FakeClock()


@pytest_asyncio.fixture
async def slack(clock: FakeClock) -> AsyncIterator[SlackSandbox]:
    sandbox = SlackSandbox(now=clock)
    await sandbox.start(host="127.0.0.1", port=0)
    try:
        yield sandbox
    finally:
        await sandbox.stop()


def client(sandbox: SlackSandbox) -> AsyncWebClient:
    return AsyncWebClient(token=sandbox.bot_token, base_url=sandbox.api_url, retry_handlers=[])


async def refused(web: AsyncWebClient, channel: str) -> int:
    """Post to ``channel`` expecting a 429; its Retry-After."""
    with pytest.raises(SlackApiError) as caught:
        await web.chat_postMessage(channel=channel, text="hello")
    assert caught.value.response.status_code == 429
    assert caught.value.response["error"] == "ratelimited"
    return int(caught.value.response.headers["Retry-After"])


async def test_a_user_id_as_channel_posts_into_the_dm_and_answers_with_its_id(
    slack: SlackSandbox,
) -> None:
    ada = slack.add_user(name="ada")
    web = client(slack)

    posted = await web.chat_postMessage(channel=ada.id, text="hello")
    opened = await web.conversations_open(users=ada.id)

    assert posted["channel"].startswith("D")
    assert opened["channel"]["id"] == posted["channel"]  # the same DM
    assert [m["text"] for m in slack.received(ada.id)["messages"]] == ["hello"]


async def test_one_channel_takes_a_burst_of_five_then_429_with_retry_after(
    slack: SlackSandbox, clock: FakeClock
) -> None:
    ada, bob = slack.add_user(name="ada"), slack.add_user(name="bob")
    web = client(slack)
    dm = (await web.conversations_open(users=ada.id))["channel"]["id"]

    for index in range(5):  # by user id and by DM id alike: one channel
        await web.chat_postMessage(channel=ada.id if index % 2 else dm, text=f"m{index}")
    wait = await refused(web, ada.id)
    await web.chat_postMessage(channel=bob.id, text="another channel is not held")

    assert wait >= 1
    clock.advance(float(wait))
    await web.chat_postMessage(channel=dm, text="after Retry-After")
    assert slack.limits.refused == {"chat.postMessage": 1}


async def test_a_hidden_workspace_ceiling_set_through_the_control_api(
    slack: SlackSandbox, clock: FakeClock
) -> None:
    users = [slack.add_user(name=f"u{i}").id for i in range(4)]
    web = client(slack)
    async with aiohttp.ClientSession() as session:
        async with session.put(
            slack.control_url + "ceiling", json={"messages_per_second": 2}
        ) as response:
            assert (await response.json())["messages_per_second"] == 2

        await web.chat_postMessage(channel=users[0], text="one")
        await web.chat_postMessage(channel=users[1], text="two")
        wait = await refused(web, users[2])  # a fresh channel: the workspace said no
        clock.advance(1.0)
        await web.chat_postMessage(channel=users[2], text="three, a second later")

        async with session.get(slack.control_url + "ceiling") as response:
            body = await response.json()
        async with session.put(
            slack.control_url + "ceiling", json={"messages_per_second": None}
        ) as response:
            assert (await response.json())["messages_per_second"] is None

    assert wait == 1
    assert body["refused"] == {"workspace": 1}
    for user in users:  # no ceiling any more
        await web.chat_postMessage(channel=user, text="free")
    auth = await web.auth_test()  # other methods never count against the ceiling
    assert auth["ok"]
