"""The seal on the consent button: "Yes, ask me" counts only from a prompt the bot showed.

A Telegram client can send any ``callback_data`` it likes, so a bare ``o:<segment>`` would
opt in anyone who never saw the consent prompt. Nothing may be stored before consent, so the
proof travels in the button itself: ``o:<segment ref>:<issue day>:<mac>``, where the MAC is
an HMAC-SHA256 over the person's private chat (whose id is the person's id), the segment
reference and the day the prompt was sent, keyed by a secret derived from the bot token.
A tap is accepted from that person only, for ``MAX_AGE_DAYS`` days; anything else is
refused and stores nothing. At most 2 + 16 + 1 + 7 + 1 + 16 = 43 bytes (the chat id is in
the MAC, not in the payload): below Telegram's 64-byte ``callback_data`` limit.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import re

PREFIX = "o"
MAX_AGE_DAYS = 7
MAX_BYTES = 64
_MAC_BYTES = 12  # 96 bits: guessing one takes 2**95 taps on average
_DATA = re.compile(
    r"o:(?P<ref>[0-9a-f]{1,16}):(?P<day>[0-9]{1,7}):(?P<mac>[A-Za-z0-9_-]{16})", re.ASCII
)
_PURPOSE = b"pulse-mirror consent button v1"


def consent_key(bot_token: str) -> bytes:
    """The seal's key, derived from the bot token (one secret less to configure)."""
    return hmac.new(bot_token.encode(), _PURPOSE, hashlib.sha256).digest()


def _day(now: dt.datetime) -> int:
    return int(now.timestamp() // 86_400)


class ConsentSeal:
    """Issues and checks the consent button's payload."""

    def __init__(self, key: bytes, *, max_age_days: int = MAX_AGE_DAYS) -> None:
        """A seal with ``key``; a prompt's button works for ``max_age_days`` days."""
        if len(key) < 16:
            raise ValueError("the consent key must have at least 16 bytes")
        self._key = key
        self._max_age = max_age_days

    def issue(self, *, chat_id: int, segment_ref: str, now: dt.datetime) -> str:
        """The ``callback_data`` of "Yes, ask me" shown to ``chat_id`` at ``now``."""
        day = _day(now)
        data = f"{PREFIX}:{segment_ref}:{day}:{self._mac(chat_id, segment_ref, day)}"
        if len(data.encode()) > MAX_BYTES or _DATA.fullmatch(data) is None:
            raise ValueError("cannot seal this segment reference into a button")
        return data

    def check(self, data: str, *, chat_id: int, now: dt.datetime) -> str | None:
        """The segment reference of a genuine, fresh button tapped in ``chat_id``; else None."""
        match = _DATA.fullmatch(data)
        if match is None:
            return None
        ref, day = match.group("ref"), int(match.group("day"))
        expected = self._mac(chat_id, ref, day)
        if not hmac.compare_digest(expected.encode(), match.group("mac").encode()):
            return None
        age = _day(now) - day
        # One day into the future is tolerated: replicas' clocks may straddle midnight.
        if not -1 <= age <= self._max_age:
            return None
        return ref

    def _mac(self, chat_id: int, segment_ref: str, day: int) -> str:
        message = f"{chat_id}:{segment_ref}:{day}".encode()
        digest = hmac.new(self._key, message, hashlib.sha256).digest()[:_MAC_BYTES]
        return base64.urlsafe_b64encode(digest).decode()


def is_consent(data: str) -> bool:
    """Whether a button payload claims to be "Yes, ask me" (genuine or not)."""
    return data.startswith(f"{PREFIX}:")
