"""What the two webhook doors (Slack's events, Telegram's updates) share: a capped read, a refusal.

Each door verifies its platform's proof before parsing; both read the body in chunks up to a
limit and refuse with one short, rate-limited log line (see ``logs.RefusalLog``).
"""

from __future__ import annotations

from aiohttp import web

from pulse_mirror.logs import RefusalLog


async def read_capped(request: web.Request, max_bytes: int) -> bytes | None:
    """The body, or None when it is (or declares to be) longer than ``max_bytes``."""
    length = request.content_length
    if length is not None and length > max_bytes:
        return None
    body = bytearray()
    while chunk := await request.content.read(65_536):
        body += chunk
        if len(body) > max_bytes:
            return None
    return bytes(body)


def refuse(refusals: RefusalLog, status: int, reason: str) -> web.Response:
    """Count and (rate-limited) log the refusal; the answer says the reason only."""
    refusals.refused(reason, status=status)
    return web.Response(status=status, text=reason)
