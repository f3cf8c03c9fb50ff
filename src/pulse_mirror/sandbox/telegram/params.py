"""Bot API parameters from a query string, a JSON, form-encoded or multipart body."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import BodyPartReader, web

from pulse_mirror.sandbox.telegram.envelope import bad_request


@dataclass(frozen=True)
class Upload:
    """One file sent in a multipart body."""

    field: str
    filename: str
    content_type: str
    data: bytes


@dataclass
class Params:
    """The parameters of one call; values from forms are strings, from JSON typed."""

    values: dict[str, Any] = field(default_factory=dict)
    uploads: dict[str, Upload] = field(default_factory=dict)

    def has(self, name: str) -> bool:
        """Whether ``name`` was sent at all."""
        return name in self.values or name in self.uploads

    def text(self, name: str, *, required: bool = False) -> str | None:
        """A string parameter."""
        value = self.values.get(name)
        if value is None:
            if required:
                raise bad_request(f"{name} is empty")
            return None
        return value if isinstance(value, str) else json.dumps(value)

    def integer(self, name: str, *, required: bool = False) -> int | None:
        """An integer parameter (Telegram accepts numbers sent as strings)."""
        value = self.values.get(name)
        if value is None or value == "":
            if required:
                raise bad_request(f"{name} is empty")
            return None
        try:
            return int(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def flag(self, name: str) -> bool:
        """A boolean parameter; forms send ``true``/``True``/``1``."""
        value = self.values.get(name)
        if isinstance(value, str):
            return value.strip().lower() in ("true", "1")
        return bool(value)

    def structured(self, name: str) -> Any:
        """A JSON-serialized parameter (reply_markup, commands, scope, allowed_updates)."""
        value = self.values.get(name)
        if isinstance(value, str):
            if value == "":
                return None
            try:
                return json.loads(value)
            except ValueError:
                raise bad_request(f"can't parse {name} JSON object") from None
        return value


async def read_params(request: web.Request) -> Params:
    """Collect every parameter of ``request`` the way the Bot API does."""
    params = Params(values=dict(request.query))
    if request.method != "POST" or not request.body_exists:
        return params
    content_type = request.content_type
    if content_type == "application/json":
        try:
            body = await request.json()
        except ValueError:
            raise bad_request("can't parse JSON request body") from None
        if isinstance(body, dict):
            params.values.update(body)
    elif content_type == "multipart/form-data":
        await _read_multipart(request, params)
    else:
        form = await request.post()
        params.values.update({key: str(value) for key, value in form.items()})
    return params


async def _read_multipart(request: web.Request, params: Params) -> None:
    reader = await request.multipart()
    while True:
        part = await reader.next()
        if part is None:
            return
        if not isinstance(part, BodyPartReader) or part.name is None:
            continue
        data = await part.read()
        if part.filename is not None:
            params.uploads[part.name] = Upload(
                field=part.name,
                filename=part.filename,
                content_type=part.headers.get("Content-Type", "application/octet-stream"),
                data=bytes(data),
            )
        else:
            params.values[part.name] = bytes(data).decode("utf-8")
