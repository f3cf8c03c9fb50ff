"""The real slack_sdk AsyncWebClient against the Slack stand-in: each method and each error."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from pulse_mirror.sandbox.slack import SlackSandbox


@pytest_asyncio.fixture
async def client(slack_sandbox: SlackSandbox) -> AsyncIterator[AsyncWebClient]:
    yield AsyncWebClient(token=slack_sandbox.bot_token, base_url=slack_sandbox.api_url)


def _buttons(count: int, *, text: str = "Go", value: str = "v") -> list[dict[str, Any]]:
    return [
        {
            "type": "actions",
            "block_id": "answer",
            "elements": [
                {
                    "type": "button",
                    "action_id": f"a{i}",
                    "text": {"type": "plain_text", "text": text},
                    "value": value,
                }
                for i in range(count)
            ],
        }
    ]


async def test_auth_test_names_the_bot(client: AsyncWebClient) -> None:
    response = await client.auth_test()
    assert response["ok"] is True
    assert response["user_id"] == "U0SANDBOT"
    assert response["team_id"] == "T0SANDBOX"
    assert response["bot_id"] == "B0SANDBOT"


async def test_post_message_to_a_user_is_visible_to_that_user(
    slack_sandbox: SlackSandbox, client: AsyncWebClient
) -> None:
    ada = slack_sandbox.add_user(name="ada", real_name="Ada L", tz="Europe/Berlin")
    opened = await client.conversations_open(users=ada.id)
    channel = opened["channel"]["id"]
    assert channel.startswith("D")
    blocks = _buttons(3)
    posted = await client.chat_postMessage(channel=channel, text="How easy?", blocks=blocks)
    assert posted["channel"] == channel
    assert posted["message"]["blocks"][0]["block_id"] == "answer"
    received = slack_sandbox.received(ada.id)["messages"]
    assert [m["ts"] for m in received] == [posted["ts"]]
    assert received[0]["text"] == "How easy?"
    assert len(received[0]["blocks"][0]["elements"]) == 3


async def test_post_message_by_user_id_lands_in_the_dm(
    slack_sandbox: SlackSandbox, client: AsyncWebClient
) -> None:
    bob = slack_sandbox.add_user(name="bob")
    posted = await client.chat_postMessage(channel=bob.id, text="hi")
    assert posted["channel"].startswith("D")
    assert slack_sandbox.received(bob.id)["messages"][0]["text"] == "hi"


async def test_conversations_open_twice_is_a_no_op(
    slack_sandbox: SlackSandbox, client: AsyncWebClient
) -> None:
    ada = slack_sandbox.add_user(name="ada")
    first = await client.conversations_open(users=ada.id)
    second = await client.conversations_open(users=ada.id)
    assert first["channel"]["id"] == second["channel"]["id"]
    assert "already_open" not in first.data
    assert second["already_open"] is True


async def test_chat_update_changes_the_stored_blocks(
    slack_sandbox: SlackSandbox, client: AsyncWebClient
) -> None:
    ada = slack_sandbox.add_user(name="ada")
    posted = await client.chat_postMessage(channel=ada.id, text="q", blocks=_buttons(2))
    done = [{"type": "section", "text": {"type": "mrkdwn", "text": "Thanks!"}}]
    updated = await client.chat_update(
        channel=posted["channel"], ts=posted["ts"], text="thanks", blocks=done
    )
    assert updated["ts"] == posted["ts"]
    assert updated["text"] == "thanks"
    [message] = slack_sandbox.received(ada.id)["messages"]
    assert message["blocks"][0]["text"]["text"] == "Thanks!"
    assert message["text"] == "thanks"


async def test_post_ephemeral_reaches_only_that_user(
    slack_sandbox: SlackSandbox, client: AsyncWebClient
) -> None:
    ada = slack_sandbox.add_user(name="ada")
    bob = slack_sandbox.add_user(name="bob")
    hr = slack_sandbox.add_channel(name="hr")
    response = await client.chat_postEphemeral(channel=hr.id, user=ada.id, text="just you")
    assert response["message_ts"]
    assert [m["text"] for m in slack_sandbox.received(ada.id)["ephemeral"]] == ["just you"]
    assert slack_sandbox.received(bob.id)["ephemeral"] == []
    assert slack_sandbox.history(hr.id)["messages"] == []


async def test_users_list_pagination_walks_every_page(
    slack_sandbox: SlackSandbox, client: AsyncWebClient
) -> None:
    for i in range(7):
        slack_sandbox.add_user(name=f"person{i}", tz="America/New_York", locale="de-DE")
    seen: list[str] = []
    pages = 0
    async for page in await client.users_list(limit=3, include_locale=True):
        pages += 1
        seen.extend(member["id"] for member in page["members"])
        assert len(page["members"]) <= 3
    assert pages == 3  # 8 members (7 + the bot) in pages of 3
    assert sorted(seen) == sorted(slack_sandbox.workspace.users)
    first = (await client.users_list(limit=3))["response_metadata"]["next_cursor"]
    assert first != ""


async def test_users_info_carries_time_zone_and_locale(
    slack_sandbox: SlackSandbox, client: AsyncWebClient
) -> None:
    guest = slack_sandbox.add_user(
        name="gus", tz="America/New_York", locale="de-DE", is_restricted=True
    )
    user = (await client.users_info(user=guest.id, include_locale=True))["user"]
    assert user["tz"] == "America/New_York"
    assert user["tz_offset"] in (-5 * 3600, -4 * 3600)
    assert user["locale"] == "de-DE"
    assert user["is_restricted"] is True


async def test_conversations_info_reports_membership(
    slack_sandbox: SlackSandbox, client: AsyncWebClient
) -> None:
    leaders = slack_sandbox.add_channel(name="leadership", bot_member=True)
    info = (await client.conversations_info(channel=leaders.id))["channel"]
    assert info["name"] == "leadership"
    assert info["is_member"] is True


async def test_views_publish_then_open_then_update(
    slack_sandbox: SlackSandbox, client: AsyncWebClient
) -> None:
    ada = slack_sandbox.add_user(name="ada")
    home = {
        "type": "home",
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "Hi"}}],
    }
    published = await client.views_publish(user_id=ada.id, view=home)
    assert published["view"]["type"] == "home"
    assert slack_sandbox.received(ada.id)["home"]["blocks"][0]["text"]["text"] == "Hi"
    trigger = slack_sandbox.workspace.issue_trigger(ada.id)
    modal = {
        "type": "modal",
        "callback_id": "comment",
        "title": {"type": "plain_text", "text": "Comment"},
        "blocks": [],
    }
    opened = await client.views_open(trigger_id=trigger, view=modal)
    view_id = opened["view"]["id"]
    with pytest.raises(SlackApiError) as reused:
        await client.views_open(trigger_id=trigger, view=modal)
    assert reused.value.response["error"] == "exchanged_trigger_id"
    modal["title"] = {"type": "plain_text", "text": "Updated"}
    updated = await client.views_update(view_id=view_id, view=modal, hash=opened["view"]["hash"])
    assert updated["view"]["title"]["text"] == "Updated"
    with pytest.raises(SlackApiError) as stale:
        await client.views_update(view_id=view_id, view=modal, hash=opened["view"]["hash"])
    assert stale.value.response["error"] == "hash_conflict"
    assert slack_sandbox.received(ada.id)["views"][0]["title"]["text"] == "Updated"


async def _error_of(call: Any) -> str:
    with pytest.raises(SlackApiError) as caught:
        await call
    return str(caught.value.response["error"])


async def test_token_errors(slack_sandbox: SlackSandbox) -> None:
    none = AsyncWebClient(base_url=slack_sandbox.api_url)
    wrong = AsyncWebClient(token="xoxb-wrong", base_url=slack_sandbox.api_url)
    app_level = AsyncWebClient(token=slack_sandbox.app_token, base_url=slack_sandbox.api_url)
    assert await _error_of(none.auth_test()) == "not_authed"
    assert await _error_of(wrong.auth_test()) == "invalid_auth"
    assert await _error_of(app_level.auth_test()) == "not_allowed_token_type"
    bot = AsyncWebClient(token=slack_sandbox.bot_token, base_url=slack_sandbox.api_url)
    assert await _error_of(bot.apps_connections_open(app_token=slack_sandbox.bot_token)) == (
        "not_allowed_token_type"
    )
    # the token may also travel as a form parameter instead of the header
    assert (await bot.api_call("auth.test", data={"token": slack_sandbox.bot_token}))["ok"]


async def test_slack_errors_reach_the_client(
    slack_sandbox: SlackSandbox, client: AsyncWebClient
) -> None:
    ada = slack_sandbox.add_user(name="ada")
    outside = slack_sandbox.add_channel(name="random", bot_member=False)
    assert await _error_of(client.chat_postMessage(channel="C404", text="x")) == (
        "channel_not_found"
    )
    assert await _error_of(client.chat_postMessage(channel=outside.id, text="x")) == (
        "not_in_channel"
    )
    assert await _error_of(client.users_info(user="U404")) == "user_not_found"
    assert await _error_of(client.conversations_open(users="U404")) == "user_not_found"
    assert await _error_of(client.conversations_info(channel="C404")) == "channel_not_found"
    posted = await client.chat_postMessage(channel=ada.id, text="x")
    assert await _error_of(
        client.chat_update(channel=posted["channel"], ts="1.000001", text="y")
    ) == ("message_not_found")
    dm = posted["channel"]
    theirs = slack_sandbox.workspace
    from pulse_mirror.sandbox.slack.state import Message

    theirs.messages.append(Message(channel=dm, ts="1700000000.000009", user=ada.id, text="mine"))
    assert await _error_of(client.chat_update(channel=dm, ts="1700000000.000009", text="z")) == (
        "cant_update_message"
    )


@pytest.mark.parametrize(
    ("blocks", "pointer"),
    [
        ([{"type": "divider"}] * 51, "/blocks"),
        (_buttons(26), "/blocks/0/elements"),
        (
            [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}],
            "/blocks/0/text/text",
        ),
        (_buttons(1, text="x" * 76), "/blocks/0/elements/0/text/text"),
        (_buttons(1, value="x" * 2001), "/blocks/0/elements/0/value"),
    ],
)
async def test_blocks_beyond_slack_limits_are_invalid_blocks(
    slack_sandbox: SlackSandbox, client: AsyncWebClient, blocks: list[Any], pointer: str
) -> None:
    ada = slack_sandbox.add_user(name="ada")
    with pytest.raises(SlackApiError) as caught:
        await client.chat_postMessage(channel=ada.id, text="x", blocks=blocks)
    assert caught.value.response["error"] == "invalid_blocks"
    assert any(f"[json-pointer:{pointer}]" in e for e in caught.value.response["errors"])
    assert slack_sandbox.received(ada.id)["messages"] == []


async def test_blocks_at_the_limits_are_accepted(
    slack_sandbox: SlackSandbox, client: AsyncWebClient
) -> None:
    ada = slack_sandbox.add_user(name="ada")
    await client.chat_postMessage(channel=ada.id, text="x", blocks=[{"type": "divider"}] * 50)
    await client.chat_postMessage(channel=ada.id, text="x", blocks=_buttons(25, text="x" * 75))
    assert len(slack_sandbox.received(ada.id)["messages"]) == 2


async def test_modals_allow_100_blocks_but_not_101(
    slack_sandbox: SlackSandbox, client: AsyncWebClient
) -> None:
    ada = slack_sandbox.add_user(name="ada")
    view = {"type": "home", "blocks": [{"type": "divider"}] * 100}
    await client.views_publish(user_id=ada.id, view=view)
    view["blocks"] = [{"type": "divider"}] * 101
    assert await _error_of(client.views_publish(user_id=ada.id, view=view)) == "invalid_blocks"


async def test_form_encoded_blocks_are_accepted(
    slack_sandbox: SlackSandbox, client: AsyncWebClient
) -> None:
    ada = slack_sandbox.add_user(name="ada")
    import json

    response = await client.api_call(
        "chat.postMessage",
        data={"channel": ada.id, "text": "form", "blocks": json.dumps(_buttons(1))},
    )
    assert response["ok"] is True
    assert slack_sandbox.received(ada.id)["messages"][0]["blocks"][0]["block_id"] == "answer"


async def test_conversations_list_pages_and_hides_private_channels_without_the_bot(
    slack_sandbox: SlackSandbox, client: AsyncWebClient
) -> None:
    for n in range(5):
        slack_sandbox.add_channel(name=f"open-{n}")
    slack_sandbox.add_channel(name="secret", is_private=True, bot_member=False)
    slack_sandbox.add_channel(name="inner", is_private=True, bot_member=True)

    names: list[str] = []
    cursor = None
    while True:
        page = await client.conversations_list(
            types="public_channel,private_channel", limit=2, cursor=cursor
        )
        assert len(page["channels"]) <= 2
        names += [c["name"] for c in page["channels"]]
        cursor = page["response_metadata"]["next_cursor"]
        if not cursor:
            break
    assert sorted(names) == ["inner", "open-0", "open-1", "open-2", "open-3", "open-4"]
    public = await client.conversations_list()
    assert "inner" not in [c["name"] for c in public["channels"]]
    for bad in ({"types": "everything"}, {"cursor": "bm90LWEtY3Vyc29y"}):
        with pytest.raises(SlackApiError) as refused:
            await client.conversations_list(**bad)
        assert refused.value.response["error"] in {"invalid_types", "invalid_cursor"}


async def test_a_file_is_shared_only_to_a_channel_id_not_a_name(
    slack_sandbox: SlackSandbox, client: AsyncWebClient
) -> None:
    channel = slack_sandbox.add_channel(name="leadership")
    with pytest.raises(SlackApiError) as refused:
        await client.files_upload_v2(channel="#leadership", content="x", filename="a.txt")
    assert refused.value.response["error"] == "channel_not_found"
    await client.files_upload_v2(channel=channel.id, content="x", filename="a.txt")
    assert len(slack_sandbox.history(channel.id)["files"]) == 1
