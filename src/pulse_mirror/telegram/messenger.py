"""The Telegram ``Messenger``: sends a pulse question with its inline keyboard to a customer.

It does not pace itself: the dispatcher waits on Telegram's one pacer before each send.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from telegram import Bot
from telegram.error import Forbidden, TelegramError

from pulse_mirror.surveys.conversation import PulseState
from pulse_mirror.surveys.model import Platform
from pulse_mirror.surveys.ports import PermanentSendError
from pulse_mirror.surveys.records import DeliveryKind
from pulse_mirror.telegram.errors import send_error
from pulse_mirror.telegram.keyboards import render_pulse

log = logging.getLogger(__name__)

GoneCallback = Callable[[str], Awaitable[object]]


class TelegramMessenger:
    """Sends pulses through python-telegram-bot; raises the ports' send errors on failure."""

    platform = Platform.TELEGRAM

    def __init__(self, *, bot: Bot, on_gone: GoneCallback | None = None) -> None:
        self._bot = bot
        self._on_gone = on_gone

    async def send_pulse(self, *, address: str, state: PulseState, kind: DeliveryKind) -> str:
        """Send the pulse's current question (or a reminder); return ``"<chat>:<message>"``."""
        try:
            chat_id = int(address)
        except ValueError:
            raise PermanentSendError(f"{address!r} is not a Telegram chat id") from None
        rendered = render_pulse(state, kind=kind)
        try:
            message = await self._bot.send_message(
                chat_id, rendered.text, reply_markup=rendered.markup
            )
        except TelegramError as error:
            if isinstance(error, Forbidden) and self._on_gone is not None:
                await self._on_gone(address)
            raise send_error(error) from error
        return f"{chat_id}:{message.message_id}"
