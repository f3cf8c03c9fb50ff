"""Build the weekly report from the database and publish it once per destination.

Exactly one post per (week, destination), even across restarts and replicas: each
destination is first claimed as a report run; a claim that is already posted (or being
posted elsewhere) is skipped. A failed post is retried a few times, then recorded as
failed so that ``pulse status`` shows it and a later run may claim it again.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import AsyncEngine
from telegram import Bot

from bot.logs import error_text
from bot.report_post import post_to_slack, post_to_telegram
from bot.slack.channels import channel_id
from storage.reporting import report_input
from surveys.anonymity import Anonymity
from surveys.bank import QuestionBank
from surveys.charts import mirror_figure, render_png
from surveys.model import IsoWeek
from surveys.ports import Clock, ReportRuns
from surveys.report import WeekReport, build_report
from surveys.windows import until_text

log = logging.getLogger(__name__)

Poster = Callable[[WeekReport, bytes], Awaitable[str]]


@dataclass(frozen=True)
class Published:
    """What happened to one destination: posted, skipped (already done) or failed."""

    destination: str
    outcome: str  # "posted", "skipped" or "failed"
    platform_ref: str | None = None
    error: str | None = None


async def build_week(
    engine: AsyncEngine,
    *,
    week: IsoWeek,
    bank: QuestionBank,
    anonymity: Anonymity,
    trend_weeks: int,
    lang: str,
    now: dt.datetime,
) -> WeekReport:
    """The report of ``week`` from the database, aggregated in SQL.

    ``now`` is taken before the answers are read; a side whose window is open then shows
    no figure (see :mod:`surveys.windows`).
    """
    data = await report_input(engine, week=week, trend_weeks=trend_weeks)
    return build_report(
        week=week,
        bank=bank,
        data=data,
        anonymity=anonymity,
        trend_weeks=trend_weeks,
        lang=lang,
        now=now,
    )


async def publish_week(
    *,
    report: WeekReport,
    runs: ReportRuns,
    posters: Mapping[str, Poster],
    clock: Clock,
    attempts: int = 3,
    retry_delay: float = 2.0,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> list[Published]:
    """Post ``report`` to every destination not yet posted this week; one post each.

    A report of a week whose window is still open has no figure to post: it is not posted
    and nothing is claimed, so the week's real post still goes out once the window closes.
    """
    week = IsoWeek.parse(report.week)
    if report.still_open:
        until = until_text(max(window.until for window in report.still_open))
        reason = f"week {report.week} is still open until {until}: not posted"
        log.warning("report of an open week not posted", extra={"week": report.week})
        return [Published(destination, "skipped", error=reason) for destination in posters]
    png: bytes | None = None
    results: list[Published] = []
    for destination, post in posters.items():
        run = await runs.claim_report_run(week=week, destination=destination, now=clock.now())
        if run is None:
            log.info("report already posted", extra={"week": report.week, "to": destination})
            results.append(Published(destination, "skipped"))
            continue
        if png is None:
            png = await asyncio.to_thread(_mirror_png, report)
        error = "not attempted"
        for attempt in range(1, attempts + 1):
            try:
                ref = await post(report, png)
            except Exception as exc:  # any failure of the platform call is retried
                error = error_text(exc)
                log.warning(
                    "report post failed",
                    extra={"week": report.week, "to": destination, "attempt": attempt},
                )
                if attempt < attempts:
                    await sleep(retry_delay * attempt)
                continue
            await runs.mark_report_posted(run.id, platform_ref=ref, now=clock.now())
            results.append(Published(destination, "posted", platform_ref=ref))
            break
        else:
            await runs.mark_report_failed(run.id, error=error)
            results.append(Published(destination, "failed", error=error))
    return results


def _mirror_png(report: WeekReport) -> bytes:
    return render_png(mirror_figure(report))


def posters_for(
    *,
    destinations: list[str],
    slack: AsyncWebClient | None,
    slack_channel: str | None,
    telegram: Bot | None,
    telegram_chat: int | str | None,
) -> dict[str, Poster]:
    """The posters of the configured destinations that have a client and a target."""
    posters: dict[str, Poster] = {}
    if "slack" in destinations and slack is not None and slack_channel is not None:
        client, channel = slack, slack_channel
        uploaded: set[str] = set()
        resolved: list[str] = []  # the channel's id, looked up once by name if need be

        async def to_slack(report: WeekReport, png: bytes) -> str:
            if not resolved:
                resolved.append(await channel_id(client, channel))
            return await post_to_slack(
                client, channel=resolved[0], report=report, png=png, uploaded=uploaded
            )

        posters["slack"] = to_slack
    if "telegram" in destinations and telegram is not None and telegram_chat is not None:
        bot, chat = telegram, telegram_chat

        async def to_telegram(report: WeekReport, png: bytes) -> str:
            return await post_to_telegram(bot, chat_id=chat, report=report, png=png)

        posters["telegram"] = to_telegram
    return posters
