"""python-telegram-bot's errors translated into the send errors the dispatcher understands."""

from __future__ import annotations

import datetime as dt
import traceback
from pathlib import Path

from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from pulse_mirror.surveys.ports import (
    PermanentSendError,
    RateLimited,
    RecipientGone,
    SendError,
    SendOutcomeUnknown,
    TransientSendError,
)
from pulse_mirror.telegram.request import ConnectionLost

_GONE_REQUESTS = ("chat not found", "user is deactivated", "peer_id_invalid")


def retry_seconds(error: RetryAfter) -> float:
    """The seconds Telegram asked to wait (PTB gives an int or a timedelta)."""
    value: object = error.retry_after
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    return float(value)  # type: ignore[arg-type]


def where(error: BaseException | None) -> str:
    """An error as its type and the place it was raised (file and line), nothing it carried.

    A handler's error message can quote what a person sent; a log line must not.
    """
    if error is None:
        return "unknown error"
    frames = traceback.extract_tb(error.__traceback__)
    place = f" at {Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else ""
    return f"{type(error).__name__}{place}"


def is_not_modified(error: TelegramError) -> bool:
    """Whether Telegram refused an edit only because nothing changed (harmless)."""
    return isinstance(error, BadRequest) and "message is not modified" in error.message.lower()


def send_error(error: TelegramError) -> SendError:
    """The port's send error for a Telegram error (the order matters: subclasses first)."""
    message = f"{type(error).__name__}: {error.message}"
    if isinstance(error, RetryAfter):
        seconds = retry_seconds(error)
        return RateLimited(message, retry_after=seconds)
    if isinstance(error, Forbidden):
        return RecipientGone(message)
    if isinstance(error, TimedOut | ConnectionLost):  # it may have reached the person
        return SendOutcomeUnknown(message)
    if isinstance(error, BadRequest):
        if any(text in error.message.lower() for text in _GONE_REQUESTS):
            return RecipientGone(message)
        return PermanentSendError(message)
    if isinstance(error, (InvalidToken, ChatMigrated)):
        return PermanentSendError(message)
    if isinstance(error, NetworkError):
        return TransientSendError(message)
    return PermanentSendError(message)
