"""The Slack stand-in: one aiohttp server with the Web API, uploads, Socket Mode and controls."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from aiohttp import web

from pulse_mirror.sandbox.faults import Fault, FaultPlan, apply_fault, require_loopback
from pulse_mirror.sandbox.slack import control
from pulse_mirror.sandbox.slack.delivery import BotReply, Deliverer, Signing, Via
from pulse_mirror.sandbox.slack.events import EVENT_TIMEOUT, EventDelivery, UrlCheck, verify_url
from pulse_mirror.sandbox.slack.files import UPLOAD_PATH, receive_bytes
from pulse_mirror.sandbox.slack.limits import RateLimit, RateLimits
from pulse_mirror.sandbox.slack.org import Org
from pulse_mirror.sandbox.slack.person import Person
from pulse_mirror.sandbox.slack.socket import SOCKET_PATH, SocketHub
from pulse_mirror.sandbox.slack.state import Channel, User, Workspace
from pulse_mirror.sandbox.slack.webapi import CallRecord, WebApi

log = logging.getLogger(__name__)

JSON = dict[str, Any]


class SlackSandbox:
    """A local stand-in for Slack that slack_sdk and Bolt cannot tell from the real one.

    ``org`` runs the workspace as part of an Enterprise Grid org (see :class:`Org`);
    ``event_timeout`` is how long an event's answer is awaited before Slack's retries.
    """

    def __init__(
        self,
        *,
        bot_token: str = "xoxb-sandbox",
        app_token: str = "xapp-sandbox",
        signing_secret: str = "sandbox-secret",
        now: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
        ack_timeout: float = 10.0,
        org: Org | None = None,
        event_timeout: float = EVENT_TIMEOUT,
    ) -> None:
        self.bot_token = bot_token
        self.app_token = app_token
        self.signing_secret = signing_secret
        self.workspace = Workspace(wall=wall, org=org)
        self.faults = FaultPlan()
        self.limits = RateLimits(now=now)
        self.socket = SocketHub(ack_timeout=ack_timeout)
        self.deliverer = Deliverer(signing_secret=signing_secret, hub=self.socket, wall=wall)
        self.person = Person(
            workspace=self.workspace,
            deliverer=self.deliverer,
            base_url=lambda: self.base_url,
            now=now,
            event_timeout=event_timeout,
        )
        self.web_api = WebApi(
            workspace=self.workspace,
            bot_token=bot_token,
            app_token=app_token,
            faults=self.faults,
            limits=self.limits,
            open_socket=lambda: self.socket.issue(self.base_url.replace("http://", "ws://", 1)),
            base_url=lambda: self.base_url,
            now=now,
        )
        self._runner: web.AppRunner | None = None
        self._port: int | None = None

    # --- lifecycle -------------------------------------------------------------------------

    def build_app(self) -> web.Application:
        """The aiohttp application with every route of the stand-in."""
        app = web.Application(client_max_size=64 * 1024**2)
        app.router.add_route("*", "/api/{method}", self.web_api.handle)
        app.router.add_post(UPLOAD_PATH + "{file_id}", self._upload)
        app.router.add_get(SOCKET_PATH, self.socket.handle)
        control.add_routes(app, self)
        return app

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Serve on ``host``:``port`` (0 picks a free port)."""
        require_loopback(host)
        runner = web.AppRunner(self.build_app(), shutdown_timeout=0.2, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        await site.start()
        self._runner = runner
        self._port = int(runner.addresses[0][1])
        log.info("slack sandbox started", extra={"url": self.api_url})

    async def stop(self) -> None:
        """Close Socket Mode connections and stop serving."""
        await self.socket.close()
        if self._runner is not None:
            await self._runner.cleanup()
        self._runner = None
        self._port = None

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT`` once started."""
        if self._port is None:
            raise RuntimeError("the Slack sandbox is not started")
        return f"http://127.0.0.1:{self._port}"

    @property
    def api_url(self) -> str:
        """The value for ``AsyncWebClient(base_url=...)``."""
        return f"{self.base_url}/api/"

    @property
    def control_url(self) -> str:
        """The root of the control API."""
        return f"{self.base_url}/_sandbox/"

    @property
    def request_url(self) -> str | None:
        """The bot's HTTP endpoint that interactivity and events are POSTed to."""
        return self.deliverer.request_url

    @request_url.setter
    def request_url(self, url: str | None) -> None:
        self.deliverer.request_url = url

    async def verify_request_url(self, url: str) -> UrlCheck:
        """Set the Request URL as Slack does: only if it echoes the url_verification challenge."""
        check = await verify_url(self.deliverer, url, timeout=self.person.event_timeout)
        if check.verified:
            self.request_url = url
        return check

    @property
    def org(self) -> Org:
        """How the app is installed: on a plain workspace or on an Enterprise Grid org."""
        return self.workspace.org

    def run_as_grid(self, *, org_install: bool = False, grid: bool = True) -> Org:
        """Run the workspace as part of an Enterprise Grid org (org-wide install or not)."""
        self.workspace.org = Org(grid=grid, org_install=org_install)
        return self.workspace.org

    async def _upload(self, request: web.Request) -> web.StreamResponse:
        fault = self.faults.take("upload")
        if fault is not None:
            return await apply_fault(request, fault)
        status, text = receive_bytes(
            self.workspace, request.match_info["file_id"], await request.read()
        )
        return web.Response(status=status, text=text)

    # --- the workspace ---------------------------------------------------------------------

    def add_user(self, *, name: str, id: str | None = None, **details: Any) -> User:
        """Add a member (real_name, tz, locale, is_bot, deleted, is_restricted, email, team_id)."""
        user = User(id=id or self.workspace.new_id(self.org.user_prefix), name=name, **details)
        self.workspace.users[user.id] = user
        return user

    def add_channel(self, *, name: str, id: str | None = None, **details: Any) -> Channel:
        """Add a channel (bot_member, is_private, members)."""
        channel = Channel(id=id or self.workspace.new_id("C"), name=name, **details)
        return self.workspace.add_channel(channel)

    def received(self, user_id: str) -> JSON:
        """Everything ``user_id`` received: DMs, ephemeral messages, modals and App Home."""
        ws = self.workspace
        dm = [c.id for c in ws.channels.values() if c.im_user == user_id]
        views = [v for v in ws.views.values() if v.user == user_id]
        home = next((v for v in views if v.type == "home"), None)
        return {
            "messages": [
                m.to_api() | {"channel": m.channel}
                for m in ws.messages
                if m.channel in dm and m.ephemeral_for is None
            ],
            "ephemeral": [
                m.to_api() | {"channel": m.channel}
                for m in ws.messages
                if m.ephemeral_for == user_id
            ],
            "views": [v.to_api() | {"closed": v.closed} for v in views if v.type == "modal"],
            "home": home.to_api() if home is not None else None,
        }

    def history(self, channel_id: str) -> JSON:
        """What was posted in a channel: its messages (current blocks) and files."""
        ws = self.workspace
        if channel_id not in ws.channels:
            raise LookupError(f"no channel {channel_id}")
        return {
            "messages": [
                m.to_api()
                for m in ws.messages
                if m.channel == channel_id and m.ephemeral_for is None
            ],
            "files": [f.summary() for f in ws.files.values() if channel_id in f.channels],
        }

    # --- acting as a person ----------------------------------------------------------------

    async def click(
        self,
        user_id: str,
        *,
        action_id: str,
        value: str | None = None,
        ts: str | None = None,
        via: Via | None = None,
        signing: Signing | None = None,
    ) -> BotReply:
        """Click a button on a message the user received; see :meth:`Person.click`."""
        return await self.person.click(
            user_id, action_id=action_id, value=value, ts=ts, via=via, signing=signing
        )

    async def submit_view(
        self,
        user_id: str,
        view_id: str,
        values: dict[str, dict[str, Any]],
        *,
        via: Via | None = None,
        signing: Signing | None = None,
    ) -> BotReply:
        """Submit a modal; see :meth:`Person.submit_view`."""
        return await self.person.submit_view(user_id, view_id, values, via=via, signing=signing)

    async def open_home(
        self, user_id: str, *, via: Via | None = None, signing: Signing | None = None
    ) -> BotReply:
        """Open the App Home; see :meth:`Person.open_home`."""
        return await self.person.open_home(user_id, via=via, signing=signing)

    async def act_on_home(
        self,
        user_id: str,
        *,
        action_id: str,
        value: str | None = None,
        via: Via | None = None,
        signing: Signing | None = None,
    ) -> BotReply:
        """Act on the App Home; see :meth:`Person.act_on_home`."""
        return await self.person.act_on_home(
            user_id, action_id=action_id, value=value, via=via, signing=signing
        )

    @property
    def event_deliveries(self) -> list[EventDelivery]:
        """Every event delivered over HTTP, with each of Slack's attempts."""
        return self.person.events

    def response_url(self, user_id: str, *, channel: str, ts: str) -> str:
        """A live response_url for a click of ``user_id`` on the message ``channel``/``ts``."""
        return self.person.response_url(user_id, channel=channel, ts=ts)

    async def replay(
        self, reply: BotReply, *, retry_num: int = 1, reason: str = "http_timeout"
    ) -> BotReply:
        """Resend a delivery as Slack's retry ``retry_num``."""
        return await self.person.replay(reply, retry_num=retry_num, reason=reason)

    # --- faults, limits, reset -------------------------------------------------------------

    def inject_fault(self, method: str, fault: Fault, *, times: int = 1) -> None:
        """Fail the next ``times`` calls of ``method`` (``upload`` = the upload URL)."""
        self.faults.inject(method, fault, times=times)

    def set_rate_limit(self, method: str, limit: RateLimit | None) -> None:
        """Change (or with None lift) the rate limit of ``method``."""
        self.limits.set(method, limit)

    def set_ceiling(self, per_second: float | None) -> None:
        """The workspace-wide ceiling of chat.postMessage, never told to the bot (None: none)."""
        self.limits.set_ceiling(per_second)

    @property
    def calls(self) -> list[CallRecord]:
        """Every Web API call answered so far."""
        return self.web_api.calls

    def reset(self) -> None:
        """Forget the workspace, faults, calls and limits' state; keep connections."""
        self.workspace.reset()
        self.faults.clear()
        self.limits.reset()
        self.web_api.calls.clear()
        self.person.events.clear()
        self.socket.reset()
