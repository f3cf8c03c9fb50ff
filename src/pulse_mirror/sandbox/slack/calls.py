"""One Web API call as the stand-in sees it: merged arguments, and Slack's error type."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

JSON = dict[str, Any]


class SlackError(Exception):
    """A Slack API error: answered as ``{"ok": false, "error": ...}`` plus any extra keys."""

    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.extra = extra

    def body(self) -> JSON:
        """The response body Slack sends for this error."""
        return {"ok": False, "error": self.error, **self.extra}


@dataclass
class Call:
    """The method, the token and every argument (query, form or JSON body merged)."""

    method: str
    token: str | None
    args: JSON = field(default_factory=dict)
    base_url: str = ""
    is_json: bool = False
    charset: str | None = None

    def text(self, name: str, default: str | None = None) -> str | None:
        """An argument as a string (None if absent or empty)."""
        value = self.args.get(name)
        if value is None or value == "":
            return default
        return str(value)

    def need(self, name: str, error: str = "invalid_arguments") -> str:
        """A required string argument; Slack's ``error`` if it is missing."""
        value = self.text(name)
        if value is None:
            raise SlackError(error)
        return value

    def flag(self, name: str) -> bool:
        """A boolean argument, sent as true/false or 1/0."""
        value = self.args.get(name)
        if isinstance(value, bool):
            return value
        return str(value).lower() in ("1", "true")

    def integer(self, name: str, default: int = 0) -> int:
        """An integer argument."""
        value = self.args.get(name)
        if value is None or value == "":
            return default
        try:
            return int(value)
        except (TypeError, ValueError):
            raise SlackError("invalid_arguments") from None

    def structured(self, name: str, error: str = "invalid_arguments") -> Any:
        """A JSON argument: as sent in a JSON body, or decoded from a form/query string."""
        value = self.args.get(name)
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                raise SlackError(error) from None
        return value


async def read_call(request: web.Request, method: str, *, base_url: str) -> Call:
    """Parse a request exactly as slack_sdk and other clients send it."""
    args: JSON = dict(request.query)
    content_type = request.headers.get("Content-Type", "")
    charset = None
    for part in content_type.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.lower() == "charset":
            charset = value
    is_json = request.content_type == "application/json"
    if request.method == "POST" and request.can_read_body:
        if is_json:
            try:
                body = await request.json()
            except ValueError:
                raise SlackError("invalid_json") from None
            if not isinstance(body, dict):
                raise SlackError("invalid_json")
            args.update(body)
        else:
            form = await request.post()
            args.update({k: v for k, v in form.items() if isinstance(v, str)})
    token = None
    auth = request.headers.get("Authorization", "")
    if auth.lower().startswith("bearer "):
        token = auth[7:].strip() or None
    if token is None and isinstance(args.get("token"), str):
        token = args["token"] or None
    args.pop("token", None)
    return Call(
        method=method, token=token, args=args, base_url=base_url, is_json=is_json, charset=charset
    )
