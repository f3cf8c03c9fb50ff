"""The first start: no report of a week before the bot existed, one intro instead, never twice."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from slack_sdk.web.async_client import AsyncWebClient

from pulse_mirror.reports.job import ReportSettings, publish_report
from pulse_mirror.sandbox.slack import SlackSandbox
from pulse_mirror.slack.report_post import SlackReportPoster
from pulse_mirror.storage.reports import aggregates as reporting
from pulse_mirror.storage.repository import SqlRepository
from pulse_mirror.storage.tables import report_run
from pulse_mirror.surveys.anonymity import Anonymity
from pulse_mirror.surveys.bank import load_bank
from pulse_mirror.surveys.model import Answer, IsoWeek, Side
from tests.fakes import FakeClock

LAST_WEEK = IsoWeek(2026, 47)
THIS_WEEK = IsoWeek(2026, 48)  # the install's first week: Monday 23 November 2026
WEDNESDAY = dt.datetime(2026, 11, 25, 12, tzinfo=dt.UTC)
SETTINGS = ReportSettings(bank=load_bank(), anonymity=Anonymity(3), trend_weeks=4, language="en")
INTRO = "Pulse Mirror is running; first results on 2026-11-30."  # W48's report, Monday 09:00


class Leadership:
    """The leadership channel in the Slack stand-in and the report job's way to post to it."""

    def __init__(self, sandbox: SlackSandbox, repository: SqlRepository) -> None:
        self.sandbox = sandbox
        self.repository = repository
        self.channel = sandbox.add_channel(name="leadership").id
        client = AsyncWebClient(token=sandbox.bot_token, base_url=sandbox.api_url)
        self.poster = SlackReportPoster(client, channel=self.channel)

    async def report(self, week: IsoWeek, *, now: dt.datetime = WEDNESDAY) -> list[str]:
        published = await publish_report(
            source=reporting.ReportAggregates(self.repository.engine), settings=SETTINGS,
            runs=self.repository, posters=[self.poster], clock=FakeClock(now), week=week,
        )  # fmt: skip
        return [p.outcome for p in published]

    def posts(self) -> tuple[list[str], int]:
        history = self.sandbox.history(self.channel)
        return [m.get("text", "") for m in history["messages"]], len(history["files"])


async def plan_pulse(repository: SqlRepository, week: IsoWeek) -> None:
    await repository.get_or_create_pulse(
        week=week, side=Side.EMPLOYEE, items=["effort.employee"],
        opens_at=dt.datetime.combine(week.monday(), dt.time(), tzinfo=dt.UTC),
        closes_at=dt.datetime.combine(week.day(7), dt.time(), tzinfo=dt.UTC),
    )  # fmt: skip


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_the_first_start_posts_an_intro_instead_of_last_weeks_empty_report(
    repository: SqlRepository, slack_sandbox: SlackSandbox
) -> None:
    leadership = Leadership(slack_sandbox, repository)

    # The report catch-up at start, before the first plan: last week is before the install.
    assert await leadership.report(LAST_WEEK) == ["posted"]
    assert leadership.posts() == ([INTRO], 0)  # the intro only: no chart, no empty report

    # The plan has run now; the weekly report of last week comes round again: nothing.
    await plan_pulse(repository, THIS_WEEK)
    assert await leadership.report(LAST_WEEK) == ["skipped"]
    assert leadership.posts() == ([INTRO], 0)

    async with repository.engine.connect() as connection:
        runs = (
            await connection.execute(sa.select(report_run.c.destination, report_run.c.status))
        ).all()
    assert [tuple(r) for r in runs] == [("slack:intro", "posted")]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_no_report_for_a_week_before_the_first_pulse_even_after_a_restart(
    repository: SqlRepository, slack_sandbox: SlackSandbox
) -> None:
    await plan_pulse(repository, THIS_WEEK)  # planned at the first start
    leadership = Leadership(slack_sandbox, repository)

    assert await leadership.report(LAST_WEEK) == ["posted"]
    # A restart on the same database: the intro is remembered, the week still has no report.
    client = AsyncWebClient(token=slack_sandbox.bot_token, base_url=slack_sandbox.api_url)
    leadership.poster = SlackReportPoster(client, channel=leadership.channel)
    assert await leadership.report(LAST_WEEK) == ["skipped"]
    assert leadership.posts() == ([INTRO], 0)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_week_with_no_data_at_all_is_never_posted_and_the_intro_comes_once(
    repository: SqlRepository, slack_sandbox: SlackSandbox
) -> None:
    await plan_pulse(repository, LAST_WEEK)
    await plan_pulse(repository, THIS_WEEK)
    leadership = Leadership(slack_sandbox, repository)
    monday = dt.datetime(2026, 11, 30, 9, tzinfo=dt.UTC)

    # Pulses were planned but nobody was asked and nobody answered: no empty report.
    assert await leadership.report(LAST_WEEK) == ["posted"]
    assert await leadership.report(THIS_WEEK, now=monday) == ["skipped"]
    assert leadership.posts() == ([INTRO], 0)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_week_with_answers_gets_its_report_and_no_intro(
    repository: SqlRepository, slack_sandbox: SlackSandbox
) -> None:
    await plan_pulse(repository, LAST_WEEK)
    answers = [Answer("effort.employee", Side.EMPLOYEE, LAST_WEEK, v) for v in [6, 7, 6, 5]]
    answers += [Answer("effort.customer", Side.CUSTOMER, LAST_WEEK, v) for v in [3, 2, 4, 3]]
    await reporting.import_answers(repository.engine, answers)
    leadership = Leadership(slack_sandbox, repository)

    assert await leadership.report(LAST_WEEK) == ["posted"]
    texts, files = leadership.posts()
    assert files == 1 and INTRO not in texts
    # Once a report went out, a later week with no data posts nothing, not even the intro.
    assert await leadership.report(THIS_WEEK, now=dt.datetime(2026, 11, 30, 9, tzinfo=dt.UTC)) == [
        "skipped"
    ]
    assert leadership.posts() == (texts, 1)
