"""Telegram's response envelope: ``{"ok": true, "result": ...}`` or an error with its code."""

from __future__ import annotations

import math
from typing import Any

from aiohttp import web


class ApiError(Exception):
    """A Bot API error, answered with Telegram's status code, description and parameters."""

    def __init__(self, code: int, description: str, *, retry_after: float | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = None if retry_after is None else max(1, math.ceil(retry_after))

    def payload(self) -> dict[str, Any]:
        """The JSON body Telegram sends for this error."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(reason: str) -> ApiError:
    """A 400 with Telegram's ``Bad Request: <reason>`` wording."""
    return ApiError(400, f"Bad Request: {reason}")


def forbidden(reason: str) -> ApiError:
    """A 403 with Telegram's ``Forbidden: <reason>`` wording."""
    return ApiError(403, f"Forbidden: {reason}")


def too_many_requests(retry_after: float) -> ApiError:
    """A 429 telling the client how many whole seconds to wait."""
    error = ApiError(429, "Too Many Requests", retry_after=retry_after)
    error.description = f"Too Many Requests: retry after {error.retry_after}"
    return error


def ok_response(result: Any, *, description: str | None = None) -> web.Response:
    """The success envelope around ``result``."""
    body: dict[str, Any] = {"ok": True, "result": result}
    if description is not None:
        body["description"] = description
    return web.json_response(body)


def error_response(error: ApiError) -> web.Response:
    """The error envelope, with the HTTP status equal to ``error_code`` as Telegram does."""
    return web.json_response(error.payload(), status=error.code)
