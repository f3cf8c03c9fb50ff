"""How Slack delivers Events API requests: the Request URL check, the 3-second answer, retries.

From Slack's Events API documentation (https://api.slack.com/apis/events-api, "Error
handling" and "url_verification", https://api.slack.com/events/url_verification):

- Setting a Request URL sends ``{"type": "url_verification", "challenge": ...}``; the URL is
  accepted only if the answer is 200 and echoes the challenge (plain text, form or JSON).
- An event must be answered with a 2xx within three seconds. Otherwise Slack retries it up to
  three times (at once, after one minute, after five minutes), each retry carrying
  ``X-Slack-Retry-Num`` (1, 2, 3) and ``X-Slack-Retry-Reason`` (``http_timeout``,
  ``too_many_redirects``, ``connection_failed``, ``ssl_error``, ``http_error``,
  ``unknown_error``). A non-2xx answer with ``X-Slack-No-Retry: 1`` stops the retries.

The waits between retries are passed to ``pause`` (by default nothing is slept: a test sees
the same sequence of requests at once); each attempt records the wait Slack would have made.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import aiohttp

from pulse_mirror.sandbox.slack import payloads
from pulse_mirror.sandbox.slack.delivery import BotReply, Deliverer, Sent, Signing

EVENT_TIMEOUT = 3.0  # seconds Slack waits for the answer to an event
RETRY_DELAYS = (0.0, 60.0, 300.0)  # before retries 1, 2 and 3

Pause = Callable[[float], Awaitable[None]]


async def no_pause(seconds: float) -> None:
    """Wait for nothing: the retries follow each other at once."""


@dataclass(frozen=True)
class Attempt:
    """One delivery of an event: which retry it was, and what came of it."""

    retry_num: int  # 0 for the first delivery; the X-Slack-Retry-Num sent otherwise
    retry_reason: str | None  # the X-Slack-Retry-Reason sent with it (None the first time)
    waited: float  # seconds Slack waits before this attempt
    status: int | None  # the bot's HTTP status; None when it never answered
    failure: str | None  # the reason Slack retries after this attempt; None if delivered


@dataclass(frozen=True)
class EventDelivery:
    """Every attempt Slack made to deliver one event, and the last HTTP answer."""

    sent: Sent
    attempts: tuple[Attempt, ...]
    reply: BotReply | None

    @property
    def delivered(self) -> bool:
        """Whether the last attempt was answered with a 2xx in time."""
        return self.attempts[-1].failure is None


async def deliver_event(
    deliverer: Deliverer,
    sent: Sent,
    *,
    signing: Signing | None = None,
    timeout: float = EVENT_TIMEOUT,
    pause: Pause = no_pause,
) -> EventDelivery:
    """Deliver an event over HTTP as Slack does: retried up to three times until a 2xx."""
    attempts: list[Attempt] = []
    reply: BotReply | None = None
    reason: str | None = None
    for retry_num in range(len(RETRY_DELAYS) + 1):
        waited = RETRY_DELAYS[retry_num - 1] if retry_num else 0.0
        if waited:
            await pause(waited)
        status: int | None = None
        stop = False
        try:
            answer = await deliverer.post(
                sent,
                signing or Signing(),
                retry_num=retry_num or None,
                retry_reason=reason or "",
                timeout=timeout,
            )
        except (TimeoutError, aiohttp.ServerTimeoutError):
            failure: str | None = "http_timeout"
        except aiohttp.TooManyRedirects:
            failure = "too_many_redirects"
        except aiohttp.ClientSSLError:
            failure = "ssl_error"
        except (aiohttp.ClientConnectionError, OSError):
            failure = "connection_failed"
        except aiohttp.ClientError:
            failure = "unknown_error"
        else:
            reply, status = answer, answer.status
            failure = None if 200 <= status < 300 else "http_error"
            stop = answer.no_retry
        attempts.append(Attempt(retry_num, reason, waited, status, failure))
        if failure is None or stop:
            break
        reason = failure
    return EventDelivery(sent=sent, attempts=tuple(attempts), reply=reply)


@dataclass(frozen=True)
class UrlCheck:
    """The outcome of Slack's url_verification request to a Request URL."""

    url: str
    challenge: str
    status: int | None
    body: str
    verified: bool


async def verify_url(deliverer: Deliverer, url: str, *, timeout: float = EVENT_TIMEOUT) -> UrlCheck:
    """Send Slack's URL verification challenge to ``url``; verified if it is echoed."""
    payload = payloads.url_verification()
    challenge = str(payload["challenge"])
    try:
        reply = await deliverer.post(
            Sent(kind="events_api", payload=payload), Signing(), timeout=timeout, url=url
        )
    except (TimeoutError, aiohttp.ClientError, OSError):
        return UrlCheck(url=url, challenge=challenge, status=None, body="", verified=False)
    verified = reply.status == 200 and echoed(reply.body, challenge)
    return UrlCheck(url, challenge, reply.status, reply.body, verified)


def echoed(body: str, challenge: str) -> bool:
    """Whether ``body`` answers ``challenge`` in one of the three forms Slack accepts."""
    text = body.strip()
    if text == challenge:
        return True
    if urllib.parse.parse_qs(text).get("challenge") == [challenge]:
        return True
    try:
        answer = json.loads(text)
    except ValueError:
        return False
    return isinstance(answer, dict) and answer.get("challenge") == challenge
