"""The weekly post reaches the Slack and Telegram stand-ins once per week and destination."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa
from slack_sdk.web.async_client import AsyncWebClient
from telegram import Bot
from telegram.request import HTTPXRequest

from pulse_mirror.config.settings import parse_config
from pulse_mirror.reports.job import ReportSettings, build_week, post_report
from pulse_mirror.reports.publish import Poster, publish_week
from pulse_mirror.runtime.app import report_posters
from pulse_mirror.sandbox.faults import Fault
from pulse_mirror.sandbox.slack import SlackSandbox
from pulse_mirror.sandbox.slack.limits import RateLimit
from pulse_mirror.sandbox.telegram import TelegramSandbox
from pulse_mirror.slack.report_post import SlackReportPoster, slack_blocks
from pulse_mirror.storage.reports import aggregates as reporting
from pulse_mirror.storage.repository import SqlRepository
from pulse_mirror.storage.tables import report_run
from pulse_mirror.surveys.anonymity import Anonymity
from pulse_mirror.surveys.bank import load_bank
from pulse_mirror.surveys.model import Answer, IsoWeek, Side
from pulse_mirror.surveys.records import ReportRunRecord, ReportStatus
from pulse_mirror.surveys.report.build import WeekReport
from pulse_mirror.telegram.report_post import TelegramReportPoster, telegram_caption
from tests.fakes import FakeClock

WEEK = IsoWeek(2026, 47)
GROUP_CHAT = -100123


async def _no_sleep(_: float) -> None:
    return None


async def _report(repository: SqlRepository):  # type: ignore[no-untyped-def]
    answers = [Answer("effort.employee", Side.EMPLOYEE, WEEK, v) for v in [6, 7, 6, 6, 5, 7, 6]]
    answers += [Answer("effort.customer", Side.CUSTOMER, WEEK, v) for v in [3, 2, 4, 3, 3, 2]]
    answers += [Answer("enps.employee", Side.EMPLOYEE, WEEK, v) for v in [9, 10]]  # too few
    await reporting.import_answers(repository.engine, answers)
    settings = ReportSettings(
        bank=load_bank(), anonymity=Anonymity(5), trend_weeks=4, language="en"
    )
    source = reporting.ReportAggregates(repository.engine)
    return await build_week(source, settings, week=WEEK, now=FakeClock().now())


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_posted_once_to_slack_and_telegram(
    repository: SqlRepository, slack_sandbox: SlackSandbox, telegram_sandbox: TelegramSandbox
) -> None:
    report = await _report(repository)
    channel = slack_sandbox.add_channel(name="leadership")
    telegram_sandbox.add_user(10, first_name="Lead", started=True)
    telegram_sandbox.send_group_message(GROUP_CHAT, user_id=10, text="hello")
    slack = AsyncWebClient(token=slack_sandbox.bot_token, base_url=slack_sandbox.api_url)
    bot = Bot(telegram_sandbox.token, base_url=telegram_sandbox.api_url)
    posters = [
        SlackReportPoster(slack, channel=channel.id),
        TelegramReportPoster(bot, chat_id=GROUP_CHAT),
    ]
    # Each run opens the posters and closes them after; the second run opens them again.
    first = await post_report(report=report, runs=repository, posters=posters, clock=FakeClock())
    second = await post_report(report=report, runs=repository, posters=posters, clock=FakeClock())
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
        posters: dict[str, Poster] = {
            "telegram": TelegramReportPoster(bot, chat_id=GROUP_CHAT).post
        }
        failed = await publish_week(
            report=report, runs=repository, posters=posters, clock=FakeClock(), sleep=_no_sleep
        )
        assert [p.outcome for p in failed] == ["failed"]
        run = await repository.claim_report_run(
            week=WEEK, destination="telegram", now=FakeClock().now()
        )
        assert run is not None and run.status is ReportStatus.CLAIMED and run.attempts == 2
        await repository.mark_report_failed(run.id, error="test")
        # The next run may try again, and this time the stand-in answers.
        again = await publish_week(
            report=report, runs=repository, posters=posters, clock=FakeClock(), sleep=_no_sleep
        )
    assert [p.outcome for p in again] == ["posted"]
    assert len([m for m in telegram_sandbox.received(GROUP_CHAT) if m.get("photo_size")]) == 1


def test_post_texts_fit_the_platforms() -> None:
    from pulse_mirror.surveys.report.build import ReportInput, build_report

    report = build_report(week=WEEK, bank=load_bank(), data=ReportInput({}), anonymity=Anonymity())
    assert len(telegram_caption(report)) <= 1024
    blocks = slack_blocks(report)
    assert blocks[0]["type"] == "header" and len(blocks) <= 50
    assert "Not enough answers" in str(blocks)


def test_the_report_settings_and_posters_come_from_the_config() -> None:
    data: dict[str, Any] = {
        "slack": {"enabled": True, "report_channel": "#leadership"},
        "telegram": {"enabled": True, "report_chat_id": GROUP_CHAT},
        "report": {"destinations": ["slack", "telegram"], "trend_weeks": 6, "language": "de"},
        "anonymity": {"min_respondents": 6},
    }
    env = {"SLACK_BOT_TOKEN": "xoxb-1-test", "SLACK_APP_TOKEN": "xapp-1-test"}
    config = parse_config(data, env=env | {"TELEGRAM_BOT_TOKEN": "123:abc"})
    settings = ReportSettings.from_config(config, load_bank())
    assert settings.anonymity == Anonymity(6, min_commenters=8)
    assert (settings.trend_weeks, settings.language) == (6, "de")
    posters = report_posters(config)
    assert [(type(p), p.destination) for p in posters] == [
        (SlackReportPoster, "slack"),
        (TelegramReportPoster, "telegram"),
    ]
    # A platform that is not a destination gets no poster, token or not.
    data["report"]["destinations"] = ["slack"]
    only_slack = parse_config(data, env=env | {"TELEGRAM_BOT_TOKEN": "123:abc"})
    assert [p.destination for p in report_posters(only_slack)] == ["slack"]
    explicit = parse_config({"anonymity": {"min_respondents": 4, "min_commenters": 4}}, env={})
    assert explicit.anonymity.policy() == Anonymity(4, min_commenters=4)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_retried_slack_post_uploads_the_chart_once(
    repository: SqlRepository, slack_sandbox: SlackSandbox
) -> None:
    report = await _report(repository)
    channel = slack_sandbox.add_channel(name="leadership")
    slack_sandbox.inject_fault("chat.postMessage", Fault("status", status=503), times=1)
    posters = _slack_posters(slack_sandbox, channel.id)
    published = await publish_week(
        report=report, runs=repository, posters=posters, clock=FakeClock(), sleep=_no_sleep
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
    posters = _slack_posters(slack_sandbox, "#leadership")
    published = await publish_week(
        report=report, runs=repository, posters=posters, clock=FakeClock(), sleep=_no_sleep
    )
    assert [p.outcome for p in published] == ["posted"]
    assert len(slack_sandbox.history(channel.id)["files"]) == 1
    assert _summaries(slack_sandbox, channel.id) == 1


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_report_channel_the_bot_cannot_see_fails_with_a_clear_reason(
    repository: SqlRepository, slack_sandbox: SlackSandbox
) -> None:
    report = await _report(repository)
    slack_sandbox.add_channel(name="board", is_private=True, bot_member=False)
    posters = _slack_posters(slack_sandbox, "#board")
    [failed] = await publish_week(
        report=report, runs=repository, posters=posters, clock=FakeClock(), sleep=_no_sleep
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
        clock=FakeClock(), sleep=_no_sleep,
    )  # fmt: skip
    assert failed.outcome == "failed" and failed.error is not None
    assert "AAE-secret" not in failed.error and "bot***/x" in failed.error
    async with repository.engine.connect() as connection:
        stored = (await connection.execute(sa.select(report_run.c.last_error))).scalar_one()
    assert stored == failed.error


def _slack_posters(slack_sandbox: SlackSandbox, channel: str) -> dict[str, Poster]:
    slack = AsyncWebClient(
        token=slack_sandbox.bot_token, base_url=slack_sandbox.api_url, retry_handlers=[]
    )
    return {"slack": SlackReportPoster(slack, channel=channel).post}


def _counted(post: Poster) -> tuple[Poster, list[str]]:
    """``post``, noting every try (a faulted call never reaches the stand-in's call log)."""
    tries: list[str] = []

    async def counted(report: WeekReport, png: bytes) -> str:
        tries.append(report.week)
        return await post(report, png)

    return counted, tries


def _summaries(slack_sandbox: SlackSandbox, channel: str) -> int:
    return len([m for m in slack_sandbox.history(channel)["messages"] if m.get("blocks")])


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_post_that_may_have_gone_out_is_not_posted_again_until_the_operator_says(
    repository: SqlRepository, slack_sandbox: SlackSandbox
) -> None:
    report = await _report(repository)
    channel = slack_sandbox.add_channel(name="leadership")
    # Slack's internal_error: "some aspect of the operation may have succeeded".
    slack_sandbox.inject_fault("chat.postMessage", Fault("status", status=500), times=1)
    post, tries = _counted(_slack_posters(slack_sandbox, channel.id)["slack"])
    posters = {"slack": post}
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    [first] = await publish_week(
        report=report, runs=repository, posters=posters, clock=FakeClock(), sleep=sleep
    )
    assert first.outcome == "unknown" and first.error is not None
    assert "internal_error" in first.error
    assert slept == [] and len(tries) == 1  # not retried

    # The next report run (a restart, another replica) leaves it alone.
    [second] = await publish_week(
        report=report, runs=repository, posters=posters, clock=FakeClock(), sleep=sleep
    )
    assert second.outcome == "skipped" and len(tries) == 1
    [run] = await repository.unposted_reports(since=WEEK)
    assert run.status is ReportStatus.UNKNOWN and run.last_error == first.error

    # The operator looked, it is not there: allowed again, it is posted once.
    assert await repository.allow_report_again(week=WEEK, destination="slack")
    [third] = await publish_week(
        report=report, runs=repository, posters=posters, clock=FakeClock(), sleep=sleep
    )
    assert third.outcome == "posted"
    assert _summaries(slack_sandbox, channel.id) == 1
    assert len(slack_sandbox.history(channel.id)["files"]) == 1
    assert await repository.unposted_reports(since=WEEK) == []
    assert not await repository.allow_report_again(week=WEEK, destination="slack")  # posted


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_rate_limited_post_waits_what_the_platform_asks_then_posts_once(
    repository: SqlRepository, slack_sandbox: SlackSandbox
) -> None:
    report = await _report(repository)
    channel = slack_sandbox.add_channel(name="leadership")
    slack_sandbox.set_rate_limit("chat.postMessage", RateLimit(limit=1, per=60.0, scope="method"))
    slack = AsyncWebClient(token=slack_sandbox.bot_token, base_url=slack_sandbox.api_url)
    await slack.chat_postMessage(channel=channel.id, text="earlier")  # the minute's one post
    posters = _slack_posters(slack_sandbox, channel.id)
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        slack_sandbox.set_rate_limit("chat.postMessage", RateLimit(limit=50, per=60.0))

    [published] = await publish_week(
        report=report, runs=repository, posters=posters, clock=FakeClock(), sleep=sleep
    )
    assert published.outcome == "posted"
    assert len(slept) == 1 and slept[0] >= 1.0  # Slack's Retry-After, not the 2 s backoff
    assert _summaries(slack_sandbox, channel.id) == 1


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_telegram_post_that_timed_out_is_unknown_and_not_sent_twice(
    repository: SqlRepository, telegram_sandbox: TelegramSandbox
) -> None:
    report = await _report(repository)
    telegram_sandbox.add_user(10, first_name="Lead", started=True)
    telegram_sandbox.send_group_message(GROUP_CHAT, user_id=10, text="hello")
    telegram_sandbox.inject_fault("sendPhoto", Fault("timeout", delay=1.0), times=1)
    request = HTTPXRequest(read_timeout=0.2, write_timeout=0.2, media_write_timeout=0.2)
    bot = Bot(telegram_sandbox.token, base_url=telegram_sandbox.api_url, request=request)
    async with bot:
        post, tries = _counted(TelegramReportPoster(bot, chat_id=GROUP_CHAT).post)
        posters = {"telegram": post}
        [first] = await publish_week(
            report=report, runs=repository, posters=posters, clock=FakeClock(), sleep=_no_sleep
        )
        [second] = await publish_week(
            report=report, runs=repository, posters=posters, clock=FakeClock(), sleep=_no_sleep
        )
    assert (first.outcome, second.outcome) == ("unknown", "skipped")
    assert len(tries) == 1  # one try, not retried after the timeout, not tried by the next run


class FlakyRuns:
    """The repository's report runs, with the database gone for the next ``gone`` outcomes."""

    def __init__(self, repository: SqlRepository, *, gone: int) -> None:
        self._repo = repository
        self.gone = gone

    async def claim_report_run(self, **kwargs: Any) -> ReportRunRecord | None:
        return await self._repo.claim_report_run(**kwargs)

    async def mark_report_unknown(self, run_id: int, *, error: str) -> None:
        await self._repo.mark_report_unknown(run_id, error=error)

    async def mark_report_failed(self, run_id: int, *, error: str) -> None:
        await self._repo.mark_report_failed(run_id, error=error)

    async def mark_report_posted(self, run_id: int, **kwargs: Any) -> None:
        if self.gone > 0:
            self.gone -= 1
            raise sa.exc.OperationalError("UPDATE report_run", {}, ConnectionError("db gone"))
        await self._repo.mark_report_posted(run_id, **kwargs)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_database_briefly_gone_after_the_post_records_it_posted_once(
    repository: SqlRepository, slack_sandbox: SlackSandbox
) -> None:
    report = await _report(repository)
    channel = slack_sandbox.add_channel(name="leadership")
    posters = _slack_posters(slack_sandbox, channel.id)
    runs = FlakyRuns(repository, gone=2)
    [published] = await publish_week(
        report=report, runs=runs, posters=posters, clock=FakeClock(), sleep=_no_sleep
    )
    assert published.outcome == "posted" and runs.gone == 0
    assert await repository.unposted_reports(since=WEEK) == []
    assert _summaries(slack_sandbox, channel.id) == 1


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_post_whose_outcome_is_never_recorded_is_not_posted_again(
    repository: SqlRepository, slack_sandbox: SlackSandbox
) -> None:
    report = await _report(repository)
    channel = slack_sandbox.add_channel(name="leadership")
    posters = _slack_posters(slack_sandbox, channel.id)
    with pytest.raises(sa.exc.OperationalError):
        await publish_week(
            report=report, runs=FlakyRuns(repository, gone=99), posters=posters,
            clock=FakeClock(), sleep=_no_sleep,
        )  # fmt: skip
    # The database is back; the next run (even after the claim's lease) leaves it alone.
    later = FakeClock().now() + dt.timedelta(hours=2)
    assert await repository.claim_report_run(week=WEEK, destination="slack", now=later) is None
    [run] = await repository.unposted_reports(since=WEEK)
    assert run.status is ReportStatus.UNKNOWN and "being posted" in (run.last_error or "")
    assert _summaries(slack_sandbox, channel.id) == 1


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_process_stopped_during_the_post_leaves_it_unknown(
    repository: SqlRepository,
) -> None:
    report = await _report(repository)

    async def stopped(report: WeekReport, png: bytes) -> str:
        raise asyncio.CancelledError  # SIGTERM while the platform call is out

    with pytest.raises(asyncio.CancelledError):
        await publish_week(
            report=report, runs=repository, posters={"slack": stopped},
            clock=FakeClock(), sleep=_no_sleep,
        )  # fmt: skip
    later = FakeClock().now() + dt.timedelta(hours=2)
    assert await repository.claim_report_run(week=WEEK, destination="slack", now=later) is None
    [run] = await repository.unposted_reports(since=WEEK)
    assert run.status is ReportStatus.UNKNOWN


class FakePoster:
    """A report poster that records what happened to it; ``broken`` fails to open."""

    def __init__(self, destination: str, *, broken: bool = False) -> None:
        self.destination = destination
        self.broken = broken
        self.events: list[str] = []

    async def open(self) -> None:
        if self.broken:
            raise ConnectionError("platform unreachable")
        self.events.append("open")

    async def post(self, report: WeekReport, png: bytes) -> str:
        self.events.append("post")
        return "ref-1"

    async def close(self) -> None:
        self.events.append("close")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_posters_are_opened_before_the_run_and_closed_after(
    repository: SqlRepository,
) -> None:
    report = await _report(repository)
    poster = FakePoster("slack")
    [published] = await post_report(
        report=report, runs=repository, posters=[poster], clock=FakeClock()
    )
    assert (published.outcome, published.platform_ref) == ("posted", "ref-1")
    assert poster.events == ["open", "post", "close"]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_poster_that_cannot_open_stops_the_run_before_anything_is_claimed(
    repository: SqlRepository,
) -> None:
    report = await _report(repository)
    first, broken = FakePoster("slack"), FakePoster("telegram", broken=True)
    with pytest.raises(ConnectionError):
        await post_report(
            report=report, runs=repository, posters=[first, broken], clock=FakeClock()
        )
    assert first.events == ["open", "close"]
    assert await repository.unposted_reports(since=WEEK) == []
    assert await post_report(report=report, runs=repository, posters=[], clock=FakeClock()) == []
