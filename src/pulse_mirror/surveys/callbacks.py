"""The compact button payloads both platforms carry, and their strict parser.

A payload names the delivery by its unguessable token, never the person, and fits in
Telegram's 64-byte ``callback_data`` as well as a Slack button value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_BYTES = 64
_TOKEN = r"[A-Za-z0-9_-]{8,32}"
_PATTERNS = {
    "a": re.compile(rf"a:(?P<token>{_TOKEN}):(?P<index>[0-9]{{1,2}}):(?P<value>[0-9]{{1,2}})"),
    "s": re.compile(rf"s:(?P<token>{_TOKEN}):(?P<index>[0-9]{{1,2}})"),
    "c": re.compile(rf"c:(?P<token>{_TOKEN})"),
}


class InvalidCallback(ValueError):
    """A button payload that is malformed, forged or from another product."""


@dataclass(frozen=True)
class Choice:
    """The person picked ``value`` for question number ``index`` (0-based) of a delivery."""

    token: str
    index: int
    value: int


@dataclass(frozen=True)
class Skip:
    """The person skipped question ``index`` of a delivery."""

    token: str
    index: int


@dataclass(frozen=True)
class CommentRequest:
    """The person wants to add a comment to a delivery."""

    token: str


Callback = Choice | Skip | CommentRequest


def encode(callback: Callback) -> str:
    """The payload string for a button."""
    if isinstance(callback, Choice):
        text = f"a:{callback.token}:{callback.index}:{callback.value}"
    elif isinstance(callback, Skip):
        text = f"s:{callback.token}:{callback.index}"
    else:
        text = f"c:{callback.token}"
    if len(text.encode()) > MAX_BYTES or parse_or_none(text) != callback:
        raise ValueError(f"cannot encode {callback!r} as a button payload")
    return text


def parse(data: str) -> Callback:
    """Parse a button payload; raise InvalidCallback for anything not made by ``encode``."""
    parsed = parse_or_none(data)
    if parsed is None:
        raise InvalidCallback("unknown or malformed button")
    return parsed


def parse_or_none(data: str) -> Callback | None:
    """Like ``parse`` but returns None for a payload that is not ours."""
    if not isinstance(data, str) or len(data.encode("utf-8", "replace")) > MAX_BYTES:
        return None
    pattern = _PATTERNS.get(data[:1])
    match = pattern.fullmatch(data) if pattern else None
    if match is None:
        return None
    token = match.group("token")
    if data[0] == "c":
        return CommentRequest(token)
    index = int(match.group("index"))
    if data[0] == "s":
        return Skip(token, index)
    return Choice(token, index, int(match.group("value")))
