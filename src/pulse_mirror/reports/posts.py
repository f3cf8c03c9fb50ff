"""The weekly report as a Slack post (chart upload + Block Kit summary) and a Telegram photo."""

from __future__ import annotations

from typing import Any

from slack_sdk.web.async_client import AsyncWebClient
from telegram import Bot

from pulse_mirror.surveys.report.build import WeekReport
from pulse_mirror.surveys.report.text import Summary, summary, text

MAX_CAPTION = 1024
_NONE = {"en": "none this week", "de": "diese Woche keine"}


def slack_blocks(report: WeekReport, lang: str | None = None) -> list[dict[str, Any]]:
    """Block Kit: the finding, the three biggest real gaps, changes, response rates, method."""
    lang = lang or report.language
    brief = summary(report, lang)
    none = _NONE.get(lang, _NONE["en"])

    def section(title: str, lines: tuple[str, ...]) -> dict[str, Any]:
        body = "\n".join(f"• {line}" for line in lines) or f"• {none}"
        return {"type": "section", "text": {"type": "mrkdwn", "text": f"*{title}*\n{body}"[:3000]}}

    return [
        {
            "type": "header",
            "text": {"type": "plain_text", "text": text("title", lang, week=report.week)},
        },
        {"type": "section", "text": {"type": "mrkdwn", "text": f"*{brief.headline}*"}},
        section(text("gaps", lang), brief.gaps),
        section(text("changed", lang), brief.changes),
        section(text("rates", lang), brief.rates),
        {
            "type": "context",
            "elements": [
                {"type": "mrkdwn", "text": f"{text('method', lang)}: {brief.method}"},
                {"type": "mrkdwn", "text": brief.footnote},
            ],
        },
    ]


def telegram_caption(report: WeekReport, lang: str | None = None) -> str:
    """The photo caption: the finding, the biggest gaps, response rates; at most 1024 chars."""
    lang = lang or report.language
    brief: Summary = summary(report, lang)
    parts = [text("title", lang, week=report.week), brief.headline]
    parts += [f"• {line}" for line in brief.gaps]
    parts += [f"• {line}" for line in brief.rates]
    parts.append(brief.footnote)
    caption = "\n".join(parts)
    return caption if len(caption) <= MAX_CAPTION else caption[: MAX_CAPTION - 1] + "…"


async def post_to_slack(
    client: AsyncWebClient,
    *,
    channel: str,
    report: WeekReport,
    png: bytes,
    uploaded: set[str] | None = None,
) -> str:
    """Upload the mirror chart to ``channel`` and post the summary; return the summary's ts.

    ``uploaded`` remembers the weeks whose chart is already in the channel, so a retry after
    a failed summary does not upload the chart a second time.
    """
    lang = report.language
    brief = summary(report, lang)
    done = uploaded if uploaded is not None else set()
    if str(report.week) not in done:
        await client.files_upload_v2(
            channel=channel,
            file=png,
            filename=f"pulse-mirror-{report.week}.png",
            title=brief.headline,
            alt_txt=brief.headline,
            initial_comment=text("title", lang, week=report.week),
        )
        done.add(str(report.week))
    response = await client.chat_postMessage(
        channel=channel, text=brief.headline, blocks=slack_blocks(report, lang)
    )
    return str(response["ts"])


async def post_to_telegram(bot: Bot, *, chat_id: int | str, report: WeekReport, png: bytes) -> str:
    """Send the mirror chart as a photo with the caption; return the message id."""
    message = await bot.send_photo(
        chat_id=chat_id,
        photo=png,
        caption=telegram_caption(report),
        filename=f"pulse-mirror-{report.week}.png",
    )
    return str(message.message_id)
