"""Slack Web API clients that take the proxy from ``pulse_mirror.proxies``, not from slack_sdk.

slack_sdk reads ``HTTPS_PROXY`` and ignores ``NO_PROXY``: with a proxy set, even calls to a
local stand-in would go through it. These clients honour ``NO_PROXY`` and go direct to
loopback.
"""

from __future__ import annotations

from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from pulse_mirror.proxies import proxy_for


def web_client(*, token: str | None, base_url: str, **options: Any) -> AsyncWebClient:
    """An ``AsyncWebClient`` for ``base_url`` with the right proxy (``options`` as slack_sdk's)."""
    client = AsyncWebClient(token=token, base_url=base_url, **options)
    client.proxy = proxy_for(base_url)
    return client
