"""The weekly report job: build last week's report and post it once per destination."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncEngine

from pulse_mirror.config.settings import Config
from pulse_mirror.surveys.anonymity import Anonymity
from pulse_mirror.surveys.bank import QuestionBank
from pulse_mirror.surveys.model import IsoWeek
from pulse_mirror.surveys.ports import Clock, ReportRuns
from pulse_mirror.surveys.report.build import WeekReport

if TYPE_CHECKING:
    from pulse_mirror.reports.publish import Published

log = logging.getLogger(__name__)


async def publish_report(
    config: Config,
    *,
    engine: AsyncEngine,
    repository: ReportRuns,
    bank: QuestionBank,
    clock: Clock,
    week: IsoWeek,
) -> list[object]:
    """Build ``week``'s report and post it to every destination not posted yet."""
    from pulse_mirror.reports.publish import build_week

    report = await build_week(
        engine,
        week=week,
        bank=bank,
        anonymity=_anonymity(config),
        trend_weeks=config.report.trend_weeks,
        lang=config.report.language or config.organisation.language,
        now=clock.now(),
    )
    results = await post_report(config, report=report, runs=repository, clock=clock)
    log.info("weekly report", extra={"week": str(week), "results": [r.outcome for r in results]})
    return list(results)


async def post_report(
    config: Config, *, report: WeekReport, runs: ReportRuns, clock: Clock
) -> list[Published]:
    """Post ``report`` to the configured destinations that have a token and a target."""
    from slack_sdk.web.async_client import AsyncWebClient
    from telegram import Bot

    from pulse_mirror.reports.publish import posters_for, publish_week
    from pulse_mirror.slack.clients import web_client

    secrets = config.secrets
    slack = None
    if secrets.slack_bot_token is not None:
        slack = web_client(  # no retries of its own: publish_week knows what may be resent
            token=secrets.slack_bot_token.get_secret_value(),
            base_url=config.slack.api_url or AsyncWebClient.BASE_URL,
            retry_handlers=[],
        )
    bot = None
    if secrets.telegram_bot_token is not None:
        bot = Bot(
            secrets.telegram_bot_token.get_secret_value(),
            base_url=config.telegram.api_url or "https://api.telegram.org/bot",
        )
    posters = posters_for(
        destinations=list(config.report.destinations or []),
        slack=slack,
        slack_channel=config.slack.report_channel,
        telegram=bot,
        telegram_chat=config.telegram.report_chat_id,
    )
    if not posters:
        return []
    if bot is not None:
        await bot.initialize()
    try:
        return await publish_week(report=report, runs=runs, posters=posters, clock=clock)
    finally:
        if bot is not None:
            await bot.shutdown()


def _anonymity(config: Config) -> Anonymity:
    found = config.anonymity
    if found.min_commenters is None:
        return Anonymity(min_respondents=found.min_respondents)
    return Anonymity(min_respondents=found.min_respondents, min_commenters=found.min_commenters)
