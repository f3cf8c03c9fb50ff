"""The weekly report job: build last week's report and post it once per destination."""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import Config
from surveys.anonymity import Anonymity
from surveys.bank import QuestionBank
from surveys.model import IsoWeek
from surveys.ports import Clock, ReportRuns

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
    from slack_sdk.web.async_client import AsyncWebClient
    from telegram import Bot

    from bot.reporting import build_week, posters_for, publish_week

    report = await build_week(
        engine,
        week=week,
        bank=bank,
        anonymity=_anonymity(config),
        trend_weeks=config.report.trend_weeks,
        lang=config.report.language or config.organisation.language,
        now=clock.now(),
    )
    secrets = config.secrets
    slack = None
    if secrets.slack_bot_token is not None:
        slack = AsyncWebClient(
            token=secrets.slack_bot_token.get_secret_value(),
            base_url=config.slack.api_url or AsyncWebClient.BASE_URL,
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
        results = await publish_week(report=report, runs=repository, posters=posters, clock=clock)
    finally:
        if bot is not None:
            await bot.shutdown()
    log.info("weekly report", extra={"week": str(week), "results": [r.outcome for r in results]})
    return list(results)


def _anonymity(config: Config) -> Anonymity:
    found = config.anonymity
    if found.min_commenters is None:
        return Anonymity(min_respondents=found.min_respondents)
    return Anonymity(min_respondents=found.min_respondents, min_commenters=found.min_commenters)
