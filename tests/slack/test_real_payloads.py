"""Recorded Slack payloads replayed, signed, through the bot's real HTTP endpoint.

Each payload is a real shape (tests/payloads/slack/, each citing its source) with only the
ids of live things put in: Enterprise Grid clicks and submissions, App Home actions, the
Request URL check, and an event with Slack's retry headers.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from pulse_mirror.sandbox.faults import Fault
from pulse_mirror.sandbox.slack.events import echoed
from pulse_mirror.sandbox.slack.state import User
from pulse_mirror.slack.blocks import ANSWER_PATTERN, COMMENT, HOME_PAUSE, SKIP
from pulse_mirror.surveys.callbacks import Choice, CommentRequest, Skip, parse
from pulse_mirror.surveys.model import PersonStatus, Platform, Side
from tests.reads import answer_histograms, read_comments
from tests.slack.conftest import SlackBot
from tests.slack.recorded import RECORDED_TOKEN, fitted, load, post, with_token
from tests.slack.support import WEEK, Delivered, add_employee, eventually


def _url(bot: SlackBot) -> str:
    assert bot.sandbox.request_url is not None
    return bot.sandbox.request_url


def _publishes(bot: SlackBot, user: User) -> int:
    return sum(
        1 for c in bot.sandbox.calls if c.method == "views.publish" and c.args["user_id"] == user.id
    )


async def _status(bot: SlackBot, user: User) -> PersonStatus:
    person = await bot.repository.find_person(platform=Platform.SLACK, platform_user_id=user.id)
    assert person is not None
    return person.status


def _home(bot: SlackBot, user: User) -> str:
    return str((bot.sandbox.received(user.id)["home"] or {}).get("blocks"))


# --- the fixtures speak the bot's own button format ------------------------------------


@pytest.mark.parametrize("name", ["block_actions.json", "block_actions_grid.json"])
def test_recorded_button_values_parse_with_the_bots_own_parser(name: str) -> None:
    payload = load(name)
    elements = [e for b in payload["message"]["blocks"] for e in b["elements"]]
    for element in [*payload["actions"], *elements]:
        callback = parse(element["value"])  # raises InvalidCallback if the format drifted
        action_id = element["action_id"]
        if isinstance(callback, Choice):
            assert re.fullmatch(ANSWER_PATTERN, action_id)
            assert action_id.endswith(f"_{callback.value}")
        elif isinstance(callback, Skip):
            assert action_id == SKIP
        else:
            assert isinstance(callback, CommentRequest) and action_id == COMMENT
        assert callback.token == RECORDED_TOKEN
    [clicked] = payload["actions"]
    assert isinstance(parse(clicked["value"]), Choice)


def test_the_recorded_comment_submission_names_a_delivery_the_way_the_bot_does() -> None:
    meta = json.loads(load("view_submission_grid.json")["view"]["private_metadata"])
    assert parse(f"c:{meta['t']}") == CommentRequest(RECORDED_TOKEN)


# --- Enterprise Grid ----------------------------------------------------------------------


def _click(bot: SlackBot, user: User, sent: Delivered) -> dict[str, Any]:
    message = bot.message(user)
    channel, ts = message["channel"], message["ts"]
    return fitted(
        with_token(load("block_actions_grid.json"), sent.token),
        user__id=user.id,
        container__channel_id=channel,
        container__message_ts=ts,
        channel__id=channel,
        message__ts=ts,
        response_url=bot.sandbox.response_url(user.id, channel=channel, ts=ts),
    )


@pytest.mark.parametrize(
    "variant",
    ["workspace-install", "org-wide-install", "member-of-another-workspace"],
)
async def test_a_grid_click_is_stored_and_confirmed(slack_bot: SlackBot, variant: str) -> None:
    slack_bot.sandbox.run_as_grid(org_install=variant == "org-wide-install")
    ada = slack_bot.sandbox.add_user(name="ada")
    sent = await slack_bot.send(ada)
    payload = _click(slack_bot, ada, sent)
    if variant == "org-wide-install":  # Slack: team may be null for an org-wide app
        payload = fitted(payload, team=None, is_enterprise_install=True)
    if variant == "member-of-another-workspace":
        payload = fitted(payload, user__team_id="T222")

    answer = await post(_url(slack_bot), payload, interactive=True)

    assert answer.status == 200
    assert slack_bot.runtime.intake is not None
    await slack_bot.runtime.intake.drain()
    assert await answer_histograms(slack_bot.repository, WEEK, Side.EMPLOYEE) == {
        "effort.employee": {4: 1}
    }
    assert "white_check_mark" in str(slack_bot.message(ada)["blocks"])


async def test_a_grid_comment_submission_is_stored(slack_bot: SlackBot) -> None:
    slack_bot.sandbox.run_as_grid()
    ada = slack_bot.sandbox.add_user(name="ada")
    sent = await slack_bot.send(ada)
    message = slack_bot.message(ada)
    meta = {"t": sent.token, "c": message["channel"], "m": message["ts"]}
    payload = fitted(
        load("view_submission_grid.json"), user__id=ada.id, view__private_metadata=json.dumps(meta)
    )

    answer = await post(_url(slack_bot), payload, interactive=True)

    assert answer.status == 200 and answer.body == ""  # a plain ack closes the modal
    [stored] = await read_comments(slack_bot.repository, WEEK, Side.EMPLOYEE)
    assert stored.text == "Answer tickets faster"


async def test_a_grid_org_install_app_home_opened_publishes_the_home(slack_bot: SlackBot) -> None:
    slack_bot.sandbox.run_as_grid(org_install=True)
    ada = slack_bot.sandbox.add_user(name="ada")
    await add_employee(slack_bot.repository, ada.id)
    im = slack_bot.sandbox.workspace.im_of(ada.id).id
    payload = fitted(load("app_home_opened_grid.json"), event__user=ada.id, event__channel=im)

    answer = await post(_url(slack_bot), payload, interactive=False)

    assert answer.status == 200
    assert "anonymous" in _home(slack_bot, ada)  # HTTP mode: handled before the answer


# --- App Home actions ---------------------------------------------------------------------


async def _home_opened(bot: SlackBot) -> tuple[User, str]:
    ada = bot.sandbox.add_user(name="ada")
    await add_employee(bot.repository, ada.id)
    assert (await bot.sandbox.open_home(ada.id)).status == 200
    home = bot.sandbox.received(ada.id)["home"]
    assert home is not None and HOME_PAUSE in str(home["blocks"])
    return ada, str(home["id"])


async def test_the_app_home_pause_select_pauses_and_the_resume_button_resumes(
    slack_bot: SlackBot,
) -> None:
    ada, view_id = await _home_opened(slack_bot)
    select = fitted(
        load("block_actions_home_select.json"),
        user__id=ada.id,
        container__view_id=view_id,
        view__id=view_id,
    )

    paused = await post(_url(slack_bot), select, interactive=True)

    assert paused.status == 200
    await eventually(lambda: _is(slack_bot, ada, PersonStatus.PAUSED), what="the pause")
    await eventually(lambda: _shows(slack_bot, ada, "paused until"), what="the paused home")
    button = fitted(
        load("block_actions_home_button.json"),
        user__id=ada.id,
        container__view_id=view_id,
        view__id=view_id,
    )

    resumed = await post(_url(slack_bot), button, interactive=True)

    assert resumed.status == 200
    await eventually(lambda: _is(slack_bot, ada, PersonStatus.ACTIVE), what="the resume")


async def _is(bot: SlackBot, user: User, status: PersonStatus) -> bool:
    return await _status(bot, user) is status


async def _shows(bot: SlackBot, user: User, text: str) -> bool:
    return text in _home(bot, user)


# --- the Request URL check and event retries ----------------------------------------------


async def test_the_recorded_url_verification_is_echoed(slack_bot: SlackBot) -> None:
    payload = load("url_verification.json")

    answer = await post(_url(slack_bot), payload, interactive=False)

    assert answer.status == 200
    assert echoed(answer.body, payload["challenge"])


async def test_the_stand_in_accepts_the_bots_endpoint_as_request_url(slack_bot: SlackBot) -> None:
    url = _url(slack_bot)
    slack_bot.sandbox.request_url = None

    check = await slack_bot.sandbox.verify_request_url(url)

    assert check.verified and check.status == 200
    assert slack_bot.sandbox.request_url == url


async def test_a_retried_event_is_acknowledged_and_not_applied_twice(slack_bot: SlackBot) -> None:
    ada = slack_bot.sandbox.add_user(name="ada")
    await add_employee(slack_bot.repository, ada.id)
    im = slack_bot.sandbox.workspace.im_of(ada.id).id
    payload = fitted(load("app_home_opened_grid.json"), event__user=ada.id, event__channel=im)
    first = await post(_url(slack_bot), payload, interactive=False)
    assert first.status == 200 and _publishes(slack_bot, ada) == 1

    retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    again = await post(_url(slack_bot), payload, interactive=False, headers=retry)

    assert again.status == 200
    assert _publishes(slack_bot, ada) == 1


async def test_an_event_answered_late_is_retried_with_slacks_headers(slack_bot: SlackBot) -> None:
    ada = slack_bot.sandbox.add_user(name="ada")
    await add_employee(slack_bot.repository, ada.id)
    slack_bot.sandbox.person.event_timeout = 0.5  # Slack waits 3 s; the same rule, sooner
    # views.publish hangs past the event's deadline once: the bot answers the event too late.
    slack_bot.sandbox.inject_fault("views.publish", Fault(kind="timeout", delay=1.0))

    reply = await slack_bot.sandbox.open_home(ada.id)

    assert reply.status == 200
    [delivery] = slack_bot.sandbox.event_deliveries
    tries = [(a.retry_num, a.retry_reason, a.failure) for a in delivery.attempts]
    assert tries == [(0, None, "http_timeout"), (1, "http_timeout", None)]
    # The retry is acknowledged, not run again while the first try is still at work; that try's
    # views.publish failed (504), so the home shows when the person opens it again.
    await slack_bot.sandbox.open_home(ada.id)
    await eventually(lambda: _shows(slack_bot, ada, "anonymous"), what="the home, reopened")
