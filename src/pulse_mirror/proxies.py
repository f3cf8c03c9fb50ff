"""Which proxy a request to a URL goes through: the environment's, but never for loopback.

The client libraries read ``HTTPS_PROXY`` themselves, and slack_sdk ignores ``NO_PROXY``,
so on a machine with a proxy set, calls to the local stand-ins (``pulse demo``, ``pulse
sandbox``) would be sent to the proxy and fail. Here ``NO_PROXY`` is honoured, and a loopback
host always goes direct.
"""

from __future__ import annotations

import ipaddress
import os
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})
PROXY_VARIABLES = (
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "ALL_PROXY",
    "all_proxy",
)


def is_loopback(host: str) -> bool:
    """Whether ``host`` is this machine: 127.0.0.0/8, ::1 or localhost."""
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def proxy_from_environment(scheme: str, host: str) -> str | None:
    """The proxy the environment names for ``scheme://host`` (None: connect directly)."""
    if not host or is_loopback(host) or urllib.request.proxy_bypass(host):
        return None
    proxies = urllib.request.getproxies()
    return proxies.get(scheme) or proxies.get("all")


def proxy_for(url: str) -> str | None:
    """The proxy for a request to ``url`` (None: connect directly)."""
    parts = urlsplit(url)
    return proxy_from_environment(parts.scheme, parts.hostname or "")


@contextmanager
def without_proxies() -> Iterator[None]:
    """No proxy variables in the environment inside; they are put back on the way out.

    For runs that talk only to 127.0.0.1 (the demo): Bolt builds a Web API client for every
    request, and slack_sdk fills its proxy from the environment whatever ``NO_PROXY`` says.
    """
    saved = {name: os.environ.pop(name) for name in PROXY_VARIABLES if name in os.environ}
    try:
        yield
    finally:
        os.environ.update(saved)
