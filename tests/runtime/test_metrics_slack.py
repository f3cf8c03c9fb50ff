"""/metrics after an employee skips and comments through the Slack stand-in."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio
from aiohttp import web

from pulse_mirror.runtime.metrics import Metrics
from pulse_mirror.runtime.observed import CountedAnswers, count_reply_rate_limits
from pulse_mirror.sandbox.slack import SlackSandbox
from pulse_mirror.slack.blocks import COMMENT_BLOCK, COMMENT_INPUT
from pulse_mirror.slack.runtime import build_slack
from pulse_mirror.storage.deliveries.counts import DeliveryCounts
from pulse_mirror.storage.repository import SqlRepository
from pulse_mirror.surveys.bank import load_bank
from pulse_mirror.surveys.callbacks import CommentRequest, Skip, encode
from pulse_mirror.surveys.model import Side
from pulse_mirror.surveys.service import AnswerSettings, PulseAnswers
from tests.fakes import FakeClock
from tests.reads import read_comments
from tests.runtime.test_metrics import scrape, value
from tests.slack.conftest import SlackBot, slack_config
from tests.slack.support import WEEK, eventually


@pytest_asyncio.fixture
async def counted(
    slack_sandbox: SlackSandbox, repository: SqlRepository
) -> AsyncIterator[tuple[SlackBot, Metrics]]:
    """The Slack bot in HTTP mode, its inputs counted as the app counts them."""
    clock = FakeClock()
    metrics = Metrics(source=DeliveryCounts(repository.engine), clock=clock)
    answers = PulseAnswers(
        repository=CountedAnswers(repository, counts=metrics), bank=load_bank(), clock=clock,
        settings=AnswerSettings(comment_max_chars=40),
    )  # fmt: skip
    runtime = build_slack(slack_config(slack_sandbox), answers=answers, repository=repository,
                          clock=clock)  # fmt: skip
    count_reply_rate_limits([runtime], metrics)  # Slack's replies go through the outbox
    await runtime.start()
    server = web.Application()
    server.add_routes(runtime.routes())
    runner = web.AppRunner(server, shutdown_timeout=0.5, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    slack_sandbox.request_url = f"http://127.0.0.1:{runner.addresses[0][1]}/slack/events"
    try:
        yield SlackBot(slack_sandbox, runtime, repository, answers, clock), metrics
    finally:
        await runner.cleanup()
        await runtime.stop()


async def test_an_employees_skip_and_comment_are_counted_on_the_employee_side(
    counted: tuple[SlackBot, Metrics],
) -> None:
    bot, metrics = counted
    ada = bot.sandbox.add_user(name="ada")
    sent = await bot.send(ada)
    await bot.sandbox.click(ada.id, action_id="pulse_skip", value=encode(Skip(sent.token, 0)))

    async def skipped() -> bool:
        _, _, samples = await scrape(metrics)
        return value(samples, "pulse_skips_recorded_total", side="employee") == 1

    await eventually(skipped, what="the skip counted")
    await bot.sandbox.click(
        ada.id, action_id="pulse_comment", value=encode(CommentRequest(sent.token))
    )

    async def opened() -> bool:
        return bool(bot.sandbox.received(ada.id)["views"])

    await eventually(opened, what="the comment modal")
    [view] = bot.sandbox.received(ada.id)["views"]
    await bot.sandbox.submit_view(
        ada.id, str(view["id"]), {COMMENT_BLOCK: {COMMENT_INPUT: "x" * 41}}
    )  # too long: refused in the modal, not counted
    await bot.sandbox.submit_view(
        ada.id, str(view["id"]), {COMMENT_BLOCK: {COMMENT_INPUT: "Answer tickets faster"}}
    )
    assert [c.text for c in await read_comments(bot.repository, WEEK, Side.EMPLOYEE)] == [
        "Answer tickets faster"
    ]

    _, _, samples = await scrape(metrics)
    assert value(samples, "pulse_skips_recorded_total", side="employee") == 1
    assert value(samples, "pulse_comments_recorded_total", side="employee") == 1
    assert value(samples, "pulse_skips_recorded_total", side="customer") == 0
    assert value(samples, "pulse_comments_recorded_total", side="customer") == 0
