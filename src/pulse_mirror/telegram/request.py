"""Bot API calls over aiohttp: python-telegram-bot's ``BaseRequest`` on the bot's own client.

PTB's default ``HTTPXRequest`` costs more CPU per call than the call itself on a fast link.
Profiled under a burst of taps, httpx's pool bookkeeping alone (an expiry check with a
``getpeername`` syscall on every idle connection, for every request) took a quarter of the
bot's event loop, and every tap makes two calls (answer the query, edit the message). The bot
already serves webhooks with aiohttp; the same library carries its Bot API calls.

Errors are PTB's: a timeout raises ``TimedOut``, a failure to connect ``NetworkError``, and a
connection lost once the request was out ``ConnectionLost`` (a ``NetworkError`` that says the
call may have taken effect).
Proxies come from the environment (``HTTPS_PROXY``, ``NO_PROXY``), as with PTB's default,
looked up once per host: aiohttp's own ``trust_env`` would also read ``~/.netrc`` in a
thread for every request, which under a burst cost the loop more than the request itself.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from pulse_mirror.proxies import proxy_from_environment

DEFAULT_POOL_SIZE = 64


class ConnectionLost(NetworkError):
    """The connection broke after the request went out: Telegram may have acted on it.

    A message sent again after this could arrive twice; an edit may simply be repeated.
    """


class AiohttpRequest(BaseRequest):
    """Sends PTB's requests with one ``aiohttp.ClientSession`` and a bounded connection pool."""

    __slots__ = (
        "_connect_timeout",
        "_media_write_timeout",
        "_pool_size",
        "_pool_timeout",
        "_proxies",
        "_read_timeout",
        "_session",
        "_write_timeout",
    )

    def __init__(
        self,
        *,
        connection_pool_size: int = DEFAULT_POOL_SIZE,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        """Timeouts in seconds, as PTB's ``HTTPXRequest`` takes them (None: no limit)."""
        if connection_pool_size < 1:
            raise ValueError(f"connection_pool_size must be at least 1: {connection_pool_size}")
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None
        self._proxies: dict[tuple[str, str], str | None] = {}

    @property
    def read_timeout(self) -> float | None:
        """The default read timeout in seconds."""
        return self._read_timeout

    async def initialize(self) -> None:
        """Open the session (on the running loop)."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size),
                headers={"User-Agent": self.USER_AGENT},
            )

    async def shutdown(self) -> None:
        """Close the session and its connections."""
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """One HTTP request; returns the status code and the body."""
        session = self._session
        if session is None or session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data.multipart_data if request_data else None
        fields = request_data.json_parameters if request_data else {}
        data: aiohttp.FormData | dict[str, str] = fields
        if files:
            form = aiohttp.FormData()
            for name, value in fields.items():
                form.add_field(name, value)
            for name, (filename, content, mime_type) in files.items():
                form.add_field(name, content, filename=filename, content_type=mime_type)
            data = form
        default_write = self._media_write_timeout if files else self._write_timeout
        timeout = _timeout(
            read=_given(read_timeout, self._read_timeout),
            write=_given(write_timeout, default_write),
            connect=_given(connect_timeout, self._connect_timeout),
            pool=_given(pool_timeout, self._pool_timeout),
        )
        try:
            async with session.request(
                method, url, data=data, timeout=timeout, proxy=self._proxy(url)
            ) as response:
                return response.status, await response.read()
        except TimeoutError as error:
            raise TimedOut from error
        except aiohttp.ClientConnectorError as error:  # never connected: nothing was sent
            raise NetworkError(f"aiohttp.{type(error).__name__}: {error}") from error
        except aiohttp.ClientError as error:
            raise ConnectionLost(f"aiohttp.{type(error).__name__}: {error}") from error

    def _proxy(self, url: str) -> str | None:
        parts = urlsplit(url)
        key = (parts.scheme, parts.hostname or "")
        if key not in self._proxies:
            self._proxies[key] = proxy_from_environment(*key)
        return self._proxies[key]


def _given(value: ODVInput[float], default: float | None) -> float | None:
    return default if isinstance(value, DefaultValue) else value


def _timeout(
    *, read: float | None, write: float | None, connect: float | None, pool: float | None
) -> aiohttp.ClientTimeout:
    """aiohttp's timeouts from PTB's four; aiohttp has no write timeout, so a request as a
    whole is bounded by the sum (a stalled upload still ends), unless reading is unbounded."""
    waiting = None if connect is None or pool is None else connect + pool
    parts = (read, write, connect, pool)
    total = None if any(part is None for part in parts) else sum(p for p in parts if p)
    return aiohttp.ClientTimeout(total=total, connect=waiting, sock_connect=connect, sock_read=read)
