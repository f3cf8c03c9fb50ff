"""The report from the database while a window is open, and the weekly post after the close."""

from __future__ import annotations

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from pulse_mirror.config.settings import parse_config
from pulse_mirror.reports.job import ReportSettings, build_week, publish_report
from pulse_mirror.reports.publish import Published
from pulse_mirror.runtime.app import report_posters
from pulse_mirror.runtime.jobs import Jobs
from pulse_mirror.sandbox.slack import SlackSandbox
from pulse_mirror.storage.locks import SoleProcess
from pulse_mirror.storage.operations import OperationsStore
from pulse_mirror.storage.reports import aggregates as reporting
from pulse_mirror.storage.repository import SqlRepository
from pulse_mirror.surveys.anonymity import Anonymity
from pulse_mirror.surveys.bank import load_bank
from pulse_mirror.surveys.model import Answer, IsoWeek, Side
from pulse_mirror.surveys.report.build import WeekReport
from pulse_mirror.surveys.report.text import headline, summary
from tests.fakes import FakeClock
from tests.outbox.helpers import SETTINGS

WEEK = IsoWeek(2026, 10)
START = dt.datetime(2026, 3, 2, tzinfo=dt.UTC)  # Monday of 2026-W10
REPORT = dt.datetime(2026, 3, 9, 9, tzinfo=ZoneInfo("Europe/Berlin")).astimezone(dt.UTC)
OPEN_TEXT = "window still open until 2026-03-09 08:00 UTC"
EMPLOYEES = [6, 7, 6, 5, 6, 7, 6]
CUSTOMERS = [3, 2, 4, 3, 3, 2]


def _jobs(repository: SqlRepository, clock: FakeClock, publish=None) -> Jobs:  # type: ignore[no-untyped-def]
    settings = dataclasses.replace(SETTINGS, report_at=(1, dt.time(9)))
    return Jobs(
        repository=repository, operations=OperationsStore(repository.engine), bank=load_bank(),
        settings=settings, clock=clock, leader=SoleProcess(), dispatchers=[], publish=publish,
    )  # fmt: skip


async def _week_with_answers(repository: SqlRepository, jobs: Jobs) -> None:
    """The week's pulses as planned (customers' window ends at the report) and its answers."""
    await jobs.plan_week(WEEK, now=START)
    answers = [Answer("effort.employee", Side.EMPLOYEE, WEEK, v) for v in EMPLOYEES]
    answers += [Answer("effort.customer", Side.CUSTOMER, WEEK, v) for v in CUSTOMERS]
    await reporting.import_answers(repository.engine, answers)


async def _build(repository: SqlRepository, now: dt.datetime) -> WeekReport:
    settings = ReportSettings(
        bank=load_bank(), anonymity=Anonymity(5), trend_weeks=4, language="en"
    )
    return await build_week(
        reporting.ReportAggregates(repository.engine), settings, week=WEEK, now=now
    )


async def test_an_open_side_from_the_database_shows_no_figure_until_it_closes(
    repository: SqlRepository,
) -> None:
    clock = FakeClock(START)
    await _week_with_answers(repository, _jobs(repository, clock))
    closes = await reporting.window_closes(repository.engine, first=WEEK.shift(-3), last=WEEK)
    assert set(closes) == {(WEEK, Side.EMPLOYEE), (WEEK, Side.CUSTOMER)}
    assert closes[(WEEK, Side.CUSTOMER)] == REPORT
    assert closes[(WEEK, Side.EMPLOYEE)] < REPORT

    early = await _build(repository, REPORT - dt.timedelta(hours=1))
    effort = next(d for d in early.mirrored if d.key == "effort")
    assert effort.outside.score is None and effort.outside.hidden == OPEN_TEXT
    assert effort.inside.score is not None and effort.inside.score.n == len(EMPLOYEES)
    assert effort.gap.estimate is None
    assert [(w.week, w.side, w.until) for w in early.still_open] == [
        ("2026-W10", Side.CUSTOMER, REPORT)
    ]
    rates = {r.side: r for r in early.response_rates}
    assert rates[Side.CUSTOMER].respondents is None and rates[Side.CUSTOMER].hidden == OPEN_TEXT

    closed = await _build(repository, REPORT)
    effort = next(d for d in closed.mirrored if d.key == "effort")
    assert effort.outside.score is not None and effort.outside.score.n == len(CUSTOMERS)
    assert effort.gap.estimate is not None and closed.still_open == ()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_the_weekly_post_comes_after_the_close_with_every_figure(
    repository: SqlRepository, slack_sandbox: SlackSandbox
) -> None:
    channel = slack_sandbox.add_channel(name="leadership")
    config = parse_config(
        {
            "slack": {"enabled": True, "api_url": slack_sandbox.api_url,
                      "report_channel": channel.id},
            "telegram": {"enabled": False},
            "report": {"destinations": ["slack"], "trend_weeks": 4},
            "anonymity": {"min_respondents": 5},
        },
        env={"SLACK_BOT_TOKEN": slack_sandbox.bot_token, "SLACK_APP_TOKEN": "xapp-1-test"},
    )  # fmt: skip
    clock = FakeClock(START)
    published: list[list[Published]] = []

    async def publish(week: IsoWeek) -> None:
        results = await publish_report(
            source=reporting.ReportAggregates(repository.engine),
            settings=ReportSettings.from_config(config, load_bank()), runs=repository,
            posters=report_posters(config), clock=clock, week=week,
        )  # fmt: skip
        published.append(results)

    jobs = _jobs(repository, clock, publish)
    await _week_with_answers(repository, jobs)

    # Run a minute early (the customers' window is still open): nothing goes out and nothing
    # is claimed, so the week's post is still to come.
    clock.set(REPORT - dt.timedelta(minutes=1))
    await jobs.report()
    [[early]] = published
    assert early.outcome == "skipped"
    assert early.error == ("week 2026-W10 is still open until 2026-03-09 08:00 UTC: not posted")
    assert slack_sandbox.history(channel.id)["messages"] == []

    clock.set(REPORT)
    await jobs.report()  # closes the due windows, then posts
    assert [p.outcome for p in published[1]] == ["posted"]
    final = await _build(repository, REPORT + dt.timedelta(days=2))
    assert final == await _build(repository, REPORT)  # the posted figures are final
    history = slack_sandbox.history(channel.id)
    assert len(history["files"]) == 1
    [post] = [m for m in history["messages"] if m.get("blocks")]
    body = str(post["blocks"])
    assert post["text"] == headline(final)
    assert headline(final).startswith("Employees rate Customer effort (CES)")
    assert "still open" not in body
    for line in summary(final).gaps + summary(final).rates:
        assert line in body
    assert "Customers: 6 answered" in summary(final).rates
