"""The control API under ``/_sandbox/``: HTTP + JSON access to the Python API of the sandbox."""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from pulse_mirror.sandbox.faults import Fault, apply_fault
from pulse_mirror.sandbox.slack.delivery import BotReply, Signing
from pulse_mirror.sandbox.slack.limits import RateLimit
from pulse_mirror.sandbox.slack.socket import NoSocketConnection

if TYPE_CHECKING:
    from pulse_mirror.sandbox.slack.sandbox import SlackSandbox

JSON = dict[str, Any]
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
USER_FIELDS = {
    "id",
    "name",
    "real_name",
    "tz",
    "locale",
    "is_bot",
    "deleted",
    "is_restricted",
    "email",
    "team_id",
}
ORG_FIELDS = {"grid", "org_install"}
CHANNEL_FIELDS = {"id", "name", "bot_member", "is_private", "members"}


def _reply(reply: BotReply) -> JSON:
    return {"status": reply.status, "body": reply.body, "via": reply.via, "ack": reply.ack}


def _signing(body: JSON) -> Signing | None:
    forge = body.get("forge")
    if not isinstance(forge, dict):
        return None
    return Signing(
        secret=forge.get("secret"),
        age=float(forge.get("age", 0)),
        tamper=bool(forge.get("tamper", False)),
    )


def _guarded(handler: Handler) -> Handler:
    async def wrapped(request: web.Request) -> web.StreamResponse:
        try:
            return await handler(request)
        except LookupError as exc:
            return web.json_response({"ok": False, "error": str(exc).strip("'\"")}, status=404)
        except NoSocketConnection as exc:
            return web.json_response({"ok": False, "error": str(exc)}, status=409)
        except (ValueError, TypeError, KeyError) as exc:
            return web.json_response({"ok": False, "error": f"bad request: {exc}"}, status=400)

    return wrapped


async def _body(request: web.Request) -> JSON:
    if not request.can_read_body:
        return {}
    body = await request.json()
    if not isinstance(body, dict):
        raise ValueError("the body must be a JSON object")
    return body


def _only(body: JSON, allowed: set[str]) -> JSON:
    unknown = set(body) - allowed
    if unknown:
        raise ValueError(f"unknown fields {sorted(unknown)}; allowed: {sorted(allowed)}")
    return body


