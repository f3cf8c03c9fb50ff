"""A side's figure with no other side to compare it with is posted, not lost in "not enough"."""

from __future__ import annotations

import pytest

from pulse_mirror.reports.job import ReportSettings, build_week
from pulse_mirror.slack.report_post import slack_blocks
from pulse_mirror.storage.reports import aggregates as reporting
from pulse_mirror.storage.repository import SqlRepository
from pulse_mirror.surveys.anonymity import Anonymity
from pulse_mirror.surveys.bank import load_bank
from pulse_mirror.surveys.model import Answer, IsoWeek, Side
from pulse_mirror.surveys.report.text import summary
from pulse_mirror.telegram.report_post import telegram_caption
from tests.fakes import FakeClock

WEEK = IsoWeek(2026, 47)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_employee_figures_without_customers_are_in_the_post_and_small_groups_are_not(
    repository: SqlRepository,
) -> None:
    answers = [Answer("effort.employee", Side.EMPLOYEE, WEEK, v) for v in [6, 7, 6, 6, 5]]
    answers += [Answer("effort.customer", Side.CUSTOMER, WEEK, v) for v in [3, 2]]  # too few
    answers += [Answer("enps.employee", Side.EMPLOYEE, WEEK, v) for v in [9, 10]]  # too few
    await reporting.import_answers(repository.engine, answers)
    settings = ReportSettings(
        bank=load_bank(), anonymity=Anonymity(5), trend_weeks=4, language="en"
    )
    report = await build_week(
        reporting.ReportAggregates(repository.engine), settings, week=WEEK, now=FakeClock().now()
    )

    brief = summary(report)
    assert brief.headline == "Not enough answers this week to compare employees and customers"
    [line] = brief.uncompared
    assert line.startswith("Customer effort (CES) (Employees): ") and line.endswith("n = 5")
    body = str(slack_blocks(report))
    assert "*Figures without a comparison*\\n• " + line in body
    assert line in telegram_caption(report)
    assert "n = 2" not in body and "eNPS" not in line
