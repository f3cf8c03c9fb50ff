"""Per-method rate limits shaped like Slack's tiers, on an injectable clock."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from pulse_mirror.sandbox.faults import WindowLimiter

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


class RateLimits:
    """The limiter of every method; a call over its limit gets the seconds to wait."""

    def __init__(self, *, now: Callable[[], float] = time.monotonic) -> None:
        self._now = now
        self._limits: dict[str, RateLimit] = {}
        self._limiters: dict[str, WindowLimiter] = {}
        self.reset()

    def reset(self) -> None:
        """Back to the default limits with no calls recorded."""
        self._limits = dict(DEFAULT_LIMITS)
        self._limiters = {}

    def set(self, method: str, limit: RateLimit | None) -> None:
        """Change (or with None remove) the limit of ``method``."""
        self._limiters.pop(method, None)
        if limit is None:
            self._limits.pop(method, None)
        else:
            self._limits[method] = limit

    def current(self) -> dict[str, RateLimit]:
        """The limits in force, per method."""
        return dict(self._limits)

    def retry_after(self, method: str, *, channel: str | None = None) -> int | None:
        """Record a call; None if allowed, else whole seconds to wait (Slack's Retry-After)."""
        limit = self._limits.get(method)
        if limit is None:
            return None
        limiter = self._limiters.get(method)
        if limiter is None:
            limiter = WindowLimiter(limit=limit.limit, per=limit.per, now=self._now)
            self._limiters[method] = limiter
        key = (channel or "") if limit.scope == "channel" else "*"
        wait = limiter.hit(key)
        if wait is None:
            return None
        return max(1, math.ceil(wait))
