"""The weekly report job: a week's report from its aggregates, posted once per destination."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from pulse_mirror.config.settings import Config
from pulse_mirror.reports.ports import ReportPoster, ReportSource
from pulse_mirror.reports.publish import Published, publish_week
from pulse_mirror.surveys.anonymity import Anonymity
from pulse_mirror.surveys.bank import QuestionBank
from pulse_mirror.surveys.model import IsoWeek
from pulse_mirror.surveys.ports import Clock, ReportRuns
from pulse_mirror.surveys.report.build import WeekReport, build_report

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReportSettings:
    """How the report is built: the question bank, the anonymity policy, the trend, the language."""

    bank: QuestionBank
    anonymity: Anonymity
    trend_weeks: int
    language: str

    @classmethod
    def from_config(cls, config: Config, bank: QuestionBank) -> ReportSettings:
        """The report's settings as configured, with ``bank`` (loaded once by the caller)."""
        return cls(
            bank=bank,
            anonymity=config.anonymity.policy(),
            trend_weeks=config.report.trend_weeks,
            language=config.report.language or config.organisation.language,
        )


async def build_week(
    source: ReportSource, settings: ReportSettings, *, week: IsoWeek, now: dt.datetime
) -> WeekReport:
    """The report of ``week`` from its aggregates.

    ``now`` is taken before the answers are read; a side whose window is open then shows
    no figure (see :mod:`pulse_mirror.surveys.report.windows`).
    """
    data = await source.report_input(week=week, trend_weeks=settings.trend_weeks)
    return build_report(
        week=week,
        bank=settings.bank,
        data=data,
        anonymity=settings.anonymity,
        trend_weeks=settings.trend_weeks,
        lang=settings.language,
        now=now,
    )


async def publish_report(
    *,
    source: ReportSource,
    settings: ReportSettings,
    runs: ReportRuns,
    posters: Sequence[ReportPoster],
    clock: Clock,
    week: IsoWeek,
) -> list[Published]:
    """Build ``week``'s report and post it to every destination not posted yet."""
    report = await build_week(source, settings, week=week, now=clock.now())
    results = await post_report(report=report, runs=runs, posters=posters, clock=clock)
    log.info("weekly report", extra={"week": str(week), "results": [r.outcome for r in results]})
    return results


async def post_report(
    *, report: WeekReport, runs: ReportRuns, posters: Sequence[ReportPoster], clock: Clock
) -> list[Published]:
    """Post ``report`` through ``posters``, each opened before the posts and closed after."""
    if not posters:
        return []
    opened: list[ReportPoster] = []
    try:
        for poster in posters:
            await poster.open()
            opened.append(poster)
        by_destination = {poster.destination: poster.post for poster in posters}
        return await publish_week(report=report, runs=runs, posters=by_destination, clock=clock)
    finally:
        for poster in reversed(opened):
            await poster.close()
