"""Fakes of our own ports for the dispatch tests: a virtual clock and plain-text messengers.

The messengers send through the real client libraries (python-telegram-bot, slack_sdk) to the
stand-ins; they only translate the libraries' errors into the dispatcher's send errors.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from pulse_mirror.surveys.conversation import PulseState
from pulse_mirror.surveys.model import Platform
from pulse_mirror.surveys.ports import (
    PermanentSendError,
    RateLimited,
    RecipientGone,
    SendOutcomeUnknown,
    TransientSendError,
)
from pulse_mirror.surveys.records import DeliveryKind
from tests.fakes import FakeClock


@dataclass
class Sent:
    """One message a fake messenger sent."""

    address: str
    kind: DeliveryKind
    token: str
    at: dt.datetime
    items: tuple[str, ...]


@dataclass
class RecordingMessenger:
    """Sends nowhere; records every message with the virtual time it went out."""

    platform: Platform
    clock: FakeClock
    sent: list[Sent] = field(default_factory=list)
    errors: dict[str, list[Exception]] = field(default_factory=dict)

    async def send_pulse(self, *, address: str, state: PulseState, kind: DeliveryKind) -> str:
        """Record the message, or raise the next queued error for this address."""
        queued = self.errors.get(address)
        if queued:
            raise queued.pop(0)
        items = tuple(item.key for item in state.items)
        self.sent.append(Sent(address, kind, state.token, self.clock.now(), items))
        return f"m{len(self.sent)}"

    def per_address(self) -> Counter[tuple[str, DeliveryKind]]:
        """How many messages of each kind each address got."""
        return Counter((sent.address, sent.kind) for sent in self.sent)


def pulse_text(state: PulseState, kind: DeliveryKind) -> str:
    """A plain text for a pulse message (the real adapters render buttons)."""
    first = state.items[0].text_in(state.lang) if state.items else "pulse"
    return f"[{kind.value}] {first} ({state.token})"


class TelegramTextMessenger:
    """sendMessage with a plain text through a real python-telegram-bot ``Bot``."""

    platform = Platform.TELEGRAM

    def __init__(self, bot: Bot) -> None:
        self._bot = bot

    async def send_pulse(self, *, address: str, state: PulseState, kind: DeliveryKind) -> str:
        """Send, and translate PTB's errors into the dispatcher's."""
        try:
            message = await self._bot.send_message(
                chat_id=int(address), text=pulse_text(state, kind)
            )
        except RetryAfter as error:
            seconds = error.retry_after
            wait = seconds.total_seconds() if isinstance(seconds, dt.timedelta) else seconds
            raise RateLimited(str(error), retry_after=float(wait)) from error
        except Forbidden as error:
            raise RecipientGone(str(error)) from error
        except BadRequest as error:
            if "chat not found" in str(error).lower():
                raise RecipientGone(str(error)) from error
            raise PermanentSendError(str(error)) from error
        except TimedOut as error:
            raise SendOutcomeUnknown(str(error)) from error
        except NetworkError as error:
            raise TransientSendError(str(error)) from error
        return str(message.message_id)


class SlackTextMessenger:
    """chat.postMessage with a plain text through a real slack_sdk ``AsyncWebClient``."""

    platform = Platform.SLACK

    def __init__(self, client: AsyncWebClient) -> None:
        self._client = client

    async def send_pulse(self, *, address: str, state: PulseState, kind: DeliveryKind) -> str:
        """Send, and translate slack_sdk's errors into the dispatcher's."""
        try:
            response = await self._client.chat_postMessage(
                channel=address, text=pulse_text(state, kind)
            )
        except SlackApiError as error:
            status = error.response.status_code
            code = str(error.response.get("error", ""))
            if status == 429:
                retry = float(error.response.headers.get("Retry-After", "1"))
                raise RateLimited(code, retry_after=retry) from error
            if status >= 500:
                raise TransientSendError(code) from error
            if code in ("user_disabled", "channel_not_found", "account_inactive"):
                raise RecipientGone(code) from error
            raise PermanentSendError(code) from error
        except TimeoutError as error:
            raise SendOutcomeUnknown("timed out") from error
        return str(response["ts"])
