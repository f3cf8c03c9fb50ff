"""The weekly report job: a week's report from its aggregates, posted once per destination."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from pulse_mirror.config.settings import Config
from pulse_mirror.reports.ports import ReportPoster, ReportSource
from pulse_mirror.reports.publish import (
    IntroRuns,
    NotePoster,
    Published,
    publish_intro,
    publish_week,
)
from pulse_mirror.surveys.anonymity import Anonymity
from pulse_mirror.surveys.bank import QuestionBank
from pulse_mirror.surveys.model import IsoWeek
from pulse_mirror.surveys.planning.schedule import local_instant
from pulse_mirror.surveys.ports import Clock, ReportRuns
from pulse_mirror.surveys.report.build import ReportInput, WeekReport, build_report
from pulse_mirror.surveys.report.text import text

log = logging.getLogger(__name__)


class ReportHistory(IntroRuns, Protocol):
    """The report runs, and the first week this install planned a pulse for."""

    async def first_pulse_week(self) -> IsoWeek | None:
        """The earliest week with a pulse; None before the first plan."""
        ...


@dataclass(frozen=True)
class ReportSettings:
    """How the report is built: the question bank, the anonymity policy, the trend, the language."""

    bank: QuestionBank
    anonymity: Anonymity
    trend_weeks: int
    language: str
    latest_weeks: int = 4
    # When a week's report is made: (weekday, time) of the week after, in ``organisation_tz``.
    report_at: tuple[int, dt.time] = (1, dt.time(9))
    organisation_tz: str = "UTC"

    def report_day(self, week: IsoWeek) -> dt.date:
        """The day (in the organisation's zone) the report of ``week`` is made."""
        weekday, at = self.report_at
        return local_instant(week.shift(1).day(weekday), at, tz=self.organisation_tz).date()

    @classmethod
    def from_config(cls, config: Config, bank: QuestionBank) -> ReportSettings:
        """The report's settings as configured, with ``bank`` (loaded once by the caller)."""
        return cls(
            bank=bank,
            anonymity=config.anonymity.policy(),
            trend_weeks=config.report.trend_weeks,
            language=config.report.language or config.organisation.language,
            latest_weeks=config.report.latest_weeks,
            report_at=(config.report.weekday, config.report.time),
            organisation_tz=config.organisation.timezone,
        )


async def build_week(
    source: ReportSource, settings: ReportSettings, *, week: IsoWeek, now: dt.datetime
) -> WeekReport:
    """The report of ``week`` from its aggregates.

    ``now`` is taken before the answers are read; a side whose window is open then shows
    no figure (see :mod:`pulse_mirror.surveys.report.windows`).
    """
    data = await source.report_input(week=week, trend_weeks=settings.trend_weeks)
    return _built(data, settings, week=week, now=now)


async def publish_report(
    *,
    source: ReportSource,
    settings: ReportSettings,
    runs: ReportHistory,
    posters: Sequence[ReportPoster],
    clock: Clock,
    week: IsoWeek,
) -> list[Published]:
    """Post ``week``'s report to every destination not posted yet; never an empty one.

    A week before the first week this install planned a pulse for has no report, and a week
    with no data at all is not posted: instead, once per install, a short intro says when
    the first results come. (Measured: the first start posted last week's empty report.)
    """
    now = clock.now()
    first = await runs.first_pulse_week() or week.shift(1)
    data = (
        None
        if week < first
        else await source.report_input(week=week, trend_weeks=settings.trend_weeks)
    )
    if data is None or not has_data(data, week):
        note = intro_text(settings, first_results=settings.report_day(max(first, week.shift(1))))
        results = await post_intro(week=week, note=note, runs=runs, posters=posters, clock=clock)
        log.info(
            "no report: the week has no data",
            extra={"week": str(week), "results": [r.outcome for r in results]},
        )
        return results
    report = _built(data, settings, week=week, now=now)
    results = await post_report(report=report, runs=runs, posters=posters, clock=clock)
    log.info("weekly report", extra={"week": str(week), "results": [r.outcome for r in results]})
    await freeze_posted(source, report, results, settings)
    return results


async def freeze_posted(
    source: ReportSource, report: WeekReport, results: Sequence[Published], settings: ReportSettings
) -> None:
    """Once a closed week's report went out somewhere, its figures are final."""
    if any(r.outcome == "posted" for r in results) and not report.still_open:
        week = IsoWeek.parse(report.week)
        await source.freeze(week=week, min_respondents=settings.anonymity.min_respondents)


def has_data(data: ReportInput, week: IsoWeek) -> bool:
    """Whether ``week`` asked anyone or has an answer or a comment: else there is no report."""
    if any(count > 0 for count in data.asked.values()) or data.comments:
        return True
    return any(key[0] == week and sum(h.values()) > 0 for key, h in data.histograms.items())


def intro_text(settings: ReportSettings, *, first_results: dt.date) -> str:
    """The intro posted instead of an empty report, in the report's language."""
    lang = settings.language
    day = first_results.strftime("%d.%m.%Y") if lang == "de" else first_results.isoformat()
    return text("intro", lang, date=day)


async def post_intro(
    *, week: IsoWeek, note: str, runs: IntroRuns, posters: Sequence[ReportPoster], clock: Clock
) -> list[Published]:
    """Post the intro through every poster that can post a note; open and close them."""
    notes = [poster for poster in posters if isinstance(poster, NotePoster)]
    for poster in posters:
        if not isinstance(poster, NotePoster):
            log.warning("this destination cannot post the intro", extra={"to": poster.destination})
    if not notes:
        return []
    opened: list[ReportPoster] = []
    try:
        for poster in notes:
            await poster.open()
            opened.append(poster)
        return await publish_intro(week=week, note=note, runs=runs, posters=notes, clock=clock)
    finally:
        for poster in reversed(opened):
            await poster.close()


def _built(
    data: ReportInput, settings: ReportSettings, *, week: IsoWeek, now: dt.datetime
) -> WeekReport:
    return build_report(
        week=week,
        bank=settings.bank,
        data=data,
        anonymity=settings.anonymity,
        trend_weeks=settings.trend_weeks,
        lang=settings.language,
        now=now,
        latest_weeks=settings.latest_weeks,
    )


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
