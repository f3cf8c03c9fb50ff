"""Socket Mode: the WebSocket the bot dials, envelopes sent on it, and the acks it returns."""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from typing import Any, Literal

from aiohttp import WSMsgType, web

from pulse_mirror.sandbox.slack.state import APP_ID

log = logging.getLogger(__name__)

JSON = dict[str, Any]
EnvelopeType = Literal["interactive", "events_api", "slash_commands"]
SOCKET_PATH = "/link/"


class NoSocketConnection(RuntimeError):
    """No bot is connected over Socket Mode."""


class SocketHub:
    """Tickets handed out by apps.connections.open, open connections, and pending acks."""

    def __init__(self, *, ack_timeout: float = 10.0) -> None:
        self.ack_timeout = ack_timeout
        self._tickets: set[str] = set()
        self._sockets: list[web.WebSocketResponse] = []
        self._pending: dict[str, asyncio.Future[JSON]] = {}
        self.envelopes: list[JSON] = []
        self.acks: list[JSON] = []
        self._joined = asyncio.Event()

    def issue(self, base_ws_url: str) -> str:
        """A one-use WebSocket URL, as apps.connections.open returns."""
        ticket = str(uuid.uuid4())
        self._tickets.add(ticket)
        return f"{base_ws_url.rstrip('/')}{SOCKET_PATH}?ticket={ticket}&app_id={APP_ID}"

    @property
    def connected(self) -> bool:
        """Whether a bot is connected right now."""
        return any(not ws.closed for ws in self._sockets)

    async def wait_connected(self, timeout: float = 10.0) -> None:
        """Return once a bot is connected (raise TimeoutError after ``timeout`` seconds)."""
        while not self.connected:
            self._joined.clear()
            await asyncio.wait_for(self._joined.wait(), timeout)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """The aiohttp handler for the Socket Mode WebSocket."""
        ticket = request.query.get("ticket", "")
        if ticket not in self._tickets:
            return web.Response(status=401, text="invalid ticket")
        self._tickets.discard(ticket)
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self._sockets.append(ws)
        self._joined.set()
        await ws.send_json(
            {
                "type": "hello",
                "num_connections": len([s for s in self._sockets if not s.closed]),
                "debug_info": {
                    "host": "applink-sandbox",
                    "build_number": 1,
                    "approximate_connection_time": 18060,
                },
                "connection_info": {"app_id": APP_ID},
            }
        )
        try:
            async for message in ws:
                if message.type == WSMsgType.TEXT:
                    self._on_text(message.data)
        finally:
            if ws in self._sockets:
                self._sockets.remove(ws)
        return ws

    def _on_text(self, data: str) -> None:
        try:
            ack = json.loads(data)
        except ValueError:
            log.warning("socket mode: ignoring a frame that is not JSON")
            return
        if not isinstance(ack, dict) or "envelope_id" not in ack:
            return
        self.acks.append(ack)
        future = self._pending.pop(str(ack["envelope_id"]), None)
        if future is not None and not future.done():
            future.set_result(ack)

    async def deliver(
        self,
        kind: EnvelopeType,
        payload: JSON,
        *,
        accepts_response_payload: bool,
        retry_attempt: int = 0,
        retry_reason: str = "",
    ) -> JSON:
        """Send ``payload`` in an envelope on the newest connection; return the bot's ack."""
        live = [ws for ws in self._sockets if not ws.closed]
        if not live:
            raise NoSocketConnection("no bot is connected over Socket Mode")
        envelope: JSON = {
            "envelope_id": str(uuid.uuid4()),
            "payload": payload,
            "type": kind,
            "accepts_response_payload": accepts_response_payload,
        }
        if kind == "events_api":
            envelope.update({"retry_attempt": retry_attempt, "retry_reason": retry_reason})
        future: asyncio.Future[JSON] = asyncio.get_running_loop().create_future()
        self._pending[envelope["envelope_id"]] = future
        self.envelopes.append(envelope)
        await live[-1].send_json(envelope)
        try:
            return await asyncio.wait_for(future, self.ack_timeout)
        finally:
            self._pending.pop(envelope["envelope_id"], None)

    async def ask_to_reconnect(self, reason: str = "refresh_requested") -> None:
        """Send Slack's ``disconnect`` message, as before a server rotation."""
        for ws in list(self._sockets):
            if not ws.closed:
                await ws.send_json(
                    {
                        "type": "disconnect",
                        "reason": reason,
                        "debug_info": {"host": "applink-sandbox"},
                    }
                )

    async def close(self) -> None:
        """Close every connection and forget pending acks and tickets."""
        for ws in list(self._sockets):
            await ws.close()
        self._sockets.clear()
        for future in self._pending.values():
            future.cancel()
        self._pending.clear()
        self._tickets.clear()

    def reset(self) -> None:
        """Forget the record of envelopes and acks (connections stay open)."""
        self.envelopes.clear()
        self.acks.clear()
