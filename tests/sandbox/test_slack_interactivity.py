"""Acting as a person over HTTP: signed payloads pass Bolt's verification, forged ones fail."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from pulse_mirror.sandbox.slack import Signing, SlackSandbox

MODAL = {
    "type": "modal",
    "callback_id": "comment",
    "title": {"type": "plain_text", "text": "One thing to change"},
    "submit": {"type": "plain_text", "text": "Send"},
    "blocks": [
        {
            "type": "input",
            "block_id": "comment",
            "label": {"type": "plain_text", "text": "Comment"},
            "element": {"type": "plain_text_input", "action_id": "text"},
        },
        {
            "type": "input",
            "block_id": "mood",
            "label": {"type": "plain_text", "text": "Mood"},
            "element": {
                "type": "static_select",
                "action_id": "pick",
                "options": [
                    {"text": {"type": "plain_text", "text": "Good"}, "value": "good"},
                    {"text": {"type": "plain_text", "text": "Bad"}, "value": "bad"},
                ],
            },
        },
    ],
}


@dataclass
class Seen:
    """What the Bolt app's listeners saw."""

    clicks: list[dict[str, Any]] = field(default_factory=list)
    retries: list[str | None] = field(default_factory=list)
    submissions: list[dict[str, Any]] = field(default_factory=list)
    homes: list[dict[str, Any]] = field(default_factory=list)
    home_published: asyncio.Event = field(default_factory=asyncio.Event)


@dataclass
class Bot:
    seen: Seen
    client: AsyncWebClient


