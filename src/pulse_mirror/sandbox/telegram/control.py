"""The control API: HTTP + JSON under ``/_sandbox/`` to drive the stand-in by hand or from tests."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from pulse_mirror.sandbox.faults import Fault
from pulse_mirror.sandbox.telegram.person import PersonError

if TYPE_CHECKING:
    from pulse_mirror.sandbox.telegram.server import TelegramSandbox

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


async def _body(request: web.Request) -> dict[str, Any]:
    if not request.body_exists:
        return {}
    try:
        body = await request.json()
    except ValueError:
        raise web.HTTPBadRequest(reason="body must be a JSON object") from None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(reason="body must be a JSON object")
    return body


def _fail(message: str) -> web.Response:
    return web.json_response({"ok": False, "error": message}, status=400)


def routes(sandbox: TelegramSandbox) -> list[web.RouteDef]:
    """Every control route, bound to one stand-in."""

    async def add_user(request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        try:
            user = sandbox.add_user(
                int(body["id"]),
                first_name=str(body.get("first_name", f"User {body['id']}")),
                username=body.get("username"),
                last_name=body.get("last_name"),
                language_code=body.get("language_code", "en"),
                started=bool(body.get("started", False)),
            )
        except (KeyError, TypeError, ValueError) as exc:
            return _fail(f"a user needs an integer id: {exc}")
        return web.json_response({"ok": True, "user": user.to_json()})

    async def list_users(request: web.Request) -> web.StreamResponse:
        users = [user.to_json() for user in sandbox.runtime.state.users.values()]
        return web.json_response({"ok": True, "users": users})

    async def act(request: web.Request) -> web.StreamResponse:
        action = request.match_info["action"]
        body = await _body(request)
        try:
            update = _act(sandbox, int(request.match_info["user_id"]), action, body)
        except (PersonError, TypeError, ValueError) as exc:
            return _fail(str(exc))
        return web.json_response({"ok": True, "update": update})

    async def presses(request: web.Request) -> web.StreamResponse:
        # Many people tapping at once, in one request: a burst arrives as fast as Telegram
        # would deliver it, not at the pace of one control call per tap.
        body = await _body(request)
        queued = 0
        try:
            for press in body["presses"]:
                sandbox.press_button(
                    int(press["user_id"]),
                    message_id=int(press["message_id"]),
                    data=press.get("data"),
                    text=press.get("text"),
                )
                queued += 1
        except (KeyError, PersonError, TypeError, ValueError) as exc:
            return web.json_response(
                {"ok": False, "error": f"press {queued}: {exc}", "queued": queued}, status=400
            )
        return web.json_response({"ok": True, "queued": queued})

    async def group_message(request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        try:
            update = sandbox.send_group_message(
                int(request.match_info["chat_id"]),
                user_id=int(body["user_id"]),
                text=str(body["text"]),
                title=str(body.get("title", "Sandbox group")),
            )
        except (KeyError, PersonError, TypeError, ValueError) as exc:
            return _fail(str(exc))
        return web.json_response({"ok": True, "update": update})

    async def received(request: web.Request) -> web.StreamResponse:
        messages = sandbox.received(int(request.match_info["chat_id"]))
        return web.json_response({"ok": True, "messages": messages})

    async def answers(request: web.Request) -> web.StreamResponse:
        return web.json_response({"ok": True, "answers": sandbox.callback_answers()})

    async def updates(request: web.Request) -> web.StreamResponse:
        return web.json_response({"ok": True, "updates": sandbox.pending_updates()})

    async def inject(request: web.Request) -> web.StreamResponse:
        body = await _body(request)
        try:
            fault = Fault(
                kind=body["kind"],
                status=int(body.get("status", 500)),
                delay=float(body.get("delay", 30.0)),
            )
            if fault.kind not in ("status", "timeout", "drop"):
                raise ValueError(f"kind must be status, timeout or drop, not {fault.kind!r}")
            sandbox.inject_fault(str(body["method"]), fault, times=int(body.get("times", 1)))
        except (KeyError, TypeError, ValueError) as exc:
            return _fail(str(exc))
        return web.json_response({"ok": True, "pending": sandbox.runtime.faults.pending()})

    async def faults(request: web.Request) -> web.StreamResponse:
        return web.json_response({"ok": True, "pending": sandbox.runtime.faults.pending()})

    async def limits(request: web.Request) -> web.StreamResponse:
        if request.method == "POST":
            body = await _body(request)
            try:
                sandbox.set_limits(
                    per_chat_per_second=_number(body.get("per_chat_per_second")),
                    overall_per_second=_number(body.get("overall_per_second")),
                )
            except (TypeError, ValueError) as exc:
                return _fail(str(exc))
        return web.json_response({"ok": True, "limits": sandbox.runtime.pace.describe()})

    async def reset(request: web.Request) -> web.StreamResponse:
        sandbox.reset()
        return web.json_response({"ok": True})

    async def webhook(request: web.Request) -> web.StreamResponse:
        hook = sandbox.runtime.webhook
        return web.json_response(
            {
                "ok": True,
                "url": hook.url,
                "delivered": hook.delivered,
                "pending": len(sandbox.runtime.queue),
            }
        )

    return [
        web.get("/_sandbox/users", list_users),
        web.post("/_sandbox/users", add_user),
        web.post(r"/_sandbox/users/{user_id:-?\d+}/{action}", act),
        web.post("/_sandbox/presses", presses),
        web.post(r"/_sandbox/groups/{chat_id:-?\d+}/messages", group_message),
        web.get(r"/_sandbox/chats/{chat_id:-?\d+}/received", received),
        web.get("/_sandbox/callback_answers", answers),
        web.get("/_sandbox/updates", updates),
        web.get("/_sandbox/faults", faults),
        web.post("/_sandbox/faults", inject),
        web.get("/_sandbox/limits", limits),
        web.post("/_sandbox/limits", limits),
        web.get("/_sandbox/webhook", webhook),
        web.post("/_sandbox/reset", reset),
    ]


def _act(sandbox: TelegramSandbox, user_id: int, action: str, body: dict[str, Any]) -> Any:
    actions: dict[str, Callable[..., dict[str, Any]]] = {
        "start": sandbox.press_start,
        "text": sandbox.send_text,
        "sticker": sandbox.send_sticker,
        "photo": sandbox.send_photo,
        "edit": sandbox.edit_text,
        "press": sandbox.press_button,
        "block": sandbox.block,
        "unblock": sandbox.unblock,
    }
    if action not in actions:
        raise ValueError(f"unknown action {action!r}; one of {', '.join(actions)}")
    return actions[action](user_id, **body)


def _number(value: Any) -> float | None:
    return None if value is None else float(value)
