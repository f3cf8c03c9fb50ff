"""What both stand-ins share: injected faults and sliding-window rate limits."""

from __future__ import annotations

import asyncio
import ipaddress
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from aiohttp import web

FaultKind = Literal["status", "timeout", "drop"]


@dataclass(frozen=True)
class Fault:
    """One injected failure: an HTTP status, a hang that times out, or a dropped connection."""

    kind: FaultKind
    status: int = 500
    delay: float = 30.0
    retry_after: int | None = None  # with status 429: the wait the platform asks for


class FaultPlan:
    """Faults queued per API method, each consumed by the next call of that method."""

    def __init__(self) -> None:
        self._queued: dict[str, deque[Fault]] = defaultdict(deque)

    def inject(self, method: str, fault: Fault, *, times: int = 1) -> None:
        """Make the next ``times`` calls of ``method`` fail with ``fault`` (``*`` = any method)."""
        if times < 1:
            raise ValueError("times must be at least 1")
        self._queued[method].extend([fault] * times)

    def take(self, method: str) -> Fault | None:
        """The fault for this call of ``method``, if one is queued (method-specific first)."""
        for key in (method, "*"):
            queue = self._queued.get(key)
            if queue:
                return queue.popleft()
        return None

    def pending(self) -> dict[str, int]:
        """How many faults are still queued, per method."""
        return {method: len(queue) for method, queue in self._queued.items() if queue}

    def clear(self) -> None:
        """Forget every queued fault."""
        self._queued.clear()


async def apply_fault(request: web.Request, fault: Fault) -> web.StreamResponse:
    """Answer ``request`` the way ``fault`` says: status, hang, or drop the connection."""
    if fault.kind == "timeout":
        await asyncio.sleep(fault.delay)
        return web.json_response({"ok": False, "error": "timeout"}, status=504)
    if fault.kind == "drop":
        if request.transport is not None:
            request.transport.close()
        raise ConnectionResetError("sandbox dropped the connection on purpose")
    if fault.status == 429:
        wait = fault.retry_after or 1
        return web.json_response(  # both platforms' shapes: Telegram's body, Slack's header
            {
                "ok": False,
                "error": "ratelimited",
                "error_code": 429,
                "description": f"Too Many Requests: retry after {wait}",
                "parameters": {"retry_after": wait},
            },
            status=429,
            headers={"Retry-After": str(wait)},
        )
    unavailable = fault.status == 503
    return web.json_response(
        {
            "ok": False,
            "error": "service_unavailable" if unavailable else "internal_error",
            "description": "Service Unavailable" if unavailable else "Internal Server Error",
        },
        status=fault.status,
    )


class WindowLimiter:
    """At most ``limit`` hits per key within any ``per`` seconds (a sliding log)."""

    def __init__(
        self, *, limit: int, per: float, now: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.per = per
        self._now = now
        self._hits: dict[str, deque[float]] = defaultdict(deque)

    def hit(self, key: str) -> float | None:
        """Record a hit; return None if allowed, else the seconds until one would be."""
        now = self._now()
        log = self._hits[key]
        while log and log[0] <= now - self.per:
            log.popleft()
        if len(log) >= self.limit:
            return max(log[0] + self.per - now, 0.001)
        log.append(now)
        return None

    def reset(self) -> None:
        """Forget every recorded hit."""
        self._hits.clear()


def require_loopback(host: str) -> None:
    """Refuse any address outside the loopback range: the stand-ins never face a network."""
    if host == "localhost":
        return
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise ValueError(
            f"the sandbox binds to loopback addresses only (127.0.0.1, ::1), not {host}"
        )
