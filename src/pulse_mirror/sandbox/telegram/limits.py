"""Telegram's limits: message pace per chat and overall, text, caption and button sizes."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from pulse_mirror.sandbox.faults import WindowLimiter
from pulse_mirror.sandbox.telegram.envelope import bad_request, too_many_requests

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64


class Pace:
    """Messages per second to one chat and overall; 0 turns a limit off."""

    def __init__(
        self,
        *,
        per_chat_per_second: float = 1,
        overall_per_second: float = 30,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self._now = now
        self.per_chat_per_second = per_chat_per_second
        self.overall_per_second = overall_per_second
        self._per_chat = self._limiter(per_chat_per_second)
        self._overall = self._limiter(overall_per_second)

    def _limiter(self, per_second: float) -> WindowLimiter | None:
        if per_second <= 0:
            return None
        # A fractional rate (0.5/s) becomes one message per 2 seconds.
        limit = max(1, int(per_second))
        return WindowLimiter(limit=limit, per=limit / per_second, now=self._now)

    def configure(
        self, *, per_chat_per_second: float | None = None, overall_per_second: float | None = None
    ) -> None:
        """Change one or both limits; the hits recorded so far are forgotten."""
        if per_chat_per_second is not None:
            self.per_chat_per_second = per_chat_per_second
        if overall_per_second is not None:
            self.overall_per_second = overall_per_second
        self._per_chat = self._limiter(self.per_chat_per_second)
        self._overall = self._limiter(self.overall_per_second)

    def check(self, chat_id: int) -> None:
        """Count one message to ``chat_id`` or raise Telegram's 429 with ``retry_after``."""
        if self._overall is not None:
            wait = self._overall.hit("*")
            if wait is not None:
                raise too_many_requests(wait)
        if self._per_chat is not None:
            wait = self._per_chat.hit(str(chat_id))
            if wait is not None:
                raise too_many_requests(wait)

    def reset(self) -> None:
        """Forget every recorded message."""
        for limiter in (self._per_chat, self._overall):
            if limiter is not None:
                limiter.reset()

    def describe(self) -> dict[str, float]:
        """The current limits, as the control API shows them."""
        return {
            "per_chat_per_second": self.per_chat_per_second,
            "overall_per_second": self.overall_per_second,
        }


def check_text(text: str | None) -> str:
    """A message text must be 1..4096 characters."""
    if text is None or not text.strip():
        raise bad_request("message text is empty")
    if len(text) > MAX_TEXT:
        raise bad_request("message is too long")
    return text


def check_caption(caption: str | None) -> None:
    """A caption may have at most 1024 characters."""
    if caption is not None and len(caption) > MAX_CAPTION:
        raise bad_request("message caption is too long")


def check_markup(markup: Any) -> dict[str, Any] | None:
    """Validate a reply_markup the way Telegram does for inline keyboards."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    rows = markup.get("inline_keyboard")
    if rows is None:
        return markup
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array')
    for row in rows:
        for button in row:
            if not isinstance(button, dict) or not button.get("text"):
                raise bad_request("can't parse inline keyboard button: Text buttons are unallowed")
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode("utf-8")) <= MAX_CALLBACK_DATA:
                raise bad_request("BUTTON_DATA_INVALID")
    return markup
