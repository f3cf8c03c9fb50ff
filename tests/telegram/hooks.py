"""Helpers for tests that talk to the bot's webhook: real sockets, real rows, a real log."""

from __future__ import annotations

import asyncio
import io
import logging
import socket
from collections.abc import Iterator
from contextlib import contextmanager

import aiohttp
import sqlalchemy as sa

from pulse_mirror.logs import ContextFormatter, SecretMask
from pulse_mirror.storage.repository import SqlRepository
from pulse_mirror.storage.tables import (
    answer,
    ballot,
    comment,
    comment_wait,
    delivery,
    person,
    pulse,
)

SECRET = "hook-Secret_1"  # the webhook secret tests/telegram/world.py configures
JSON = "application/json"
_QUIET = ("httpx", "httpcore", "apscheduler.executors", "aiohttp.access")  # as logs.configure


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def stored_rows(repository: SqlRepository) -> int:
    """Rows in every table that could hold something about a person or an answer."""
    tables = (person, pulse, delivery, answer, ballot, comment, comment_wait)
    async with repository.engine.connect() as connection:
        counts = [
            (await connection.execute(sa.select(sa.func.count()).select_from(t))).scalar_one()
            for t in tables
        ]
    return int(sum(counts))


async def post(
    session: aiohttp.ClientSession, url: str, body: bytes, headers: dict[str, str]
) -> int:
    """POST raw bytes; the status code."""
    async with session.post(url, data=body, headers=headers) as response:
        await response.read()
        return response.status


async def raw_post(url: str, *, head: bytes, body: bytes) -> int:
    """POST over a plain socket with header bytes exactly as given; the status code."""
    host, port = url.split("//")[1].split("/")[0].split(":")
    path = "/" + url.split("//")[1].split("/", 1)[1]
    request = (
        b"POST " + path.encode() + b" HTTP/1.1\r\nHost: x\r\n" + head
        + b"Content-Length: " + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body
    )  # fmt: skip
    reader, writer = await asyncio.open_connection(host, int(port))
    try:
        writer.write(request)
        await writer.drain()
        status_line = await reader.readline()
    finally:
        writer.close()
    return int(status_line.split(b" ", 2)[1])


@contextmanager
def captured_log(
    *secrets: str, mask: bool = True, only: str | None = None
) -> Iterator[io.StringIO]:
    """What the process logs meanwhile, at the level, format and masking of ``pulse run``.

    ``mask=False`` leaves secrets and token-shaped text as they were logged, for tests that
    check the code itself never logs them; ``only`` keeps one logger's records (and its
    children's), e.g. the bot's without the stand-in's.
    """
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(ContextFormatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    if mask:
        handler.addFilter(SecretMask(secrets))
    if only is not None:
        handler.addFilter(logging.Filter(only))
    handler.setLevel(logging.DEBUG)
    root = logging.getLogger()
    quiet = [logging.getLogger(name) for name in _QUIET]
    levels = [root.level, *(logger.level for logger in quiet)]
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    for logger in quiet:
        logger.setLevel(logging.WARNING)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        for logger, level in zip([root, *quiet], levels, strict=True):
            logger.setLevel(level)
