"""Web API methods about who and where: auth.test, users.*, conversations.*."""

from __future__ import annotations

import base64
import binascii

from pulse_mirror.sandbox.slack.calls import JSON, Call, SlackError
from pulse_mirror.sandbox.slack.state import (
    BOT_ID,
    BOT_NAME,
    BOT_USER_ID,
    TEAM_DOMAIN,
    TEAM_ID,
    Channel,
    Workspace,
)

MAX_PAGE = 1000


def auth_test(ws: Workspace, call: Call) -> JSON:
    """auth.test: who the bot token belongs to."""
    return {
        "ok": True,
        "url": f"https://{TEAM_DOMAIN}.slack.com/",
        "team": "Sandbox",
        "user": BOT_NAME,
        "team_id": TEAM_ID,
        "user_id": BOT_USER_ID,
        "bot_id": BOT_ID,
        **ws.org.auth_test(),
    }


def _cursor_for(user_id: str, kind: str = "user") -> str:
    return base64.b64encode(f"{kind}:{user_id}".encode()).decode()


def _start_after(cursor: str, ids: list[str], kind: str = "user") -> int:
    try:
        decoded = base64.b64decode(cursor.encode(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise SlackError("invalid_cursor") from None
    found, _, user_id = decoded.partition(":")
    if found != kind or user_id not in ids:
        raise SlackError("invalid_cursor")
    return ids.index(user_id)


def users_list(ws: Workspace, call: Call) -> JSON:
    """users.list: every member, paginated with ``limit`` and ``cursor``."""
    ids = list(ws.users)
    limit = call.integer("limit")
    if limit < 0:
        raise SlackError("invalid_limit")
    size = MAX_PAGE if limit == 0 else min(limit, MAX_PAGE)
    cursor = call.text("cursor")
    start = _start_after(cursor, ids) if cursor else 0
    page = ids[start : start + size]
    following = ids[start + size] if start + size < len(ids) else None
    include_locale = call.flag("include_locale")
    return {
        "ok": True,
        "members": [ws.users[i].to_api(include_locale=include_locale) for i in page],
        "cache_ts": 1700000000,
        "response_metadata": {"next_cursor": _cursor_for(following) if following else ""},
    }


def users_info(ws: Workspace, call: Call) -> JSON:
    """users.info: one member."""
    user = ws.user_by_id(call.need("user", "user_not_found"))
    if user is None:
        raise SlackError("user_not_found")
    return {"ok": True, "user": user.to_api(include_locale=call.flag("include_locale"))}


def conversations_open(ws: Workspace, call: Call) -> JSON:
    """conversations.open: the DM with one user (by ``users``) or an existing one (``channel``)."""
    channel_id = call.text("channel")
    users = [u for u in (call.text("users") or "").split(",") if u]
    if channel_id:
        channel = ws.channels.get(channel_id)
        if channel is None or not channel.is_im:
            raise SlackError("channel_not_found")
        already = True
    else:
        if not users:
            raise SlackError("users_list_not_supplied")
        if len(users) > 1:
            raise SlackError("not_supported", detail="the sandbox opens only one-to-one DMs")
        user = ws.user_by_id(users[0])
        if user is None:
            raise SlackError("user_not_found")
        if user.deleted:
            raise SlackError("user_disabled")
        already = any(c.im_user == user.id for c in ws.channels.values())
        channel = ws.im_of(user.id)
    body: JSON = {"ok": True}
    if already:
        body.update({"no_op": True, "already_open": True})
    body["channel"] = channel.to_api() if call.flag("return_im") else {"id": channel.id}
    return body


def conversations_info(ws: Workspace, call: Call) -> JSON:
    """conversations.info: one conversation."""
    channel = ws.channels.get(call.need("channel", "channel_not_found"))
    if channel is None or (channel.is_private and not channel.bot_member):
        raise SlackError("channel_not_found")
    return {"ok": True, "channel": channel.to_api()}


_CHANNEL_TYPES = {"public_channel", "private_channel", "mpim", "im"}


def conversations_list(ws: Workspace, call: Call) -> JSON:
    """conversations.list: channels by ``types`` (default public), paginated like users.list.

    A private channel is listed only when the bot is a member, as Slack does.
    """
    types = {t for t in (call.text("types") or "public_channel").split(",") if t}
    if not types <= _CHANNEL_TYPES:
        raise SlackError("invalid_types")
    limit = call.integer("limit")
    if limit < 0:
        raise SlackError("invalid_limit")

    def wanted(channel: Channel) -> bool:
        if channel.is_im:
            return "im" in types
        if channel.is_private:
            return "private_channel" in types and channel.bot_member
        return "public_channel" in types

    ids = [c.id for c in ws.channels.values() if wanted(c)]
    size = MAX_PAGE if limit == 0 else min(limit, MAX_PAGE)
    cursor = call.text("cursor")
    start = _start_after(cursor, ids, "channel") if cursor else 0
    page = ids[start : start + size]
    following = ids[start + size] if start + size < len(ids) else None
    return {
        "ok": True,
        "channels": [ws.channels[i].to_api() for i in page],
        "response_metadata": {
            "next_cursor": _cursor_for(following, "channel") if following else ""
        },
    }
