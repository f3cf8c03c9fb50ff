"""Sending the bot what Slack sends: signed HTTP requests, or Socket Mode envelopes."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import aiohttp

from pulse_mirror.sandbox.slack.socket import SocketHub

JSON = dict[str, Any]
Kind = Literal["interactive", "events_api"]
Via = Literal["http", "socket"]


def sign(*, secret: str, timestamp: str, body: bytes) -> str:
    """Slack's request signature: ``v0=`` + HMAC-SHA256 of ``v0:{timestamp}:{body}``."""
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Signing:
    """How to sign one request: honestly by default, or forged to test verification."""

    secret: str | None = None  # sign with this secret instead of the real one
    age: float = 0.0  # seconds to backdate the timestamp (Slack rejects > 300)
    tamper: bool = False  # change the body after signing it


@dataclass(frozen=True)
class Sent:
    """What was sent to the bot, kept so it can be replayed as Slack's retries do."""

    kind: Kind
    payload: JSON


@dataclass(frozen=True)
class BotReply:
    """The bot's answer: the HTTP status and body, or the Socket Mode ack."""

    status: int
    body: str
    via: Via
    sent: Sent
    ack: JSON | None = None
    no_retry: bool = False  # the bot answered with ``X-Slack-No-Retry: 1``

    def json(self) -> Any:
        """The body as JSON (the ack's ``payload`` over Socket Mode); None if empty."""
        if self.via == "socket":
            return (self.ack or {}).get("payload")
        return json.loads(self.body) if self.body.strip() else None


class Deliverer:
    """Delivers payloads to the bot over HTTP (signed) or Socket Mode, whichever is set up."""

    def __init__(
        self,
        *,
        signing_secret: str,
        hub: SocketHub,
        wall: Callable[[], float] = time.time,
        timeout: float = 10.0,
    ) -> None:
        self.signing_secret = signing_secret
        self.hub = hub
        self.request_url: str | None = None
        self._wall = wall
        self._timeout = timeout

    async def send(
        self,
        sent: Sent,
        *,
        via: Via | None = None,
        signing: Signing | None = None,
        retry_num: int | None = None,
        retry_reason: str = "http_timeout",
    ) -> BotReply:
        """Deliver ``sent`` once; over Socket Mode when connected, else to the request URL."""
        chosen = via or ("socket" if self.hub.connected else "http")
        if chosen == "socket":
            ack = await self.hub.deliver(
                sent.kind,
                sent.payload,
                accepts_response_payload=_accepts_response(sent),
                retry_attempt=retry_num or 0,
                retry_reason=retry_reason if retry_num else "",
            )
            return BotReply(status=200, body=json.dumps(ack), via="socket", sent=sent, ack=ack)
        return await self.post(
            sent, signing or Signing(), retry_num=retry_num, retry_reason=retry_reason
        )

    async def post(
        self,
        sent: Sent,
        signing: Signing,
        *,
        retry_num: int | None = None,
        retry_reason: str = "http_timeout",
        timeout: float | None = None,
        url: str | None = None,
    ) -> BotReply:
        """POST ``sent`` once, signed, to ``url`` (default: the request URL).

        Raises aiohttp's and asyncio's errors (timeout, refused connection, too many
        redirects) as they come: :mod:`~pulse_mirror.sandbox.slack.events` maps them to the
        retry reasons Slack sends.
        """
        url = url or self.request_url
        if url is None:
            raise RuntimeError("no request URL set and no Socket Mode connection")
        if sent.kind == "interactive":
            body = urllib.parse.urlencode({"payload": json.dumps(sent.payload)}).encode()
            content_type = "application/x-www-form-urlencoded"
        else:
            body = json.dumps(sent.payload).encode()
            content_type = "application/json"
        timestamp = str(int(self._wall() - signing.age))
        signature = sign(
            secret=signing.secret or self.signing_secret, timestamp=timestamp, body=body
        )
        if signing.tamper:
            body = body.replace(b"button", b"buttox", 1) if b"button" in body else body + b" "
        headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": signature,
            "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
        }
        if retry_num is not None:
            headers["X-Slack-Retry-Num"] = str(retry_num)
            headers["X-Slack-Retry-Reason"] = retry_reason
        limit = aiohttp.ClientTimeout(total=self._timeout if timeout is None else timeout)
        async with (
            aiohttp.ClientSession(timeout=limit, trust_env=False) as session,
            # Slack follows at most two redirects, then retries with too_many_redirects.
            session.post(url, data=body, headers=headers, max_redirects=2) as response,
        ):
            text = await response.text()
            return BotReply(
                status=response.status,
                body=text,
                via="http",
                sent=sent,
                no_retry=response.headers.get("X-Slack-No-Retry") == "1",
            )


def _accepts_response(sent: Sent) -> bool:
    return sent.kind == "interactive" and sent.payload.get("type") == "view_submission"
