"""The door of Telegram's webhook: secret, size and shape checked before an update is handled.

Verify first, parse second. The ``X-Telegram-Bot-Api-Secret-Token`` header is compared as
raw bytes, in constant time, before a byte of the body is read: a header that is not UTF-8
is simply a wrong secret (403), never a decoding error. The body is then read up to
``MAX_BODY_BYTES`` (413 beyond) and parsed inside one guard: strict UTF-8, JSON with bounded
numbers and nesting, the few fields the handlers read checked for their type, then
python-telegram-bot's own ``Update.de_json``. Whatever fails there is the sender's fault and
gets 400. A refusal is logged as one short line naming the reason only (no body, no user id,
no value), and repeated refusals are counted rather than logged one by one
(:class:`~pulse_mirror.logs.RefusalLog`).
"""

from __future__ import annotations

import hmac
import json
import math
from typing import Any

from aiohttp import web
from telegram import Bot, Update

from pulse_mirror.doors import read_capped, refuse
from pulse_mirror.logs import RefusalLog

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Telegram's largest updates (a 4,096-character message with entities, a quoted reply and
# a keyboard) are a few tens of kilobytes; a quarter of a megabyte leaves room for growth.
MAX_BODY_BYTES = 256 * 1024
# An update nests about eight levels deep (callback_query.message.reply_markup.keyboard
# rows); 32 leaves room for new fields while keeping a pathological document out.
MAX_DEPTH = 32
_HEADER = SECRET_HEADER.lower().encode()
_MAX_INT = 2**63  # Telegram's identifiers fit in a signed 64-bit integer
_CHAT_KINDS = ("message", "edited_message", "channel_post", "edited_channel_post")


class NotAnUpdate(ValueError):
    """A body with the right secret that is not a Telegram update the bot can handle."""


class WebhookGate:
    """Admits genuine, well-formed updates; refuses everything else with a 4xx."""

    def __init__(
        self,
        secret: str,
        *,
        bot: Bot,
        max_bytes: int = MAX_BODY_BYTES,
        refusals: RefusalLog | None = None,
    ) -> None:
        """A gate for updates carrying ``secret``, parsed for ``bot``."""
        self._secret = secret.encode()
        self._bot = bot
        self._max_bytes = max_bytes
        self.refusals = refusals or RefusalLog("telegram")

    async def admit(self, request: web.Request) -> Update | web.Response:
        """The admitted update, or the answer that refuses the request."""
        if not self.authentic(request):
            return self._refuse(403, "secret token missing or wrong")
        body = await self._read(request)
        if body is None:
            return self._refuse(413, "body too large")
        try:
            return parse_update(body, self._bot)
        except Exception:  # PTB raises anything from KeyError to OverflowError on junk: all 400
            return self._refuse(400, "not a Telegram update")

    def authentic(self, request: web.Request) -> bool:
        """Whether the request carries exactly one secret header, equal to ours (as bytes)."""
        given = [value for name, value in request.raw_headers if name.lower() == _HEADER]
        return len(given) == 1 and hmac.compare_digest(given[0], self._secret)

    async def _read(self, request: web.Request) -> bytes | None:
        return await read_capped(request, self._max_bytes)

    def _refuse(self, status: int, reason: str) -> web.Response:
        return refuse(self.refusals, status, reason)


def parse_update(body: bytes, bot: Bot) -> Update:
    """The update in ``body``; raises (NotAnUpdate or PTB's own error) for anything else."""
    data = json.loads(
        body.decode("utf-8"),
        parse_int=_integer,
        parse_float=_finite,
        parse_constant=_no_constant,
    )
    _check_depth(data)
    check_shape(data)
    update = Update.de_json(data, bot)
    if not isinstance(update, Update):
        raise NotAnUpdate("no update")
    return update


def check_shape(data: Any) -> None:
    """Raise NotAnUpdate unless ``data`` has the types the handlers rely on."""
    if not isinstance(data, dict):
        raise NotAnUpdate("not an object")
    if not _is_int(data.get("update_id")) or data["update_id"] < 0:
        raise NotAnUpdate("update_id")
    kinds = [key for key in data if key != "update_id"]
    if not kinds:
        raise NotAnUpdate("no content")
    for kind in kinds:
        if kind in _CHAT_KINDS:
            _message(data[kind])
        elif kind == "callback_query":
            query = _object(data[kind])
            _user(query.get("from"))
            _optional(query, "data", str)
            if query.get("message") is not None:
                _chat(_object(query["message"]).get("chat"))
        elif kind == "my_chat_member":
            change = _object(data[kind])
            _chat(change.get("chat"))
            _user(change.get("from"))
            _optional(_object(change.get("new_chat_member")), "status", str)


def _message(value: Any) -> None:
    message = _object(value)
    _chat(message.get("chat"))
    if message.get("from") is not None:
        _user(message["from"])
    for key in ("text", "caption"):
        _optional(message, key, str)
    for key in ("message_id", "message_thread_id"):
        _optional(message, key, int)


def _chat(value: Any) -> None:
    chat = _object(value)
    if not _is_int(chat.get("id")) or not isinstance(chat.get("type"), str):
        raise NotAnUpdate("chat")


def _user(value: Any) -> None:
    user = _object(value)
    if not _is_int(user.get("id")):
        raise NotAnUpdate("user")
    _optional(user, "language_code", str)


def _object(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise NotAnUpdate("not an object")
    return value


def _optional(data: dict[str, Any], key: str, kind: type) -> None:
    value = data.get(key)
    if value is None:
        return
    if kind is int and not _is_int(value):
        raise NotAnUpdate(key)
    if not isinstance(value, kind):
        raise NotAnUpdate(key)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _integer(text: str) -> int:
    if len(text) > 20:  # checked on the digits, before int() spends time on a huge number
        raise NotAnUpdate("number too large")
    value = int(text)
    if not -_MAX_INT <= value < _MAX_INT:
        raise NotAnUpdate("number too large")
    return value


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise NotAnUpdate("number too large")
    return value


def _no_constant(text: str) -> float:
    raise NotAnUpdate(f"{text[:10]} is not JSON")


def _check_depth(data: Any) -> None:
    """Raise NotAnUpdate if containers nest deeper than MAX_DEPTH (walked without recursion)."""
    if not isinstance(data, dict | list):
        return
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise NotAnUpdate("nested too deeply")
        items = value.values() if isinstance(value, dict) else value
        stack.extend((item, depth + 1) for item in items if isinstance(item, dict | list))