def add_routes(app: web.Application, sandbox: SlackSandbox) -> None:
    """Mount the control API of ``sandbox`` on ``app``."""

    async def overview(request: web.Request) -> web.StreamResponse:
        return web.json_response(
            {
                "ok": True,
                "api_url": sandbox.api_url,
                "request_url": sandbox.request_url,
                "socket_connected": sandbox.socket.connected,
                "org": dataclasses.asdict(sandbox.org),
                "users": [u.to_api(include_locale=True) for u in sandbox.workspace.users.values()],
                "channels": [c.to_api() for c in sandbox.workspace.channels.values()],
            }
        )

    async def add_user(request: web.Request) -> web.StreamResponse:
        user = sandbox.add_user(**_only(await _body(request), USER_FIELDS))
        return web.json_response({"ok": True, "user": user.to_api(include_locale=True)})

    async def add_channel(request: web.Request) -> web.StreamResponse:
        body = _only(await _body(request), CHANNEL_FIELDS)
        if body.get("members") is not None:
            body["members"] = set(body["members"])
        channel = sandbox.add_channel(**body)
        return web.json_response({"ok": True, "channel": channel.to_api()})

    async def received(request: web.Request) -> web.StreamResponse:
        user_id = request.match_info["user"]
        if sandbox.workspace.user_by_id(user_id) is None:
            raise LookupError(f"no user {user_id}")
        return web.json_response({"ok": True, **sandbox.received(user_id)})

    async def history(request: web.Request) -> web.StreamResponse:
        return web.json_response({"ok": True, **sandbox.history(request.match_info["channel"])})

    async def click(request: web.Request) -> web.StreamResponse:
        b = await _body(request)
        reply = await sandbox.click(
            b["user"],
            action_id=b["action_id"],
            value=b.get("value"),
            ts=b.get("ts"),
            via=b.get("via"),
            signing=_signing(b),
        )
        return web.json_response({"ok": True, **_reply(reply)})

    async def submit_view(request: web.Request) -> web.StreamResponse:
        b = await _body(request)
        reply = await sandbox.submit_view(
            b["user"], b["view_id"], b.get("values", {}), via=b.get("via"), signing=_signing(b)
        )
        return web.json_response({"ok": True, **_reply(reply)})

    async def open_home(request: web.Request) -> web.StreamResponse:
        b = await _body(request)
        reply = await sandbox.open_home(b["user"], via=b.get("via"), signing=_signing(b))
        return web.json_response({"ok": True, **_reply(reply)})

    async def home_action(request: web.Request) -> web.StreamResponse:
        b = await _body(request)
        reply = await sandbox.act_on_home(
            b["user"],
            action_id=b["action_id"],
            value=b.get("value"),
            via=b.get("via"),
            signing=_signing(b),
        )
        return web.json_response({"ok": True, **_reply(reply)})

    async def org(request: web.Request) -> web.StreamResponse:
        b = _only(await _body(request), ORG_FIELDS)
        made = sandbox.run_as_grid(
            grid=bool(b.get("grid", True)), org_install=bool(b.get("org_install", False))
        )
        return web.json_response({"ok": True, "org": dataclasses.asdict(made)})

    async def faults(request: web.Request) -> web.StreamResponse:
        if request.method == "POST":
            b = await _body(request)
            fault = Fault(
                kind=b["kind"], status=int(b.get("status", 500)), delay=float(b.get("delay", 30.0))
            )
            if fault.kind not in ("status", "timeout", "drop"):
                raise ValueError("kind must be status, timeout or drop")
            sandbox.inject_fault(b["method"], fault, times=int(b.get("times", 1)))
        return web.json_response({"ok": True, "pending": sandbox.faults.pending()})

    async def rate_limit(request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        if request.method == "PUT":
            b = await _body(request)
            sandbox.set_rate_limit(
                method,
                RateLimit(
                    limit=int(b["limit"]), per=float(b["per"]), scope=b.get("scope", "method")
                ),
            )
        elif request.method == "DELETE":
            sandbox.set_rate_limit(method, None)
        return await rate_limits(request)

    async def rate_limits(request: web.Request) -> web.StreamResponse:
        limits = {m: dataclasses.asdict(r) for m, r in sandbox.limits.current().items()}
        return web.json_response({"ok": True, "rate_limits": limits})

    async def ceiling(request: web.Request) -> web.StreamResponse:
        if request.method == "PUT":
            value = _only(await _body(request), {"messages_per_second"}).get("messages_per_second")
            sandbox.set_ceiling(None if value is None else float(value))
        limits = sandbox.limits
        return web.json_response(
            {
                "ok": True,
                "messages_per_second": limits.ceiling_per_second,
                "refused": dict(limits.refused),
            }
        )

    async def request_url(request: web.Request) -> web.StreamResponse:
        b = await _body(request)
        if not b.get("verify"):
            sandbox.request_url = b.get("url")
            return web.json_response({"ok": True, "request_url": sandbox.request_url})
        check = await sandbox.verify_request_url(str(b["url"]))
        found = {"challenge": check.challenge, "status": check.status, "body": check.body}
        return web.json_response(
            {"ok": check.verified, "request_url": sandbox.request_url, "verification": found}
        )

    async def reset(request: web.Request) -> web.StreamResponse:
        sandbox.reset()
        return web.json_response({"ok": True})

    async def calls(request: web.Request) -> web.StreamResponse:
        return web.json_response(
            {"ok": True, "calls": [dataclasses.asdict(c) for c in sandbox.calls]}
        )

    async def respond(request: web.Request) -> web.StreamResponse:
        fault = sandbox.faults.take("response_url")
        if fault is not None:
            return await apply_fault(request, fault)
        if not sandbox.person.respond(request.match_info["token"], await _body(request)):
            return web.json_response({"ok": False, "error": "no_such_response_url"}, status=404)
        return web.json_response({"ok": True})

    routes: list[tuple[str, str, Handler]] = [
        ("GET", "", overview),
        ("POST", "users", add_user),
        ("GET", "users/{user}/received", received),
        ("POST", "channels", add_channel),
        ("GET", "channels/{channel}/history", history),
        ("POST", "act/click", click),
        ("POST", "act/submit_view", submit_view),
        ("POST", "act/open_home", open_home),
        ("POST", "act/home_action", home_action),
        ("PUT", "org", org),
        ("GET", "faults", faults),
        ("POST", "faults", faults),
        ("GET", "rate_limits", rate_limits),
        ("PUT", "rate_limits/{method}", rate_limit),
        ("DELETE", "rate_limits/{method}", rate_limit),
        ("GET", "ceiling", ceiling),
        ("PUT", "ceiling", ceiling),
        ("PUT", "request_url", request_url),
        ("POST", "reset", reset),
        ("GET", "calls", calls),
        ("POST", "respond/{token}", respond),
    ]
    for verb, path, handler in routes:
        app.router.add_route(verb, f"/_sandbox/{path}", _guarded(handler))
