"""Bot API methods about the bot itself: identity, updates, webhook, commands, files."""

from __future__ import annotations

import asyncio
import re
from typing import Any

from pulse_mirror.sandbox.telegram.envelope import ApiError, bad_request
from pulse_mirror.sandbox.telegram.params import Params
from pulse_mirror.sandbox.telegram.runtime import Runtime

SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
WEBHOOK_ACTIVE = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
OTHER_POLLER = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)


async def get_me(rt: Runtime, params: Params) -> Any:
    """getMe: the bot's own User object with its capabilities."""
    me = rt.state.bot.to_json()
    me.update(
        {
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
    )
    return me


async def get_updates(rt: Runtime, params: Params) -> Any:
    """getUpdates: confirm up to ``offset``, then long-poll up to ``timeout`` seconds."""
    if rt.webhook.url:
        raise ApiError(409, WEBHOOK_ACTIVE)
    rt.poll_generation += 1
    generation = rt.poll_generation
    rt.queue.wake()  # an older long poll still waiting is now superseded
    offset = params.integer("offset")
    if offset:
        rt.queue.confirm(offset)
    limit = min(max(params.integer("limit") or 100, 1), 100)
    allowed = params.structured("allowed_updates")
    if isinstance(allowed, list):
        rt.queue.allowed = [str(kind) for kind in allowed] or None
    timeout = max(params.integer("timeout") or 0, 0)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        await asyncio.sleep(0)  # let a superseded poll see the newer one first
        if generation != rt.poll_generation:
            raise ApiError(409, OTHER_POLLER)
        if rt.webhook.url:
            raise ApiError(409, WEBHOOK_ACTIVE)
        updates = rt.queue.peek(limit)
        remaining = deadline - loop.time()
        if updates or remaining <= 0 or rt.queue.closed:
            return updates
        await rt.queue.wait(remaining)


async def set_webhook(rt: Runtime, params: Params) -> Any:
    """setWebhook: updates go to ``url`` from now on, with the secret header if one is set."""
    url = params.text("url") or ""
    secret = params.text("secret_token")
    if secret is not None and not SECRET_TOKEN.match(secret):
        raise bad_request("secret token contains unallowed characters")
    if url and not url.startswith(("http://", "https://")):
        raise bad_request("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")
    if params.flag("drop_pending_updates"):
        rt.queue.clear()
    allowed = params.structured("allowed_updates")
    if isinstance(allowed, list):
        rt.queue.allowed = [str(kind) for kind in allowed] or None
    rt.webhook.url = url
    rt.webhook.secret_token = secret
    rt.webhook.max_connections = params.integer("max_connections") or 40
    rt.webhook.last_error_date = rt.webhook.last_error_message = None
    rt.queue.wake()
    return True


async def delete_webhook(rt: Runtime, params: Params) -> Any:
    """deleteWebhook: back to getUpdates, optionally dropping what is pending."""
    if params.flag("drop_pending_updates"):
        rt.queue.clear()
    rt.webhook.url = ""
    rt.webhook.secret_token = None
    rt.queue.wake()
    return True


async def get_webhook_info(rt: Runtime, params: Params) -> Any:
    """getWebhookInfo: the URL, pending count and the last delivery error."""
    info: dict[str, Any] = {
        "url": rt.webhook.url,
        "has_custom_certificate": False,
        "pending_update_count": len(rt.queue),
    }
    if rt.webhook.url:
        info["max_connections"] = rt.webhook.max_connections
        if rt.queue.allowed:
            info["allowed_updates"] = list(rt.queue.allowed)
    if rt.webhook.last_error_date is not None:
        info["last_error_date"] = rt.webhook.last_error_date
        info["last_error_message"] = rt.webhook.last_error_message
    return info


def _command_key(params: Params) -> tuple[str, str]:
    scope = params.structured("scope")
    kind = scope.get("type", "default") if isinstance(scope, dict) else "default"
    return str(kind), params.text("language_code") or ""


async def set_my_commands(rt: Runtime, params: Params) -> Any:
    """setMyCommands: the command list for one scope and language."""
    commands = params.structured("commands")
    if not isinstance(commands, list) or len(commands) > 100:
        raise bad_request("commands must be a list of at most 100 BotCommand objects")
    for command in commands:
        name = command.get("command", "") if isinstance(command, dict) else ""
        if not re.fullmatch(r"[a-z0-9_]{1,32}", name):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(command.get("description", "")) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
    key = _command_key(params)
    rt.state.commands[key] = [
        {"command": c["command"], "description": c["description"]} for c in commands
    ]
    return True


async def get_my_commands(rt: Runtime, params: Params) -> Any:
    """getMyCommands: the list for that scope and language, or the default one."""
    kind, language = _command_key(params)
    for key in ((kind, language), (kind, "")):
        if key in rt.state.commands:
            return rt.state.commands[key]
    return []


async def delete_my_commands(rt: Runtime, params: Params) -> Any:
    """deleteMyCommands: forget the list for that scope and language."""
    rt.state.commands.pop(_command_key(params), None)
    return True


async def get_file(rt: Runtime, params: Params) -> Any:
    """getFile: a path under the file URL for a file the bot uploaded."""
    stored = rt.state.files.get(params.text("file_id") or "")
    if stored is None:
        raise bad_request("invalid file_id")
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": len(stored.data),
        "file_path": f"files/{stored.file_id}",
    }


async def harmless(rt: Runtime, params: Params) -> Any:
    """close, logOut: accepted; the stand-in keeps running."""
    return True
