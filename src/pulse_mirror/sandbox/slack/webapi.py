"""The Web API endpoint ``/api/{method}``: faults, token checks, rate limits, then the method."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from aiohttp import web

from pulse_mirror.sandbox.faults import FaultPlan, apply_fault
from pulse_mirror.sandbox.slack import directory, files, messages
from pulse_mirror.sandbox.slack.calls import JSON, Call, SlackError, read_call
from pulse_mirror.sandbox.slack.limits import RateLimits
from pulse_mirror.sandbox.slack.state import Workspace

log = logging.getLogger(__name__)

Method = Callable[[Workspace, Call], JSON]

METHODS: dict[str, Method] = {
    "auth.test": directory.auth_test,
    "users.list": directory.users_list,
    "users.info": directory.users_info,
    "conversations.open": directory.conversations_open,
    "conversations.info": directory.conversations_info,
    "conversations.list": directory.conversations_list,
    "chat.postMessage": messages.chat_post_message,
    "chat.update": messages.chat_update,
    "chat.postEphemeral": messages.chat_post_ephemeral,
    "views.open": messages.views_open,
    "views.update": messages.views_update,
    "views.publish": messages.views_publish,
    "files.getUploadURLExternal": files.get_upload_url,
    "files.completeUploadExternal": files.complete_upload,
}

APP_TOKEN_METHODS = {"apps.connections.open"}


@dataclass(frozen=True)
class CallRecord:
    """One Web API call the stand-in answered: what was asked and what it said."""

    method: str
    args: JSON
    status: int
    error: str | None
    at: float = 0.0  # when it was answered, on the stand-in's clock for limits
    retry_after: int | None = None  # the Retry-After of a 429


@dataclass
class WebApi:
    """Answers Web API calls against one workspace."""

    workspace: Workspace
    bot_token: str
    app_token: str
    faults: FaultPlan
    limits: RateLimits
    open_socket: Callable[[], str]
    base_url: Callable[[], str]
    now: Callable[[], float] = time.monotonic
    calls: list[CallRecord] = field(default_factory=list)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """The aiohttp handler for ``/api/{method}``."""
        method = request.match_info["method"]
        fault = self.faults.take(method)
        if fault is not None:
            log.info("sandbox fault", extra={"method": method, "fault": fault.kind})
            return await apply_fault(request, fault)
        call: Call | None = None
        try:
            call = await read_call(request, method, base_url=self.base_url())
            self._check_token(call)
            channel = self.workspace.conversation_key(call.text("channel"))
            wait = self.limits.retry_after(method, channel=channel)
            if wait is not None:
                self._record(call, 429, "ratelimited", retry_after=wait)
                return web.json_response(
                    {"ok": False, "error": "ratelimited"},
                    status=429,
                    headers={"Retry-After": str(wait)},
                )
            body = self._answer(call)
        except SlackError as exc:
            self._record(call, 200, exc.error, method=method)
            return web.json_response(exc.body())
        self._record(call, 200, None)
        if call.is_json and call.charset is None:
            body["warning"] = "missing_charset"
            body.setdefault("response_metadata", {})["warnings"] = ["missing_charset"]
        return web.json_response(body)

    def _check_token(self, call: Call) -> None:
        if call.token is None:
            raise SlackError("not_authed")
        if call.token not in (self.bot_token, self.app_token):
            raise SlackError("invalid_auth")
        wants_app = call.method in APP_TOKEN_METHODS
        if (call.token == self.app_token) != wants_app:
            raise SlackError("not_allowed_token_type")

    def _answer(self, call: Call) -> JSON:
        if call.method == "apps.connections.open":
            return {"ok": True, "url": self.open_socket()}
        handler = METHODS.get(call.method)
        if handler is None:
            raise SlackError("unknown_method")
        return handler(self.workspace, call)

    def _record(
        self,
        call: Call | None,
        status: int,
        error: str | None,
        *,
        method: str = "",
        retry_after: int | None = None,
    ) -> None:
        name = call.method if call is not None else method
        args = dict(call.args) if call is not None else {}
        self.calls.append(
            CallRecord(
                method=name,
                args=args,
                status=status,
                error=error,
                at=self.now(),
                retry_after=retry_after,
            )
        )
