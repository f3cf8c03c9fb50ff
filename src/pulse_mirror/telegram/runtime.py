"""Telegram wired into the app: the PTB ``Application``, polling or webhook, and the messenger.

``build_telegram`` only builds; nothing talks to Telegram until ``start()``, which checks the
token with ``getMe``, registers the commands in English and German, and then polls or sets
the webhook. In webhook mode the route for the shared aiohttp server admits an update only
through the ``WebhookGate`` (secret header, size, shape; ``telegram/gate.py``): anything else
gets a 4xx, never a 5xx, and nothing of it reaches the handlers.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import secrets
from collections.abc import Callable, Sequence
from urllib.parse import urlparse

from aiohttp import web
from telegram import BotCommand
from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.ext import Application, ApplicationBuilder
from telegram.request import BaseRequest

from pulse_mirror.config.settings import Config
from pulse_mirror.outbox.pacing import Pacer, Rate
from pulse_mirror.platforms import StartupError
from pulse_mirror.surveys.customers import Customers, CustomerSettings
from pulse_mirror.surveys.model import Platform
from pulse_mirror.surveys.ports import Clock
from pulse_mirror.surveys.service import PulseAnswers
from pulse_mirror.surveys.stores import CustomerStore
from pulse_mirror.telegram.consent import ConsentSeal, consent_key
from pulse_mirror.telegram.gate import SECRET_HEADER as SECRET_HEADER  # re-exported
from pulse_mirror.telegram.gate import WebhookGate
from pulse_mirror.telegram.handlers import TelegramHandlers
from pulse_mirror.telegram.messenger import TelegramMessenger
from pulse_mirror.telegram.ordering import ChatOrder
from pulse_mirror.telegram.outbound import Outbound
from pulse_mirror.telegram.request import DEFAULT_POOL_SIZE, AiohttpRequest
from pulse_mirror.telegram.texts import COMMANDS
from pulse_mirror.telegram.texts import text as tg_text

log = logging.getLogger(__name__)

ALLOWED_UPDATES = ("message", "edited_message", "callback_query", "my_chat_member")
DEFAULT_API_URL = "https://api.telegram.org/bot"
DEFAULT_WEBHOOK_PATH = "/telegram/webhook"
# PTB's own figure for concurrent_updates(True). Taps wait on the database; with more of them
# in flight the answer writer commits them in fewer, bigger transactions (measured: 3,000
# taps in ~35 commits instead of ~450 at 16), and reads and writes are batched, so the pool
# of database connections is not what bounds it.
DEFAULT_CONCURRENT_UPDATES = 256


class TelegramRuntime:
    """The Telegram side of the running bot (a ``PlatformRuntime``).

    ``pacer`` is Telegram's one pacer: the dispatcher's pulses and the handlers' replies and
    confirmations all wait on it.
    """

    platform = Platform.TELEGRAM

    def __init__(
        self,
        *,
        application: Application,  # type: ignore[type-arg]
        messenger: TelegramMessenger,
        pacer: Pacer,
        outbound: Outbound,
        customers: Customers,
        mode: str,
        api_url: str,
        webhook_url: str | None,
        webhook_secret: str,
        poll_timeout: float = 10.0,
        requests: Sequence[BaseRequest] = (),
    ) -> None:
        self.application = application
        self._requests = tuple(requests)
        self.messenger = messenger
        self.pacer = pacer
        self.outbound = outbound
        self.customers = customers
        self.mode = mode
        self._api_url = api_url
        self._webhook_url = webhook_url
        self._secret = webhook_secret
        self.gate = WebhookGate(webhook_secret, bot=application.bot)
        self._poll_timeout = poll_timeout
        self._running = False

    def on_reply_rate_limited(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` for each 429 a handler's own reply gets (not the dispatcher's)."""
        self.outbound.rate_limited.listen(listener)

    async def start(self) -> None:
        """Check the token (getMe), register the commands, then poll or set the webhook.

        A start that fails leaves no connection pool open behind it.
        """
        try:
            await self._start()
        except BaseException:
            await self._close_requests()
            raise

    async def _close_requests(self) -> None:
        # Undo whatever part of the start ran; PTB shuts its requests down only after a
        # successful initialize, so they are closed here too (closing twice is harmless).
        steps = [self.outbound.stop, self.application.shutdown]
        if self.application.running:
            steps.insert(0, self.application.stop)
        for step in [*steps, *(request.shutdown for request in self._requests)]:
            with contextlib.suppress(Exception):
                await step()

    async def _start(self) -> None:
        try:
            await self.application.initialize()
        except InvalidToken:
            raise StartupError(
                "Telegram refused the bot token (getMe: Unauthorized); check TELEGRAM_BOT_TOKEN"
            ) from None
        except NetworkError as error:
            raise StartupError(
                f"cannot reach the Telegram Bot API at {self._api_url} ({error.message})"
            ) from None
        try:
            await self._set_commands()
            self.outbound.start()
            await self.application.start()
            if self.mode == "webhook":
                await self.application.bot.set_webhook(
                    self._webhook_url or "",
                    secret_token=self._secret,
                    allowed_updates=list(ALLOWED_UPDATES),
                )
            else:
                updater = self.application.updater
                assert updater is not None
                await updater.start_polling(
                    poll_interval=0,
                    timeout=dt.timedelta(seconds=self._poll_timeout),
                    allowed_updates=list(ALLOWED_UPDATES),
                    drop_pending_updates=False,
                )
        except TelegramError as error:
            raise StartupError(f"Telegram start-up failed: {error.message}") from None
        self._running = True
        log.info("telegram started", extra={"mode": self.mode})

    async def _set_commands(self) -> None:
        bot = self.application.bot
        for lang in ("en", "de"):
            commands = [BotCommand(name, tg_text(f"command.{name}", lang)) for name in COMMANDS]
            await bot.set_my_commands(commands, language_code=None if lang == "en" else lang)

    async def stop(self) -> None:
        """Stop polling, let running handlers and queued confirmations finish, disconnect."""
        if not self._running:
            return
        self._running = False
        updater = self.application.updater
        if updater is not None and updater.running:
            await updater.stop()
        await self.application.stop()
        await self.outbound.stop()
        await self.application.shutdown()
        log.info("telegram stopped")

    def routes(self) -> Sequence[web.RouteDef]:
        """The webhook route in webhook mode; nothing in polling mode."""
        if self.mode != "webhook":
            return []
        return [web.post(webhook_path(self._webhook_url), self.receive)]

    async def receive(self, request: web.Request) -> web.Response:
        """One update POSTed by Telegram: admitted by the gate, queued, acknowledged."""
        update = await self.gate.admit(request)
        if isinstance(update, web.Response):
            return update
        if not self._running:  # Telegram retries a 503 later: the update is not lost
            return web.Response(status=503, text="not running")
        # Queued, not awaited: Telegram sends a chat's next update only after this one was
        # answered, over at most max_connections requests, so answering only after the
        # handler ran would hold back every tap behind slow ones. The application handles
        # queued updates like polled ones (concurrently).
        await self.application.update_queue.put(update)
        return web.Response(text="ok")


