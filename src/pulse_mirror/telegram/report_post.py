"""The weekly report in Telegram: the mirror chart as a photo with a short caption.

:class:`TelegramReportPoster` is the report job's ``ReportPoster`` for the "telegram"
destination; what Telegram says comes back as the send errors of :mod:`pulse_mirror.surveys.ports`.
"""

from __future__ import annotations

from telegram import Bot
from telegram.error import TelegramError

from pulse_mirror.config.settings import Config
from pulse_mirror.surveys.report.build import WeekReport
from pulse_mirror.surveys.report.text import Summary, summary, text
from pulse_mirror.telegram.errors import send_error

DESTINATION = "telegram"
DEFAULT_API_URL = "https://api.telegram.org/bot"
MAX_CAPTION = 1024


def telegram_caption(report: WeekReport, lang: str | None = None) -> str:
    """The photo caption: the finding, the biggest gaps, response rates; at most 1024 chars."""
    lang = lang or report.language
    brief: Summary = summary(report, lang)
    parts = [text("title", lang, week=report.week), brief.headline]
    parts += [f"• {line}" for line in brief.gaps]
    parts += [f"• {line}" for line in brief.uncompared]
    parts += [f"• {line}" for line in brief.rates]
    parts.append(brief.footnote)
    caption = "\n".join(parts)
    return caption if len(caption) <= MAX_CAPTION else caption[: MAX_CAPTION - 1] + "…"


class TelegramReportPoster:
    """Posts the report to one chat as a photo; the bot is initialized only while a run posts."""

    destination = DESTINATION

    def __init__(self, bot: Bot, *, chat_id: int | str) -> None:
        self._bot = bot
        self._chat_id = chat_id

    async def open(self) -> None:
        """Initialize the bot (its HTTP client and who it is)."""
        await self._bot.initialize()

    async def close(self) -> None:
        """Shut the bot's HTTP client down."""
        await self._bot.shutdown()

    async def post(self, report: WeekReport, png: bytes) -> str:
        """Send the mirror chart as a photo with the caption; return the message id."""
        try:
            message = await self._bot.send_photo(
                chat_id=self._chat_id,
                photo=png,
                caption=telegram_caption(report),
                filename=f"pulse-mirror-{report.week}.png",
            )
        except TelegramError as exc:
            raise send_error(exc) from exc
        return str(message.message_id)

    async def post_note(self, note: str) -> str:
        """Send a short text (the intro before the first report); return the message id."""
        try:
            message = await self._bot.send_message(chat_id=self._chat_id, text=note)
        except TelegramError as exc:
            raise send_error(exc) from exc
        return str(message.message_id)


def telegram_report_poster(config: Config) -> TelegramReportPoster | None:
    """The poster for the "telegram" destination; None unless it has a bot token and a chat."""
    token, chat = config.secrets.telegram_bot_token, config.telegram.report_chat_id
    if DESTINATION not in (config.report.destinations or []) or token is None or chat is None:
        return None
    bot = Bot(token.get_secret_value(), base_url=config.telegram.api_url or DEFAULT_API_URL)
    return TelegramReportPoster(bot, chat_id=chat)
