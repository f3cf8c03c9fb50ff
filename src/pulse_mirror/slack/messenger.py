"""The Slack ``Messenger``: posts the pulse as Block Kit into the person's DM, maps Slack's errors.

A pulse is posted with the person's user id as the channel: with a bot token Slack posts it
into the app's DM with that person (the Messages tab of the App Home) and answers with the DM's
``D…`` id, which goes into the stored message ref for ``chat.update``. So no pulse costs a
``conversations.open`` (Tier 3, about 50 a minute), and a restart reopens nothing. Should a
workspace answer ``channel_not_found`` for a user id, the DM is opened once and remembered.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from pulse_mirror.slack.blocks import Framing, fallback_text, pulse_blocks
from pulse_mirror.surveys.conversation import PulseState
from pulse_mirror.surveys.model import Platform
from pulse_mirror.surveys.ports import (
    PermanentSendError,
    RateLimited,
    RecipientGone,
    SendError,
    SendOutcomeUnknown,
    TransientSendError,
)
from pulse_mirror.surveys.records import DeliveryKind

log = logging.getLogger(__name__)

# Slack errors that mean the person cannot be reached any more.
GONE = frozenset(
    {
        "user_not_found",
        "user_disabled",
        "account_inactive",
        "channel_not_found",
        "is_archived",
        "cannot_dm_bot",
        "user_not_visible",
    }
)
# Slack errors that say the request never took effect and may simply be sent again.
TRANSIENT = frozenset({"service_unavailable", "request_timeout"})
# Slack's docs on these: "it's possible some aspect of the operation succeeded before the
# error was raised": the message may be there, so it is never sent again.
UNCERTAIN = frozenset({"internal_error", "fatal_error"})


def message_ref(channel: str, ts: str) -> str:
    """The message reference stored in the outbox: ``<channel>:<ts>``."""
    return f"{channel}:{ts}"


def send_error(error: BaseException, *, sent: bool) -> SendError:
    """The SendError the dispatcher understands for what Slack (or the network) said.

    ``sent`` says whether the request may have reached Slack: a timeout then is not a
    refusal, the message may be there, so it must not be sent again.
    """
    if isinstance(error, SlackApiError):
        response: Any = error.response
        status = getattr(response, "status_code", 200)
        code = str(response.get("error", "")) if hasattr(response, "get") else ""
        if status == 429 or code == "ratelimited":
            headers = getattr(response, "headers", {}) or {}
            retry = headers.get("Retry-After") or headers.get("retry-after") or "1"
            return RateLimited(f"slack: {code or 'ratelimited'}", retry_after=float(retry))
        if code in GONE:
            return RecipientGone(f"slack: {code}")
        if code in UNCERTAIN:
            return SendOutcomeUnknown(f"slack: {code}; the message may have been posted")
        if code in TRANSIENT or status == 503:
            return TransientSendError(f"slack: HTTP {status} {code}".strip())
        if status >= 500:  # a gateway error: the request may have been handled behind it
            return SendOutcomeUnknown(f"slack: HTTP {status} {code}; may have been posted".strip())
        return PermanentSendError(f"slack: {code or f'HTTP {status}'}")
    if isinstance(error, asyncio.TimeoutError | aiohttp.ServerTimeoutError):
        if sent:
            return SendOutcomeUnknown("slack: timed out waiting for chat.postMessage")
        return TransientSendError("slack: timed out before sending")
    if isinstance(error, aiohttp.ClientConnectorError):
        return TransientSendError("slack: connection refused")
    if isinstance(error, aiohttp.ClientError | ConnectionError):
        if sent:
            return SendOutcomeUnknown(f"slack: connection lost ({type(error).__name__})")
        return TransientSendError(f"slack: {type(error).__name__}")
    return PermanentSendError(f"slack: {type(error).__name__}")


class SlackMessenger:
    """Sends pulses to employees as Slack DMs."""

    platform = Platform.SLACK

    def __init__(self, *, client: AsyncWebClient, framing: Framing) -> None:
        self._client = client
        self._framing = framing
        self._channels: dict[str, str] = {}  # DMs opened where a user id was refused

    async def send_pulse(self, *, address: str, state: PulseState, kind: DeliveryKind) -> str:
        """Post the pulse's current question (a reminder says so) to ``address``'s DM."""
        blocks = pulse_blocks(
            state, framing=self._framing, reminder=kind is not DeliveryKind.QUESTION
        )
        text = fallback_text(state, framing=self._framing)
        channel = self._channels.get(address, address)
        try:
            posted = await self._client.chat_postMessage(channel=channel, text=text, blocks=blocks)
        except SlackApiError as error:
            if channel != address or _code(error) != "channel_not_found":
                raise send_error(error, sent=True) from error
            # Nothing was posted: open the DM the classic way, once, and post there.
            channel = await self._open(address)
            try:
                posted = await self._client.chat_postMessage(
                    channel=channel, text=text, blocks=blocks
                )
            except Exception as retry_error:
                raise send_error(retry_error, sent=True) from retry_error
        except Exception as error:
            raise send_error(error, sent=True) from error
        return message_ref(str(posted["channel"]), str(posted["ts"]))

    async def _open(self, user_id: str) -> str:
        try:
            opened = await self._client.conversations_open(users=user_id)
        except Exception as error:
            # Opening a DM changes nothing the person sees: safe to try again.
            raise send_error(error, sent=False) from error
        channel = str(opened["channel"]["id"])
        self._channels[user_id] = channel
        return channel


def _code(error: SlackApiError) -> str:
    response: Any = error.response
    return str(response.get("error", "")) if hasattr(response, "get") else ""
