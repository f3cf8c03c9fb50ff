"""The stand-in behaves like Slack where it matters: Grid orgs, App Home actions, the URL
check, event retries and trigger_ids."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from aiohttp import web
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from pulse_mirror.sandbox.slack import SlackSandbox
from pulse_mirror.sandbox.slack.ids import ENTERPRISE_ID, TEAM_ID
from tests.sandbox.test_slack_payload_shapes import assert_same_shape

Answer = Callable[[dict[str, Any]], Awaitable[web.StreamResponse]]
MODAL = {"type": "modal", "title": {"type": "plain_text", "text": "Comment"}, "blocks": []}
HOME = {
    "type": "home",
    "blocks": [
        {
            "type": "actions",
            "block_id": "home_controls",
            "elements": [
                {
                    "type": "static_select",
                    "action_id": "home_pause",
                    "placeholder": {"type": "plain_text", "text": "Pause for…"},
                    "options": [
                        {"text": {"type": "plain_text", "text": f"{w} weeks"}, "value": str(w)}
                        for w in (1, 2)
                    ],
                },
                {
                    "type": "button",
                    "action_id": "home_opt_out",
                    "text": {"type": "plain_text", "text": "Opt out"},
                    "value": "opt_out",
                    "style": "danger",
                },
            ],
        },
        {
            "type": "section",
            "block_id": "more",
            "text": {"type": "mrkdwn", "text": "More"},
            "accessory": {
                "type": "overflow",
                "action_id": "more",
                "options": [{"text": {"type": "plain_text", "text": "Help"}, "value": "help"}],
            },
        },
    ],
}


class Bot:
    """A bare endpoint: records each request (headers and JSON body) and answers as told."""

    def __init__(self) -> None:
        self.seen: list[tuple[dict[str, str], dict[str, Any]]] = []
        self.answers: list[Answer] = []

    async def handle(self, request: web.Request) -> web.StreamResponse:
        raw = (await request.read()).decode()
        if request.content_type == "application/x-www-form-urlencoded":
            body = json.loads((await request.post())["payload"])  # type: ignore[arg-type]
        else:
            body = json.loads(raw)
        self.seen.append((dict(request.headers), body))
        if self.answers:
            return await self.answers.pop(0)(body)
        return web.Response(status=200)


@pytest_asyncio.fixture
async def bot(slack_sandbox: SlackSandbox) -> AsyncIterator[Bot]:
    endpoint = Bot()
    app = web.Application()
    app.router.add_post("/slack/events", endpoint.handle)
    runner = web.AppRunner(app, shutdown_timeout=0.2)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    slack_sandbox.request_url = f"http://127.0.0.1:{runner.addresses[0][1]}/slack/events"
    try:
        yield endpoint
    finally:
        await runner.cleanup()


def _client(sandbox: SlackSandbox) -> AsyncWebClient:
    return AsyncWebClient(token=sandbox.bot_token, base_url=sandbox.api_url)


# 1. Enterprise Grid ------------------------------------------------------------------------


async def test_a_grid_org_sends_enterprise_fields_in_clicks_events_and_auth_test(
    slack_sandbox: SlackSandbox, bot: Bot
) -> None:
    slack_sandbox.run_as_grid()
    client = _client(slack_sandbox)
    ada = slack_sandbox.add_user(name="ada", team_id="T0OTHER")
    button = {"type": "button", "action_id": "answer", "text": {"type": "plain_text", "text": "4"}}
    await client.chat_postMessage(
        channel=ada.id, text="q", blocks=[{"type": "actions", "elements": [button]}]
    )
    await slack_sandbox.click(ada.id, action_id="answer")
    [(_, click)] = bot.seen
    assert ada.id.startswith("W")  # Grid members are W-users
    assert click["enterprise"] == {"id": ENTERPRISE_ID, "name": "Sandbox Org"}
    assert click["team"]["id"] == TEAM_ID and click["team"]["enterprise_id"] == ENTERPRISE_ID
    assert click["user"]["team_id"] == "T0OTHER" != click["team"]["id"]
    assert click["is_enterprise_install"] is False
    assert_same_shape("block_actions_grid.json", click, ["", "team", "enterprise", "user"])
    assert (await client.auth_test())["enterprise_id"] == ENTERPRISE_ID

    slack_sandbox.run_as_grid(org_install=True)
    await slack_sandbox.open_home(ada.id)
    await slack_sandbox.click(ada.id, action_id="answer")
    event, org_click = bot.seen[1][1], bot.seen[2][1]
    assert event["enterprise_id"] == ENTERPRISE_ID
    assert event["authorizations"] == [
        {
            "enterprise_id": ENTERPRISE_ID,
            "team_id": None,
            "user_id": "U0SANDBOT",
            "is_bot": True,
            "is_enterprise_install": True,
        }
    ]
    assert org_click["team"] is None and org_click["is_enterprise_install"] is True
    assert (await client.auth_test())["is_enterprise_install"] is True


async def test_the_control_api_turns_the_workspace_into_a_grid_org(
    slack_sandbox: SlackSandbox,
) -> None:
    async with aiohttp.ClientSession() as http:
        url = slack_sandbox.control_url + "org"
        async with http.put(url, json={"org_install": True}) as response:
            assert response.status == 200
            assert (await response.json())["org"]["org_install"] is True
        async with http.put(url, json={"grid": False, "org_install": True}) as refused:
            assert refused.status == 400  # an org-wide install needs a Grid org
    assert slack_sandbox.org.grid and slack_sandbox.org.org_install


# 2. App Home actions -----------------------------------------------------------------------


async def test_app_home_actions_come_from_the_view_not_a_message(
    slack_sandbox: SlackSandbox, bot: Bot
) -> None:
    ada = slack_sandbox.add_user(name="ada")
    home = (await _client(slack_sandbox).views_publish(user_id=ada.id, view=HOME))["view"]

    await slack_sandbox.act_on_home(ada.id, action_id="home_pause", value="2")
    await slack_sandbox.act_on_home(ada.id, action_id="home_opt_out")
    await slack_sandbox.act_on_home(ada.id, action_id="more", value="help")

    select, button, overflow = (body for _, body in bot.seen)
    for body in (select, button, overflow):
        assert body["container"] == {"type": "view", "view_id": home["id"]}
        assert body["view"]["type"] == "home" and body["view"]["id"] == home["id"]
        assert not {"message", "channel", "response_url"} & set(body)
    [picked] = select["actions"]
    assert picked["type"] == "static_select"
    assert picked["selected_option"] == HOME["blocks"][0]["elements"][0]["options"][1]  # type: ignore[index]
    assert select["view"]["state"]["values"]["home_controls"]["home_pause"] == {
        "type": "static_select",
        "selected_option": picked["selected_option"],
    }
    assert button["actions"][0]["value"] == "opt_out" and button["actions"][0]["style"] == "danger"
    assert overflow["actions"][0]["type"] == "overflow"
    assert overflow["actions"][0]["selected_option"]["value"] == "help"
    assert_same_shape(
        "block_actions_home_select.json", select, ["", "container", "view", "actions/0"]
    )
    with pytest.raises(LookupError):
        await slack_sandbox.act_on_home(ada.id, action_id="home_pause", value="99")


# 3. url_verification ----------------------------------------------------------------------


def _echo(form: str) -> Answer:
    async def answer(body: dict[str, Any]) -> web.StreamResponse:
        challenge = body["challenge"]
        if form == "json":
            return web.json_response({"challenge": challenge})
        if form == "form":
            return web.Response(text=f"challenge={challenge}")
        if form == "wrong":
            return web.Response(text="hello")
        return web.Response(text=challenge, content_type="text/plain")

    return answer


@pytest.mark.parametrize("form", ["text", "json", "form"])
async def test_a_request_url_that_echoes_the_challenge_is_accepted(
    slack_sandbox: SlackSandbox, bot: Bot, form: str
) -> None:
    url = slack_sandbox.request_url
    assert url is not None
    slack_sandbox.request_url = None
    bot.answers.append(_echo(form))

    check = await slack_sandbox.verify_request_url(url)

    assert check.verified and slack_sandbox.request_url == url
    [(headers, body)] = bot.seen
    assert body["type"] == "url_verification" and body["challenge"] == check.challenge
    assert headers["X-Slack-Signature"].startswith("v0=")


async def test_a_request_url_that_does_not_echo_is_refused(
    slack_sandbox: SlackSandbox, bot: Bot
) -> None:
    url = slack_sandbox.request_url
    slack_sandbox.request_url = None
    bot.answers.append(_echo("wrong"))
    async with (
        aiohttp.ClientSession() as http,
        http.put(
            slack_sandbox.control_url + "request_url", json={"url": url, "verify": True}
        ) as response,
    ):
        found = await response.json()
    assert found["ok"] is False and found["verification"]["body"] == "hello"
    assert slack_sandbox.request_url is None


# 4. Event retries -------------------------------------------------------------------------


def _status(code: int, **headers: str) -> Answer:
    async def answer(body: dict[str, Any]) -> web.StreamResponse:
        return web.Response(status=code, headers=headers)

    return answer


def _late(seconds: float) -> Answer:
    async def answer(body: dict[str, Any]) -> web.StreamResponse:
        await asyncio.sleep(seconds)
        return web.Response(status=200)

    return answer


async def test_an_event_answered_with_an_error_is_retried_three_times(
    slack_sandbox: SlackSandbox, bot: Bot
) -> None:
    ada = slack_sandbox.add_user(name="ada")
    bot.answers.extend([_status(500)] * 4)

    reply = await slack_sandbox.open_home(ada.id)

    assert reply.status == 500
    [delivery] = slack_sandbox.event_deliveries
    assert not delivery.delivered
    assert [(a.retry_num, a.retry_reason, a.waited) for a in delivery.attempts] == [
        (0, None, 0.0),
        (1, "http_error", 0.0),
        (2, "http_error", 60.0),
        (3, "http_error", 300.0),
    ]
    retries = [(h.get("X-Slack-Retry-Num"), h.get("X-Slack-Retry-Reason")) for h, _ in bot.seen]
    assert retries == [(None, None), ("1", "http_error"), ("2", "http_error"), ("3", "http_error")]
    assert len({body["event_id"] for _, body in bot.seen}) == 1  # the same event each time


async def test_a_late_answer_is_retried_as_http_timeout_and_no_retry_stops_it(
    slack_sandbox: SlackSandbox, bot: Bot
) -> None:
    ada = slack_sandbox.add_user(name="ada")
    slack_sandbox.person.event_timeout = 0.2
    bot.answers.extend([_late(0.5), _status(200)])
    assert (await slack_sandbox.open_home(ada.id)).status == 200
    late = slack_sandbox.event_deliveries[0]
    assert [(a.retry_num, a.failure) for a in late.attempts] == [(0, "http_timeout"), (1, None)]
    assert bot.seen[1][0]["X-Slack-Retry-Reason"] == "http_timeout"

    bot.answers.append(_status(503, **{"X-Slack-No-Retry": "1"}))
    assert (await slack_sandbox.open_home(ada.id)).status == 503
    assert len(slack_sandbox.event_deliveries[1].attempts) == 1

    slack_sandbox.request_url = "http://127.0.0.1:9/slack/events"  # nobody listens
    assert (await slack_sandbox.open_home(ada.id)).status == 0
    refused = slack_sandbox.event_deliveries[2]
    assert [a.failure for a in refused.attempts] == ["connection_failed"] * 4


# 5. trigger_ids ---------------------------------------------------------------------------


async def _open(client: AsyncWebClient, trigger: str) -> str:
    try:
        await client.views_open(trigger_id=trigger, view=MODAL)
    except SlackApiError as error:
        return str(error.response["error"])
    return "ok"


async def test_trigger_ids_are_checked_like_slack_checks_them() -> None:
    now = [1_700_000_000.0]
    sandbox = SlackSandbox(wall=lambda: now[0])
    await sandbox.start()
    try:
        client = _client(sandbox)
        ada = sandbox.add_user(name="ada")
        recorded = "1388105719492.1379717998065.9bc163894734c1f415a2c504e81dec91"
        assert await _open(client, recorded) == "ok"  # not issued here, but Slack's format
        assert await _open(client, recorded) == "exchanged_trigger_id"
        for malformed in ("12345", "111.222.valid", "a.b.c", "1.2.3 OR 1=1"):
            assert await _open(client, malformed) == "invalid_trigger_id"
        issued = sandbox.workspace.issue_trigger(ada.id)
        assert sandbox.workspace.triggers.redeem(issued) == ada.id  # issued ones are well-formed
        late = sandbox.workspace.issue_trigger(ada.id)
        now[0] += 3.5
        assert await _open(client, late) == "expired_trigger_id"
    finally:
        await sandbox.stop()
