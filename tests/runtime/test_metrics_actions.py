"""/metrics after real actions through the Telegram stand-in: skips, comments, replies' 429s."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio

from pulse_mirror.runtime.metrics import Metrics
from pulse_mirror.runtime.observed import CountedAnswers, count_reply_rate_limits
from pulse_mirror.sandbox.telegram import TelegramSandbox
from pulse_mirror.storage.deliveries.counts import DeliveryCounts
from pulse_mirror.storage.repository import SqlRepository
from pulse_mirror.surveys.bank import load_bank
from pulse_mirror.surveys.model import Side
from pulse_mirror.surveys.service import AnswerSettings, PulseAnswers
from pulse_mirror.telegram.runtime import build_telegram
from tests.fakes import FakeClock
from tests.reads import read_comments
from tests.runtime.test_metrics import scrape, value
from tests.telegram.world import COMMENT_LIMIT, WEEK, World, telegram_config

TWO = ("recommend.customer", "satisfaction.customer")


@pytest_asyncio.fixture
async def counted(
    paced_telegram_sandbox: TelegramSandbox, telegram_clock: FakeClock, repository: SqlRepository
) -> AsyncIterator[tuple[World, Metrics]]:
    """The Telegram runtime counted as the app counts it, on the stand-in's clock."""
    metrics = Metrics(source=DeliveryCounts(repository.engine), clock=telegram_clock)
    bank = load_bank()
    answers = PulseAnswers(
        repository=CountedAnswers(repository, counts=metrics), bank=bank, clock=telegram_clock,
        settings=AnswerSettings(comment_max_chars=COMMENT_LIMIT),
    )  # fmt: skip
    runtime = build_telegram(
        telegram_config(paced_telegram_sandbox), answers=answers, repository=repository,
        clock=telegram_clock, poll_timeout=1, outbound_parallel=1,
    )  # fmt: skip
    count_reply_rate_limits([runtime], metrics)
    await runtime.start()
    world = World(paced_telegram_sandbox, repository, telegram_clock, bank, answers, runtime)
    try:
        yield world, metrics
    finally:
        await runtime.stop()


async def test_skips_and_comments_are_counted_by_side_and_a_refused_comment_is_not(
    counted: tuple[World, Metrics],
) -> None:
    world, metrics = counted
    skipper = await world.customer(61)
    await world.deliver(skipper, items=TWO)
    world.sandbox.press_button(61, message_id=world.last(61)["message_id"], text="Skip")
    await world.settled(lambda: "Question 2 of 2" in world.last(61)["text"])

    commenter = await world.customer(62)
    await world.deliver(commenter, items=TWO)  # the week's one customer pulse
    message_id = world.last(62)["message_id"]
    world.sandbox.press_button(62, message_id=message_id, text="8")
    await world.settled(lambda: "Question 2 of 2" in world.last(62)["text"])
    world.sandbox.press_button(62, message_id=message_id, text="4")
    await world.settled(lambda: "Add a comment" in str(world.last(62).get("reply_markup")))
    world.sandbox.press_button(62, message_id=message_id, text="Add a comment")
    await world.settled(lambda: f"up to {COMMENT_LIMIT} characters" in world.last(62)["text"])
    world.sandbox.send_text(62, "x" * (COMMENT_LIMIT + 1))  # too long: not stored, not counted
    await world.settled(lambda: "the limit is" in world.last(62)["text"])
    world.sandbox.send_text(62, "Faster answers, please")
    await world.settled(lambda: world.last(62)["text"] == "Thanks, your comment is saved.")
    assert len(await read_comments(world.repository, WEEK, Side.CUSTOMER)) == 1

    status, _, samples = await scrape(metrics)
    assert status == 200
    assert value(samples, "pulse_skips_recorded_total", side="customer") == 1
    assert value(samples, "pulse_comments_recorded_total", side="customer") == 1
    assert value(samples, "pulse_answers_recorded_total", outcome="recorded") == 2
    assert value(samples, "pulse_skips_recorded_total", side="employee") == 0
    assert value(samples, "pulse_comments_recorded_total", side="employee") == 0


async def test_a_429_on_a_handlers_own_reply_is_counted_for_telegram(
    counted: tuple[World, Metrics],
) -> None:
    world, metrics = counted
    await world.customer(63)
    _, _, before = await scrape(metrics)
    assert value(before, "pulse_rate_limited_total", platform="telegram") == 0

    world.sandbox.set_limits(per_chat_per_second=0.25)  # stricter than the bot believes
    for _ in range(3):  # three replies to one chat, straight from the handlers
        world.sandbox.press_start(63)
    await world.settled(lambda: world.runtime.outbound.stats.delivered == 3)

    limited = world.runtime.outbound.stats.rate_limited
    assert limited >= 1
    _, _, samples = await scrape(metrics)
    assert value(samples, "pulse_rate_limited_total", platform="telegram") == limited
    assert value(samples, "pulse_rate_limited_total", platform="slack") == 0
