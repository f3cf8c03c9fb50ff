"""The Telegram ``Messenger``: sends a pulse question with its inline keyboard to a customer."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from telegram import Bot
from telegram.error import Forbidden, RetryAfter, TelegramError

from pulse_mirror.surveys.conversation import PulseState
from pulse_mirror.surveys.model import Platform
from pulse_mirror.surveys.ports import PermanentSendError
from pulse_mirror.surveys.records import DeliveryKind
from pulse_mirror.telegram.errors import retry_seconds, send_error
from pulse_mirror.telegram.keyboards import render_pulse
from pulse_mirror.telegram.pacing import Pacer

log = logging.getLogger(__name__)

GoneCallback = Callable[[str], Awaitable[object]]


class TelegramMessenger:
    """Sends pulses through python-telegram-bot; raises the ports' send errors on failure."""

    platform = Platform.TELEGRAM

    def __init__(self, *, bot: Bot, pacer: Pacer, on_gone: GoneCallback | None = None) -> None:
        self._bot = bot
        self._pacer = pacer
        self._on_gone = on_gone

    async def send_pulse(self, *, address: str, state: PulseState, kind: DeliveryKind) -> str:
        """Send the pulse's current question (or a reminder); return ``"<chat>:<message>"``."""
        try:
            chat_id = int(address)
        except ValueError:
            raise PermanentSendError(f"{address!r} is not a Telegram chat id") from None
        rendered = render_pulse(state, kind=kind)
        await self._pacer.wait(chat_id)
        try:
            message = await self._bot.send_message(
                chat_id, rendered.text, reply_markup=rendered.markup
            )
        except TelegramError as error:
            if isinstance(error, RetryAfter):
                self._pacer.hold(chat_id, retry_seconds(error))
            if isinstance(error, Forbidden) and self._on_gone is not None:
                await self._on_gone(address)
            raise send_error(error) from error
        return f"{chat_id}:{message.message_id}"
