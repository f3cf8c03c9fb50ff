"""The weekly report in Slack: the mirror chart as a file, then a Block Kit summary.

:class:`SlackReportPoster` is the report job's ``ReportPoster`` for the "slack" destination;
what Slack or the network says comes back as the send errors of :mod:`pulse_mirror.surveys.ports`.
"""

from __future__ import annotations

from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from pulse_mirror.config.settings import Config
from pulse_mirror.slack.channels import channel_id
from pulse_mirror.slack.clients import web_client
from pulse_mirror.slack.messenger import send_error
from pulse_mirror.surveys.report.build import WeekReport
from pulse_mirror.surveys.report.text import summary, text

DESTINATION = "slack"
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
        *([section(text("uncompared", lang), brief.uncompared)] if brief.uncompared else []),
        section(text("rates", lang), brief.rates),
        {
            "type": "context",
            "elements": [
                {"type": "mrkdwn", "text": f"{text('method', lang)}: {brief.method}"},
                {"type": "mrkdwn", "text": brief.footnote},
            ],
        },
    ]


class SlackReportPoster:
    """Posts the report to one channel, given by id or ``#name`` (looked up once per run).

    A retry after a failed summary does not upload the chart a second time: the poster
    remembers the weeks whose chart is already in the channel.
    """

    destination = DESTINATION

    def __init__(self, client: AsyncWebClient, *, channel: str) -> None:
        self._client = client
        self._channel = channel
        self._channel_id: str | None = None
        self._uploaded: set[str] = set()

    async def open(self) -> None:
        """Nothing to connect: the client opens a connection per call."""

    async def close(self) -> None:
        """Nothing to release."""

    async def post(self, report: WeekReport, png: bytes) -> str:
        """Upload the chart and post the summary; return the summary's ts.

        A channel Slack does not know fails with ``ChannelNotFound`` before anything is sent.
        """
        if self._channel_id is None:
            self._channel_id = await channel_id(self._client, self._channel)
        try:
            return await self._post(self._channel_id, report, png)
        except (SlackApiError, aiohttp.ClientError, TimeoutError) as exc:
            raise send_error(exc, sent=True) from exc

    async def post_note(self, note: str) -> str:
        """Post a short text (the intro before the first report); return its ts."""
        if self._channel_id is None:
            self._channel_id = await channel_id(self._client, self._channel)
        try:
            response = await self._client.chat_postMessage(channel=self._channel_id, text=note)
        except (SlackApiError, aiohttp.ClientError, TimeoutError) as exc:
            raise send_error(exc, sent=True) from exc
        return str(response["ts"])

    async def _post(self, channel: str, report: WeekReport, png: bytes) -> str:
        lang = report.language
        brief = summary(report, lang)
        if str(report.week) not in self._uploaded:
            await self._client.files_upload_v2(
                channel=channel,
                file=png,
                filename=f"pulse-mirror-{report.week}.png",
                title=brief.headline,
                alt_txt=brief.headline,
                initial_comment=text("title", lang, week=report.week),
            )
            self._uploaded.add(str(report.week))
        response = await self._client.chat_postMessage(
            channel=channel, text=brief.headline, blocks=slack_blocks(report, lang)
        )
        return str(response["ts"])


def slack_report_poster(config: Config) -> SlackReportPoster | None:
    """The poster for the "slack" destination; None unless it has a bot token and a channel."""
    token, channel = config.secrets.slack_bot_token, config.slack.report_channel
    if DESTINATION not in (config.report.destinations or []) or token is None or channel is None:
        return None
    client = web_client(  # no retries of its own: the report job knows what may be resent
        token=token.get_secret_value(),
        base_url=config.slack.api_url or AsyncWebClient.BASE_URL,
        retry_handlers=[],
    )
    return SlackReportPoster(client, channel=channel)
