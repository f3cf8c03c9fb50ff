"""Logging for ``pulse run``: structured context on every line, and never a secret.

Secrets can reach a log line indirectly: HTTP client libraries log request URLs, and the
Telegram Bot API puts the bot token in every URL. A filter on the root handler masks every
configured secret value and anything shaped like a Slack or Telegram token, whichever the
format: ``text`` (one readable line) or ``json`` (one object a line, for a log collector).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import time
from collections.abc import Callable, Iterable
from typing import Literal

LogFormat = Literal["text", "json"]

_TOKEN_SHAPES = re.compile(
    r"xox[abpre]-[A-Za-z0-9-]+"  # Slack bot, user and refresh tokens
    r"|xapp-[A-Za-z0-9-]+"  # Slack app-level tokens
    r"|(?<![0-9])[0-9]{5,}:[A-Za-z0-9_-]{6,}"  # Telegram bot tokens, also inside /bot<token>/
)
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}
# Libraries whose INFO lines are per request: too chatty for an operator's log.
_QUIET = ("httpx", "httpcore", "apscheduler.executors", "aiohttp.access")


def mask_tokens(text: str) -> str:
    """``text`` with anything shaped like a Slack or Telegram token replaced by ``***``."""
    return _TOKEN_SHAPES.sub("***", text)


def error_text(error: BaseException, *, limit: int = 500) -> str:
    """An exception as one line to store or show (``Type: message``), token-shaped text masked.

    Stored errors end up in ``pulse status``; the Bot API's URLs carry the bot token.
    """
    return mask_tokens(f"{type(error).__name__}: {error}")[:limit]


def failure(error: BaseException) -> str:
    """A platform call's failure in a few words: the platform's error code, else its type.

    Client errors carry the request URL and the whole response; a log line needs neither.
    """
    response = getattr(error, "response", None)
    getter = getattr(response, "get", None)
    code = getter("error") if callable(getter) else None
    return f"{type(error).__name__}: {code}" if isinstance(code, str) else type(error).__name__


class SecretMask(logging.Filter):
    """Replaces secret values and token-shaped text in a record's message and context."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self._secrets = sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True)

    def mask(self, text: str) -> str:
        """``text`` with every secret replaced by ``***``."""
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return _TOKEN_SHAPES.sub("***", text)

    def filter(self, record: logging.LogRecord) -> bool:
        """Mask the record in place; never drops it."""
        record.msg = self.mask(record.getMessage())
        record.args = None
        for key, value in list(vars(record).items()):
            if key not in _STANDARD and isinstance(value, str):
                setattr(record, key, self.mask(value))
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = self.mask(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


class ContextFormatter(logging.Formatter):
    """``time level logger message key=value ...`` with the record's structured context."""

    def format(self, record: logging.LogRecord) -> str:
        """The line, with every ``extra=`` field appended."""
        line = super().format(record)
        context = {k: v for k, v in vars(record).items() if k not in _STANDARD}
        if context:
            line += " " + " ".join(f"{k}={v}" for k, v in sorted(context.items()))
        return line


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message and every ``extra=`` field.

    The fields are masked before they get here (``SecretMask`` on the handler), as for text.
    A value JSON cannot hold is written as its ``str``.
    """

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line of JSON."""
        entry: dict[str, object] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD:
                entry.setdefault(key, value)
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = record.exc_text or self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, default=str, ensure_ascii=False)


def formatter(log_format: LogFormat = "text") -> logging.Formatter:
    """The formatter for ``log_format``: readable lines, or one JSON object a line."""
    if log_format == "json":
        return JsonFormatter()
    return ContextFormatter("%(asctime)s %(levelname)s %(name)s %(message)s")


def configure(
    *, secrets: Iterable[str] = (), level: int = logging.INFO, log_format: LogFormat = "text"
) -> logging.Handler:
    """Send logs to stderr with context, secrets masked; returns the installed handler."""
    handler = logging.StreamHandler()
    handler.setFormatter(formatter(log_format))
    handler.addFilter(SecretMask(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in _QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
    return handler


class RefusalLog:
    """One short line per refused request, and no more than one a reason per ``every`` seconds.

    A flood of junk must not fill the disk: after a reason was logged, further refusals for it
    are only counted until ``every`` seconds have passed; the next line says how many were
    left out. A line names the door, the status and the reason; never a body, a header's
    value, a user id or an answer.
    """

    def __init__(
        self,
        door: str,
        *,
        every: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
        logger: logging.Logger | None = None,
    ) -> None:
        """A refusal log for one door (``slack``, ``telegram``)."""
        self._door = door
        self._every = every
        self._clock = clock
        self._log = logger or logging.getLogger("pulse_mirror.refused")
        self._last: dict[str, float] = {}
        self._held: dict[str, int] = {}
        self.total = 0

    def refused(self, reason: str, *, status: int) -> None:
        """Count one refusal; log it unless its reason was logged less than ``every`` ago."""
        self.total += 1
        now = self._clock()
        last = self._last.get(reason)
        if last is not None and now - last < self._every:
            self._held[reason] = self._held.get(reason, 0) + 1
            return
        self._last[reason] = now
        held = self._held.pop(reason, 0)
        more = f" ({held} more since the last line)" if held else ""
        self._log.warning("%s request refused with %d: %s%s", self._door, status, reason, more)