def webhook_path(url: str | None) -> str:
    """The local path of the public webhook URL (Telegram POSTs there)."""
    path = urlparse(url).path if url else ""
    return path or DEFAULT_WEBHOOK_PATH


def customer_settings(config: Config) -> CustomerSettings:
    """The customer use cases' settings from the config."""
    return CustomerSettings(
        organisation=config.organisation.name,
        time_zone=config.organisation.timezone,
        default_language=config.organisation.language,
        min_days_between=config.surveys.customers.min_days_between,
        segments=dict(config.telegram.segments),
        default_segment=config.telegram.default_segment,
        comment_max_chars=config.surveys.customers.comment_max_chars,
    )


def telegram_pacer(config: Config, clock: Clock) -> Pacer:
    """Telegram's configured pace: messages a second overall and per chat."""
    rate = config.telegram.rate
    return Pacer(
        clock=clock,
        overall=Rate.per_second(rate.per_second),
        per_chat=Rate.per_second(rate.per_chat_per_second),
    )


def build_telegram(
    config: Config,
    *,
    answers: PulseAnswers,
    repository: CustomerStore,
    clock: Clock,
    concurrent_updates: int = DEFAULT_CONCURRENT_UPDATES,
    poll_timeout: float = 10.0,
    outbound_parallel: int = 8,
    connection_pool_size: int = DEFAULT_POOL_SIZE,
) -> TelegramRuntime:
    """Build (but do not start) the Telegram runtime from the config."""
    token = config.secrets.telegram_bot_token
    if token is None:
        raise StartupError("TELEGRAM_BOT_TOKEN is not set; Telegram cannot start")
    api_url = config.telegram.api_url or DEFAULT_API_URL
    requests = (AiohttpRequest(connection_pool_size=connection_pool_size),
                AiohttpRequest(connection_pool_size=1))  # fmt: skip
    builder = (
        ApplicationBuilder()
        .token(token.get_secret_value())
        .base_url(api_url)
        .base_file_url(_file_url(api_url))
        .concurrent_updates(ChatOrder(concurrent_updates))
        .request(requests[0])
        .get_updates_request(requests[1])
    )
    if config.telegram.mode == "webhook":
        builder = builder.updater(None)
    application = builder.build()
    customers = Customers(repository=repository, clock=clock, settings=customer_settings(config))
    pacer = telegram_pacer(config, clock)

    async def gone(chat_id: int) -> None:
        await customers.blocked(str(chat_id))

    outbound = Outbound(bot=application.bot, pacer=pacer, on_gone=gone, parallel=outbound_parallel)
    messenger = TelegramMessenger(bot=application.bot, on_gone=customers.blocked)
    handlers = TelegramHandlers(
        answers=answers,
        customers=customers,
        outbound=outbound,
        pacer=pacer,
        clock=clock,
        consent=ConsentSeal(consent_key(token.get_secret_value())),
    )
    handlers.install(application)
    secret = config.secrets.telegram_webhook_secret
    return TelegramRuntime(
        application=application,
        messenger=messenger,
        pacer=pacer,
        outbound=outbound,
        customers=customers,
        mode=config.telegram.mode,
        api_url=api_url,
        webhook_url=config.telegram.webhook_url,
        webhook_secret=secret.get_secret_value() if secret else secrets.token_urlsafe(32),
        poll_timeout=poll_timeout,
        requests=requests,
    )


def _file_url(api_url: str) -> str:
    base = api_url.rstrip("/")
    if base.endswith("/bot"):
        return base[: -len("/bot")] + "/file/bot"
    return base + "/file/bot"