@pytest_asyncio.fixture
async def bot(slack_sandbox: SlackSandbox) -> AsyncIterator[Bot]:
    client = AsyncWebClient(token=slack_sandbox.bot_token, base_url=slack_sandbox.api_url)
    app = AsyncApp(client=client, signing_secret=slack_sandbox.signing_secret)
    seen = Seen()

    @app.action("answer")
    async def on_answer(ack: Any, body: dict[str, Any], request: Any) -> None:
        await ack()
        seen.clicks.append(body)
        seen.retries.append(request.headers.get("x-slack-retry-num", [None])[0])

    @app.action("thanks")
    async def on_thanks(ack: Any, respond: Any) -> None:
        await ack()
        await respond(replace_original=True, text="Thank you!")

    @app.action("comment")
    async def on_comment(ack: Any, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        await client.views_open(trigger_id=body["trigger_id"], view=MODAL)

    @app.view("comment")
    async def on_submit(ack: Any, view: dict[str, Any]) -> None:
        seen.submissions.append(view)
        text = view["state"]["values"]["comment"]["text"]["value"]
        if len(text) < 5:
            await ack(response_action="errors", errors={"comment": "Please write a bit more"})
        else:
            await ack()

    @app.event("app_home_opened")
    async def on_home(event: dict[str, Any], client: AsyncWebClient) -> None:
        seen.homes.append(event)
        await client.views_publish(
            user_id=event["user"],
            view={
                "type": "home",
                "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "Paused: no"}}],
            },
        )
        seen.home_published.set()

    runner = web.AppRunner(app.web_app(), shutdown_timeout=0.2)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    slack_sandbox.request_url = f"http://127.0.0.1:{port}/slack/events"
    try:
        yield Bot(seen=seen, client=client)
    finally:
        await runner.cleanup()


def _question(action_id: str = "answer") -> list[dict[str, Any]]:
    return [
        {"type": "section", "block_id": "q", "text": {"type": "mrkdwn", "text": "How easy?"}},
        {
            "type": "actions",
            "block_id": "scale",
            "elements": [
                {
                    "type": "button",
                    "action_id": action_id,
                    "value": str(v),
                    "text": {"type": "plain_text", "text": str(v)},
                }
                for v in range(1, 6)
            ],
        },
    ]


async def test_a_click_passes_bolts_verification_and_reaches_the_listener(
    slack_sandbox: SlackSandbox, bot: Bot
) -> None:
    ada = slack_sandbox.add_user(name="ada")
    posted = await bot.client.chat_postMessage(channel=ada.id, text="q", blocks=_question())
    reply = await slack_sandbox.click(ada.id, action_id="answer", value="4")
    assert reply.status == 200
    assert reply.via == "http"
    [body] = bot.seen.clicks
    assert body["type"] == "block_actions"
    assert body["user"]["id"] == ada.id
    assert body["actions"][0]["value"] == "4"
    assert body["actions"][0]["block_id"] == "scale"
    assert body["container"]["message_ts"] == posted["ts"]
    assert body["message"]["blocks"][1]["elements"][3]["value"] == "4"
    assert bot.seen.retries == [None]


@pytest.mark.parametrize(
    "signing",
    [Signing(secret="not-the-secret"), Signing(age=600), Signing(tamper=True)],
    ids=["wrong-secret", "stale-timestamp", "tampered-body"],
)
async def test_forged_requests_get_401_and_the_listener_never_runs(
    slack_sandbox: SlackSandbox, bot: Bot, signing: Signing
) -> None:
    ada = slack_sandbox.add_user(name="ada")
    await bot.client.chat_postMessage(channel=ada.id, text="q", blocks=_question())
    reply = await slack_sandbox.click(ada.id, action_id="answer", value="2", signing=signing)
    assert reply.status == 401
    assert bot.seen.clicks == []


async def test_a_replay_carries_slacks_retry_headers(slack_sandbox: SlackSandbox, bot: Bot) -> None:
    ada = slack_sandbox.add_user(name="ada")
    await bot.client.chat_postMessage(channel=ada.id, text="q", blocks=_question())
    first = await slack_sandbox.click(ada.id, action_id="answer", value="5")
    again = await slack_sandbox.replay(first, retry_num=1, reason="http_timeout")
    assert again.status == 200
    assert bot.seen.retries == [None, "1"]
    assert bot.seen.clicks[0]["actions"] == bot.seen.clicks[1]["actions"]


async def test_clicking_a_button_the_user_never_received_is_refused(
    slack_sandbox: SlackSandbox, bot: Bot
) -> None:
    ada, bob = slack_sandbox.add_user(name="ada"), slack_sandbox.add_user(name="bob")
    await bot.client.chat_postMessage(channel=ada.id, text="q", blocks=_question())
    with pytest.raises(LookupError):
        await slack_sandbox.click(bob.id, action_id="answer", value="1")
    assert bot.seen.clicks == []


async def test_respond_through_the_response_url_replaces_the_message(
    slack_sandbox: SlackSandbox, bot: Bot
) -> None:
    ada = slack_sandbox.add_user(name="ada")
    await bot.client.chat_postMessage(channel=ada.id, text="q", blocks=_question("thanks"))
    await slack_sandbox.click(ada.id, action_id="thanks", value="3")
    [message] = slack_sandbox.received(ada.id)["messages"]
    assert message["text"] == "Thank you!"
    assert "blocks" not in message


async def test_a_modal_opened_from_a_click_is_submitted_with_state_values(
    slack_sandbox: SlackSandbox, bot: Bot
) -> None:
    ada = slack_sandbox.add_user(name="ada")
    await bot.client.chat_postMessage(channel=ada.id, text="q", blocks=_question("comment"))
    await slack_sandbox.click(ada.id, action_id="comment", value="1")
    [modal] = slack_sandbox.received(ada.id)["views"]
    short = await slack_sandbox.submit_view(
        ada.id, modal["id"], {"comment": {"text": "meh"}, "mood": {"pick": "bad"}}
    )
    assert short.status == 200
    assert short.json() == {
        "response_action": "errors",
        "errors": {"comment": "Please write a bit more"},
    }
    state = bot.seen.submissions[0]["state"]["values"]
    assert state["comment"]["text"] == {"type": "plain_text_input", "value": "meh"}
    assert state["mood"]["pick"]["selected_option"]["value"] == "bad"
    assert slack_sandbox.received(ada.id)["views"][0]["closed"] is False
    long = await slack_sandbox.submit_view(
        ada.id, modal["id"], {"comment": {"text": "answer faster"}, "mood": {"pick": "good"}}
    )
    assert long.status == 200
    assert slack_sandbox.received(ada.id)["views"][0]["closed"] is True


async def test_opening_the_app_home_sends_the_event(slack_sandbox: SlackSandbox, bot: Bot) -> None:
    ada = slack_sandbox.add_user(name="ada")
    reply = await slack_sandbox.open_home(ada.id)
    assert reply.status == 200
    # Bolt acks events at once and runs the listener afterwards
    await asyncio.wait_for(bot.seen.home_published.wait(), timeout=10)
    [event] = bot.seen.homes
    assert event["type"] == "app_home_opened"
    assert event["tab"] == "home"
    home = slack_sandbox.received(ada.id)["home"]
    assert home["blocks"][0]["text"]["text"] == "Paused: no"


async def test_a_response_url_works_five_times_within_thirty_minutes(
    slack_sandbox: SlackSandbox, bot: Bot
) -> None:
    ada = slack_sandbox.add_user(name="ada")
    await bot.client.chat_postMessage(channel=ada.id, text="q", blocks=_question())
    for _ in range(2):
        await slack_sandbox.click(ada.id, action_id="answer", value="2")
    first, second = (click["response_url"] for click in bot.seen.clicks)
    async with aiohttp.ClientSession() as session:

        async def respond(url: str) -> int:
            async with session.post(url, json={"replace_original": True, "text": "ok"}) as got:
                return got.status

        assert [await respond(first) for _ in range(6)] == [200] * 5 + [404]
        started = slack_sandbox.person.now()
        slack_sandbox.person.now = lambda: started + 30 * 60 + 1
        assert await respond(second) == 404
