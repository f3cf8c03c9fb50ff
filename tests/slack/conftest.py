"""A Pulse Mirror Slack bot in HTTP mode on a fresh database, talking to the Slack stand-in."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from typing import Any

import pytest_asyncio
from aiohttp import web

from pulse_mirror.config.settings import parse_config
from pulse_mirror.sandbox.slack import SlackSandbox
from pulse_mirror.sandbox.slack.state import User
from pulse_mirror.slack.runtime import SlackRuntime, build_slack
from pulse_mirror.storage.repository import SqlRepository
from pulse_mirror.surveys.bank import load_bank
from pulse_mirror.surveys.records import DeliveryKind
from pulse_mirror.surveys.service import AnswerSettings, PulseAnswers
from tests.fakes import FakeClock
from tests.slack.support import SECRETS, Delivered, add_employee, deliver_pulse


@dataclass
class SlackBot:
    """The running bot, its parts, and the stand-in it talks to."""

    sandbox: SlackSandbox
    runtime: SlackRuntime
    repository: SqlRepository
    answers: PulseAnswers
    clock: FakeClock

    async def send(self, user: User, *, lang: str = "en", intro: bool = True) -> Delivered:
        """Make ``user`` an employee, deliver this week's pulse and post it to their DM."""
        person = await add_employee(self.repository, user.id, lang=lang)
        delivered = await deliver_pulse(self.repository, person)
        state = await self.answers.state(delivered.token)
        assert state is not None
        await self.runtime.messenger.send_pulse(
            address=user.id, state=replace(state, show_intro=intro), kind=DeliveryKind.QUESTION
        )
        return delivered

    def message(self, user: User) -> dict[str, Any]:
        """The one pulse message ``user`` has."""
        [message] = self.sandbox.received(user.id)["messages"]
        return message


def slack_config(sandbox: SlackSandbox, *, mode: str = "http", **slack: Any) -> Any:
    """A config with Slack enabled against the stand-in."""
    env = {**SECRETS, "SLACK_APP_TOKEN": sandbox.app_token}
    data = {
        "organisation": {"name": "Example GmbH"},
        "anonymity": {"min_respondents": 5},
        "slack": {"enabled": True, "mode": mode, "api_url": sandbox.api_url, **slack},
        "surveys": {"employees": {"comment_max_chars": 40}},
    }
    return parse_config(data, env=env)


@pytest_asyncio.fixture
async def slack_bot(
    slack_sandbox: SlackSandbox, repository: SqlRepository
) -> AsyncIterator[SlackBot]:
    """The bot in HTTP mode, served on 127.0.0.1, the stand-in posting to it."""
    clock = FakeClock()
    config = slack_config(slack_sandbox)
    answers = PulseAnswers(
        repository=repository,
        bank=load_bank(),
        clock=clock,
        settings=AnswerSettings(comment_max_chars=40),
    )
    runtime = build_slack(config, answers=answers, repository=repository, clock=clock)
    await runtime.start()
    server = web.Application()
    server.add_routes(runtime.routes())
    runner = web.AppRunner(server, shutdown_timeout=0.5, access_log=None)  # as HttpServer does
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    slack_sandbox.request_url = f"http://127.0.0.1:{runner.addresses[0][1]}/slack/events"
    try:
        yield SlackBot(slack_sandbox, runtime, repository, answers, clock)
    finally:
        await runner.cleanup()
        await runtime.stop()
