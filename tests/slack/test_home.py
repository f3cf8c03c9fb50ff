"""The App Home: the anonymity promise, the status, and Pause / Resume / Opt out."""

from __future__ import annotations

from typing import Any

from pulse_mirror.sandbox.slack.delivery import Sent
from pulse_mirror.sandbox.slack.state import User
from pulse_mirror.slack.blocks import HOME_OPT_OUT, HOME_PAUSE, HOME_RESUME
from pulse_mirror.surveys.model import PersonStatus, Platform
from tests.slack.conftest import SlackBot
from tests.slack.support import add_employee, eventually


def _home_text(bot: SlackBot, user: User) -> str:
    home = bot.sandbox.received(user.id)["home"]
    return "" if home is None else str(home["blocks"])


async def _home_action(bot: SlackBot, user: User, action: dict[str, Any]) -> None:
    payload = {
        "type": "block_actions",
        "user": {"id": user.id, "username": user.name, "team_id": "T0SANDBOX"},
        "api_app_id": "A0SANDBOX",
        "token": "sandboxverificationtoken",
        "container": {"type": "view", "view_id": "V1"},
        "trigger_id": bot.sandbox.workspace.issue_trigger(user.id),
        "team": {"id": "T0SANDBOX", "domain": "sandbox"},
        "view": {"id": "V1", "type": "home"},
        "actions": [{"block_id": "home_controls", "action_ts": "1.2", **action}],
    }
    reply = await bot.sandbox.deliverer.send(Sent(kind="interactive", payload=payload))
    assert reply.status == 200


async def _status(bot: SlackBot, user: User) -> PersonStatus:
    person = await bot.repository.find_person(platform=Platform.SLACK, platform_user_id=user.id)
    assert person is not None
    return person.status


async def test_opening_the_home_shows_the_promise_the_status_and_the_next_pulse(
    slack_bot: SlackBot,
) -> None:
    ada = slack_bot.sandbox.add_user(name="ada")
    await add_employee(slack_bot.repository, ada.id)

    reply = await slack_bot.sandbox.open_home(ada.id)

    assert reply.status == 200

    async def published() -> bool:
        return "anonymous" in _home_text(slack_bot, ada)

    await eventually(published, what="the App Home")
    shown = _home_text(slack_bot, ada)
    assert "at least 5 people" in shown
    assert "Your next pulse comes Tue 24 Nov, 10:00" in shown  # Tuesdays 10:00 local
    assert HOME_PAUSE in shown and HOME_OPT_OUT in shown


async def test_pause_resume_and_opt_out_change_the_status_and_the_home(
    slack_bot: SlackBot,
) -> None:
    ada = slack_bot.sandbox.add_user(name="ada")
    await add_employee(slack_bot.repository, ada.id)

    await _home_action(
        slack_bot,
        ada,
        {"action_id": HOME_PAUSE, "type": "static_select", "selected_option": {"value": "2"}},
    )
    await eventually(lambda: _is(slack_bot, ada, "paused until"), what="the paused home")
    assert await _status(slack_bot, ada) is PersonStatus.PAUSED
    assert "Mon 7 Dec" in _home_text(slack_bot, ada)  # two weeks from Monday 23 Nov

    await _home_action(slack_bot, ada, {"action_id": HOME_RESUME, "type": "button"})
    await eventually(lambda: _is(slack_bot, ada, "*Status:* active"), what="the active home")
    assert await _status(slack_bot, ada) is PersonStatus.ACTIVE

    await _home_action(slack_bot, ada, {"action_id": HOME_OPT_OUT, "type": "button"})
    await eventually(lambda: _is(slack_bot, ada, "opted out"), what="the opted-out home")
    assert await _status(slack_bot, ada) is PersonStatus.OPTED_OUT
    assert HOME_PAUSE not in _home_text(slack_bot, ada)


async def _is(bot: SlackBot, user: User, snippet: str) -> bool:
    return snippet in _home_text(bot, user)


async def test_someone_not_on_the_roster_is_told_so(slack_bot: SlackBot) -> None:
    eve = slack_bot.sandbox.add_user(name="eve")
    await slack_bot.sandbox.open_home(eve.id)
    await eventually(lambda: _is(slack_bot, eve, "not on the pulse roster"), what="the home")
    assert HOME_RESUME not in _home_text(slack_bot, eve)
