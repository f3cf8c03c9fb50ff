"""Per-method rate limits shaped like Slack's tiers, on an injectable clock.

``chat.postMessage`` is limited per channel (a burst of 5, then 1/s) and, when a ceiling is
set, across the workspace: Slack keeps such a limit and does not publish it, so the bot is
never told; both are answered with 429 and ``Retry-After``. A refused call is not counted.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

Scope = Literal["method", "channel"]


@dataclass(frozen=True)
class RateLimit:
    """At most ``limit`` calls per ``per`` seconds, counted per method or per channel."""

    limit: int
    per: float
    scope: Scope = "method"


# Slack's tiers: 1 ~ a few per minute, 2 = 20/min, 3 = 50/min, 4 = 100/min.
TIER_1 = RateLimit(limit=5, per=60.0)
TIER_2 = RateLimit(limit=20, per=60.0)
TIER_3 = RateLimit(limit=50, per=60.0)
TIER_4 = RateLimit(limit=100, per=60.0)

DEFAULT_LIMITS: dict[str, RateLimit] = {
    "auth.test": TIER_4,
    "users.list": TIER_2,
    "users.info": TIER_4,
    "conversations.open": TIER_3,
    "conversations.info": TIER_3,
    "conversations.list": TIER_2,
    # "1 per second per channel, short bursts allowed": a burst of 5, then 1/s on average.
    "chat.postMessage": RateLimit(limit=5, per=5.0, scope="channel"),
    "chat.update": TIER_3,
    "chat.postEphemeral": TIER_4,
    "views.open": TIER_4,
    "views.update": TIER_4,
    "views.publish": TIER_4,
    "files.getUploadURLExternal": TIER_4,
    "files.completeUploadExternal": TIER_4,
    "apps.connections.open": TIER_1,
}


CEILING_METHODS = frozenset({"chat.postMessage"})


class SlidingWindow:
    """At most ``limit`` calls per key within any ``per`` seconds; refused calls don't count."""

    def __init__(self, *, limit: int, per: float, now: Callable[[], float]) -> None:
        self.limit = limit
        self.per = per
        self._now = now
        self._calls: dict[str, deque[float]] = {}

    def wait(self, key: str) -> float | None:
        """None if one more call fits now, else the seconds until one would."""
        now = self._now()
        calls = self._calls.get(key)
        if calls is None:
            return None
        while calls and calls[0] <= now - self.per:
            calls.popleft()
        if not calls:
            del self._calls[key]  # a DM written to once a week must not stay in memory
            return None
        if len(calls) < self.limit:
            return None
        return max(calls[0] + self.per - now, 0.001)

    def record(self, key: str) -> None:
        """Count one call now."""
        self._calls.setdefault(key, deque()).append(self._now())


class RateLimits:
    """The limiter of every method; a call over its limit gets the seconds to wait."""

    def __init__(self, *, now: Callable[[], float] = time.monotonic) -> None:
        self._now = now
        self._limits: dict[str, RateLimit] = {}
        self._windows: dict[str, SlidingWindow] = {}
        self._ceiling: SlidingWindow | None = None
        self.ceiling_per_second: float | None = None
        self.refused: dict[str, int] = {}  # 429s by the limit that refused: method or workspace
        self.reset()

    def reset(self) -> None:
        """Back to the default limits with no calls recorded and no workspace ceiling."""
        self._limits = dict(DEFAULT_LIMITS)
        self._windows = {}
        self.set_ceiling(None)
        self.refused = {}

    def set_ceiling(self, per_second: float | None) -> None:
        """Messages a second the whole workspace may post (None: no ceiling)."""
        if per_second is not None and per_second <= 0:
            raise ValueError("the ceiling must be above 0 messages a second")
        self.ceiling_per_second = per_second
        self._ceiling = None
        if per_second is not None:
            limit = max(1, round(per_second))  # the ceiling's messages within any second
            self._ceiling = SlidingWindow(limit=limit, per=limit / per_second, now=self._now)

    def set(self, method: str, limit: RateLimit | None) -> None:
        """Change (or with None remove) the limit of ``method``."""
        self._windows.pop(method, None)
        if limit is None:
            self._limits.pop(method, None)
        else:
            self._limits[method] = limit

    def current(self) -> dict[str, RateLimit]:
        """The limits in force, per method."""
        return dict(self._limits)

    def retry_after(self, method: str, *, channel: str | None = None) -> int | None:
        """Record a call; None if allowed, else whole seconds to wait (Slack's Retry-After).

        ``channel`` is the conversation a per-channel limit counts by (a user id and the DM
        with that user are one conversation; the caller resolves that).
        """
        checks: list[tuple[str, SlidingWindow, str]] = []
        limit = self._limits.get(method)
        if limit is not None:
            window = self._windows.get(method)
            if window is None:
                window = SlidingWindow(limit=limit.limit, per=limit.per, now=self._now)
                self._windows[method] = window
            key = (channel or "") if limit.scope == "channel" else "*"
            checks.append((method, window, key))
        if self._ceiling is not None and method in CEILING_METHODS:
            checks.append(("workspace", self._ceiling, "*"))
        for name, window, key in checks:
            wait = window.wait(key)
            if wait is not None:
                self.refused[name] = self.refused.get(name, 0) + 1
                return max(1, math.ceil(wait))
        for _, window, key in checks:
            window.record(key)
        return None
