"""The door of Slack's HTTP mode: size and signature checked on the raw bytes, then the shape.

Verify first, parse second. A request is read up to ``MAX_BODY_BYTES``; its
``X-Slack-Signature`` is checked against ``v0:<timestamp>:<raw body>`` (HMAC-SHA256 with the
signing secret, compared in constant time, timestamp within five minutes) before a byte of
it is decoded. Only then is it decoded and parsed, with Bolt's own parser, inside one guard,
and its shape checked against what the listeners read. Anything refused gets a 4xx and one
short log line (no body, no user id, no value), and repeated refusals are counted rather
than logged one by one (:class:`~pulse_mirror.logs.RefusalLog`).

A signed request that cannot be handled is answered 400, except an Events API callback:
Slack retries those on any other answer than 2xx, so it gets 200 with nothing done.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.request.internals import parse_body

from pulse_mirror.doors import read_capped, refuse
from pulse_mirror.logs import RefusalLog

MAX_BODY_BYTES = 1_000_000  # Slack's largest payloads (a full view's state) are far below
MAX_SKEW_SECONDS = 300  # Slack's own rule: refuse a timestamp more than five minutes off

_TIMESTAMP = re.compile(r"[0-9]{1,12}", re.ASCII)
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}", re.ASCII)
_INTERACTIVE = frozenset(
    {"block_actions", "view_submission", "view_closed", "block_suggestion", "shortcut"}
)


@dataclass(frozen=True)
class Admitted:
    """A verified, parsed request: what Bolt gets, and what it is."""

    bolt: AsyncBoltRequest
    kind: str


class SlackGate:
    """Admits genuine, well-formed Slack requests; refuses everything else with a 4xx."""

    def __init__(
        self,
        signing_secret: str,
        *,
        clock: Callable[[], float] = time.time,
        max_bytes: int = MAX_BODY_BYTES,
        refusals: RefusalLog | None = None,
    ) -> None:
        """A gate for requests signed with ``signing_secret``."""
        self._key = signing_secret.encode()
        self._clock = clock
        self._max_bytes = max_bytes
        self.refusals = refusals or RefusalLog("slack")

    async def admit(self, request: web.Request) -> Admitted | web.Response:
        """The admitted request, or the answer that refuses it."""
        body = await self._read(request)
        if body is None:
            return self._refuse(413, "body too large")
        if not self.signed(body, request.headers):
            return self._refuse(401, "signature missing, stale or wrong")
        try:
            text = body.decode("utf-8")
            payload = parse_body(text, request.headers.get("Content-Type"))
            kind = _kind(payload)
            bolt = AsyncBoltRequest(
                body=text, query=request.query_string, headers=dict(request.headers)
            )
        except (ValueError, TypeError, KeyError, AttributeError, RecursionError, IndexError):
            return self._refuse(400, "signed but not a Slack request")
        return Admitted(bolt=bolt, kind=kind)

    def signed(self, body: bytes, headers: Mapping[str, str]) -> bool:
        """Whether ``body`` carries a valid, fresh signature with this gate's secret."""
        timestamp = headers.get("X-Slack-Request-Timestamp", "")
        signature = headers.get("X-Slack-Signature", "")
        if not _TIMESTAMP.fullmatch(timestamp) or not _SIGNATURE.fullmatch(signature):
            return False
        if abs(self._clock() - int(timestamp)) > MAX_SKEW_SECONDS:
            return False
        base = b"v0:" + timestamp.encode() + b":" + body
        expected = b"v0=" + hmac.new(self._key, base, hashlib.sha256).hexdigest().encode()
        return hmac.compare_digest(expected, signature.encode())

    def refused_after_parse(self, kind: str) -> web.Response:
        """The answer to a signed request that failed while handled (logged once)."""
        if kind == "event_callback":
            return self._refuse(200, "event could not be handled; acknowledged")
        return self._refuse(400, "request could not be handled")

    async def _read(self, request: web.Request) -> bytes | None:
        return await read_capped(request, self._max_bytes)

    def _refuse(self, status: int, reason: str) -> web.Response:
        return refuse(self.refusals, status, reason)


