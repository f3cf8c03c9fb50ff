"""The weekly post reaches the Slack and Telegram stand-ins once per week and destination."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from slack_sdk.web.async_client import AsyncWebClient
from telegram import Bot

from bot.report_post import slack_blocks, telegram_caption
from bot.reporting import build_week, posters_for, publish_week
from bot.sandbox.faults import Fault
from bot.sandbox.slack import SlackSandbox
from bot.sandbox.telegram import TelegramSandbox
from storage import reporting
from storage.repository import SqlRepository
from storage.tables import report_run
from surveys.anonymity import Anonymity
from surveys.bank import load_bank
from surveys.model import Answer, IsoWeek, Side
from surveys.records import ReportStatus
from surveys.report import WeekReport

WEEK = IsoWeek(2026, 47)
GROUP_CHAT = -100123


class FixedClock:
    def now(self) -> dt.datetime:
        return dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)


async def _no_sleep(_: float) -> None:
    return None


async def _report(repository: SqlRepository):  # type: ignore[no-untyped-def]
    answers = [Answer("effort.employee", Side.EMPLOYEE, WEEK, v) for v in [6, 7, 6, 6, 5, 7, 6]]
    answers += [Answer("effort.customer", Side.CUSTOMER, WEEK, v) for v in [3, 2, 4, 3, 3, 2]]
    answers += [Answer("enps.employee", Side.EMPLOYEE, WEEK, v) for v in [9, 10]]  # too few
    await reporting.import_answers(repository.engine, answers)
    return await build_week(
        repository.engine,
        week=WEEK,
        bank=load_bank(),
        anonymity=Anonymity(5),
        trend_weeks=4,
        lang="en",
        now=FixedClock().now(),
    )


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_posted_once_to_slack_and_telegram(
    repository: SqlRepository, slack_sandbox: SlackSandbox, telegram_sandbox: TelegramSandbox
) -> None:
    report = await _report(repository)
    channel = slack_sandbox.add_channel(name="leadership")
    telegram_sandbox.add_user(10, first_name="Lead", started=True)
    telegram_sandbox.send_group_message(GROUP_CHAT, user_id=10, text="hello")
    slack = AsyncWebClient(token=slack_sandbox.bot_token, base_url=slack_sandbox.api_url)
    async with Bot(telegram_sandbox.token, base_url=telegram_sandbox.api_url) as bot:
        posters = posters_for(
            destinations=["slack", "telegram"],
            slack=slack,
            slack_channel=channel.id,
            telegram=bot,
            telegram_chat=GROUP_CHAT,
        )
        first = await publish_week(
            report=report, runs=repository, posters=posters, clock=FixedClock(), sleep=_no_sleep
        )
        second = await publish_week(
            report=report, runs=repository, posters=posters, clock=FixedClock(), sleep=_no_sleep
        )
    assert [(p.destination, p.outcome) for p in first] == [
        ("slack", "posted"),
        ("telegram", "posted"),
    ]
    assert [p.outcome for p in second] == ["skipped", "skipped"]

    history = slack_sandbox.history(channel.id)
    assert len(history["files"]) == 1
    upload = history["files"][0]
    assert upload["filename"] == "pulse-mirror-2026-W47.png" and upload["bytes"] > 10_000
    assert upload["title"].startswith("Employees rate Customer effort (CES)")
    summaries = [m for m in history["messages"] if m.get("blocks")]
    assert len(summaries) == 1
    body = str(summaries[0]["blocks"])
    assert "Biggest real gaps" in body and "Response rates" in body
    assert "fewer than 5" in body and "http" not in body
    assert [c.method for c in slack_sandbox.calls].count("files.completeUploadExternal") == 1

    photos = [m for m in telegram_sandbox.received(GROUP_CHAT) if m.get("photo_size")]
    assert len(photos) == 1
    assert photos[0]["caption"].startswith("Pulse Mirror · week 2026-W47")
    assert len(photos[0]["caption"]) <= 1024


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_failing_post_is_retried_then_recorded_as_failed(
    repository: SqlRepository, telegram_sandbox: TelegramSandbox
) -> None:
    report = await _report(repository)
    telegram_sandbox.add_user(10, first_name="Lead", started=True)
    telegram_sandbox.send_group_message(GROUP_CHAT, user_id=10, text="hello")
    telegram_sandbox.inject_fault("sendPhoto", Fault("status", status=500), times=3)
    async with Bot(telegram_sandbox.token, base_url=telegram_sandbox.api_url) as bot:
        posters = posters_for(
            destinations=["telegram"],
            slack=None,
            slack_channel=None,
            telegram=bot,
            telegram_chat=GROUP_CHAT,
        )
        failed = await publish_week(
            report=report, runs=repository, posters=posters, clock=FixedClock(), sleep=_no_sleep
        )
        assert [p.outcome for p in failed] == ["failed"]
        run = await repository.claim_report_run(
            week=WEEK, destination="telegram", now=FixedClock().now()
        )
        assert run is not None and run.status is ReportStatus.CLAIMED and run.attempts == 2
        await repository.mark_report_failed(run.id, error="test")
        # The next run may try again, and this time the stand-in answers.
        again = await publish_week(
            report=report, runs=repository, posters=posters, clock=FixedClock(), sleep=_no_sleep
        )
    assert [p.outcome for p in again] == ["posted"]
    assert len([m for m in telegram_sandbox.received(GROUP_CHAT) if m.get("photo_size")]) == 1


def test_post_texts_fit_the_platforms() -> None:
    from surveys.report import ReportInput, build_report

    report = build_report(week=WEEK, bank=load_bank(), data=ReportInput({}), anonymity=Anonymity())
    assert len(telegram_caption(report)) <= 1024
    blocks = slack_blocks(report)
    assert blocks[0]["type"] == "header" and len(blocks) <= 50
    assert "Not enough answers" in str(blocks)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_retried_slack_post_uploads_the_chart_once(
    repository: SqlRepository, slack_sandbox: SlackSandbox
) -> None:
    report = await _report(repository)
    channel = slack_sandbox.add_channel(name="leadership")
    slack_sandbox.inject_fault("chat.postMessage", Fault("status", status=500), times=1)
    slack = AsyncWebClient(
        token=slack_sandbox.bot_token, base_url=slack_sandbox.api_url, retry_handlers=[]
    )
    posters = posters_for(
        destinations=["slack"],
        slack=slack,
        slack_channel=channel.id,
        telegram=None,
        telegram_chat=None,
    )
    published = await publish_week(
        report=report, runs=repository, posters=posters, clock=FixedClock(), sleep=_no_sleep
    )
    assert [p.outcome for p in published] == ["posted"]
    history = slack_sandbox.history(channel.id)
    assert len(history["files"]) == 1  # the summary failed once; the chart was not re-sent
    assert len([m for m in history["messages"] if m.get("blocks")]) == 1


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_report_channel_given_by_name_is_found_by_its_id(
    repository: SqlRepository, slack_sandbox: SlackSandbox
) -> None:
    report = await _report(repository)
    for n in range(3):
        slack_sandbox.add_channel(name=f"team-{n}")
    channel = slack_sandbox.add_channel(name="leadership", is_private=True)
    slack = AsyncWebClient(token=slack_sandbox.bot_token, base_url=slack_sandbox.api_url)
    posters = posters_for(
        destinations=["slack"], slack=slack, slack_channel="#leadership",
        telegram=None, telegram_chat=None,
    )  # fmt: skip
    published = await publish_week(
        report=report, runs=repository, posters=posters, clock=FixedClock(), sleep=_no_sleep
    )
    assert [p.outcome for p in published] == ["posted"]
    history = slack_sandbox.history(channel.id)
    assert len(history["files"]) == 1
    assert len([m for m in history["messages"] if m.get("blocks")]) == 1


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_report_channel_the_bot_cannot_see_fails_with_a_clear_reason(
    repository: SqlRepository, slack_sandbox: SlackSandbox
) -> None:
    report = await _report(repository)
    slack_sandbox.add_channel(name="board", is_private=True, bot_member=False)
    slack = AsyncWebClient(token=slack_sandbox.bot_token, base_url=slack_sandbox.api_url)
    posters = posters_for(
        destinations=["slack"], slack=slack, slack_channel="#board",
        telegram=None, telegram_chat=None,
    )  # fmt: skip
    [failed] = await publish_week(
        report=report, runs=repository, posters=posters, clock=FixedClock(), sleep=_no_sleep
    )
    assert failed.outcome == "failed"
    assert failed.error is not None and "#board was not found" in failed.error
    assert "slack.report_channel" in failed.error
    assert not [c for c in slack_sandbox.calls if c.method.startswith("files.")]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_failed_post_is_recorded_without_the_token_in_its_error(
    repository: SqlRepository,
) -> None:
    report = await _report(repository)

    async def refused(report: WeekReport, png: bytes) -> str:
        raise ConnectionError("POST https://api.telegram.org/bot123456789:AAE-secret_Token0/x")

    [failed] = await publish_week(
        report=report, runs=repository, posters={"telegram": refused},
        clock=FixedClock(), sleep=_no_sleep,
    )  # fmt: skip
    assert failed.outcome == "failed" and failed.error is not None
    assert "AAE-secret" not in failed.error and "bot***/x" in failed.error
    async with repository.engine.connect() as connection:
        stored = (await connection.execute(sa.select(report_run.c.last_error))).scalar_one()
    assert stored == failed.error