def _kind(payload: Any) -> str:
    """The payload's type, once its shape is what the listeners read; ValueError otherwise."""
    if not isinstance(payload, dict):
        raise ValueError("not an object")
    kind = payload.get("type")
    if kind is None and "ssl_check" in payload:
        return "ssl_check"
    if not isinstance(kind, str):
        raise ValueError("no type")
    if kind in _INTERACTIVE:
        _interactive(payload, kind)
    elif kind == "event_callback":
        event = _object(payload, "event")
        if _text(event, "type") == "app_home_opened":
            _text(event, "user")
        elif "user" in event and not isinstance(event["user"], str | dict):
            raise ValueError("event user")
    elif kind == "url_verification":
        _text(payload, "challenge")
    return kind


def _interactive(payload: dict[str, Any], kind: str) -> None:
    _text(_object(payload, "user"), "id")
    for key in ("container", "team", "channel", "enterprise"):
        if payload.get(key) is not None:
            _object(payload, key)
    for key in ("response_url", "trigger_id"):
        if key in payload:
            _text(payload, key)
    if kind == "block_actions":
        actions = payload.get("actions")
        if not isinstance(actions, list) or not actions:
            raise ValueError("no actions")
        for action in actions:
            if not isinstance(action, dict):
                raise ValueError("action")
            _text(action, "action_id")
            if "value" in action:
                _text(action, "value")
            if action.get("selected_option") is not None:
                _object(action, "selected_option")
    if kind in ("view_submission", "view_closed"):
        view = _object(payload, "view")
        for key in ("id", "type", "callback_id"):
            _text(view, key)
        if view.get("private_metadata") is not None:
            _text(view, "private_metadata")
        state = view.get("state") or {}
        values = state.get("values", {}) if isinstance(state, dict) else None
        if not isinstance(values, dict) or not all(
            isinstance(block, dict) and all(isinstance(e, dict) for e in block.values())
            for block in values.values()
        ):
            raise ValueError("view state")


def _object(payload: dict[str, Any], key: str) -> dict[str, Any]:
    value = payload.get(key)
    if not isinstance(value, dict):
        raise ValueError(f"{key} is not an object")
    return value


def _text(payload: dict[str, Any], key: str) -> str:
    value = payload.get(key)
    if not isinstance(value, str):
        raise ValueError(f"{key} is not a string")
    return value


# Bolt reads SLACK_BOT_TOKEN from the environment even when given a client that has it.
_HARMLESS = ("As you gave `client` as well",)


class _OneShortLine(logging.Filter):
    """Bolt's records as one short line: its own logs can carry request bodies and tracebacks."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Keep the first words of the message and the error's type; drop the rest."""
        message = record.getMessage().splitlines()[0] if record.getMessage() else ""
        if message.startswith(_HARMLESS):
            return False
        message = re.split(r"[({\[:]", message, maxsplit=1)[0].strip()[:120]
        if record.exc_info and record.exc_info[0] is not None:
            message += f" ({record.exc_info[0].__name__})"
        record.msg, record.args = message, None
        record.exc_info, record.exc_text, record.stack_info = None, None, None
        return True


def bolt_logger() -> logging.Logger:
    """The logger Bolt is given: warnings and errors only, each cut to one line without a body.

    Bolt logs a rejected request's whole body at INFO and listener failures with a
    traceback; every logger Bolt makes copies this one's level and filter.
    """
    logger = logging.getLogger("pulse_mirror.slack.bolt")
    logger.setLevel(logging.WARNING)
    if not logger.filters:
        logger.addFilter(_OneShortLine())
    return logger


class RecentEvents:
    """Events API deliveries handled, or being handled, by this process (by ``event_id``).

    Slack retries an event it saw no answer to within 3 s, with the same ``event_id``. A retry
    of an event this process has (or is still working on) is acknowledged and not run again;
    one it never saw (the first try was lost, or went to a replica) is handled as new. The
    only event the bot listens to, ``app_home_opened``, is safe to run twice.
    """

    def __init__(self, size: int = 10_000) -> None:
        """Remember up to ``size`` event ids."""
        self._ids: OrderedDict[str, None] = OrderedDict()
        self._size = size

    def begin(self, event_id: Any) -> bool:
        """Note an event as taken; False if it was taken before (do not run it again)."""
        if not isinstance(event_id, str) or not event_id:
            return True
        if event_id in self._ids:
            return False
        self._ids[event_id] = None
        if len(self._ids) > self._size:
            self._ids.popitem(last=False)
        return True

    def failed(self, event_id: Any) -> None:
        """Forget an event whose handling failed, so Slack's retry runs it again."""
        if isinstance(event_id, str):
            self._ids.pop(event_id, None)
