"""Web API methods that show things to people: chat.* and views.*."""

from __future__ import annotations

import secrets
from typing import Any

from pulse_mirror.sandbox.slack.blocks import (
    MAX_MESSAGE_TEXT,
    Surface,
    block_errors,
    with_block_ids,
)
from pulse_mirror.sandbox.slack.calls import JSON, Call, SlackError
from pulse_mirror.sandbox.slack.state import BOT_USER_ID, Channel, Message, View, Workspace

TITLE_ERROR = "must be less than 25 characters [json-pointer:/view/title/text]"


def _blocks(call: Call, *, surface: Surface = "message") -> list[Any]:
    if call.args.get("blocks") in (None, ""):
        return []
    blocks = call.structured("blocks", "invalid_blocks_format")
    return _checked(blocks, surface=surface)


def _checked(blocks: Any, *, surface: Surface) -> list[Any]:
    errors = block_errors(blocks, surface=surface)
    if errors:
        raise SlackError(
            "invalid_blocks",
            errors=errors,
            response_metadata={"messages": [f"[ERROR] {e}" for e in errors]},
        )
    return with_block_ids(blocks)


def _postable(ws: Workspace, call: Call) -> Channel:
    channel = ws.resolve_channel(call.need("channel", "channel_not_found"))
    if channel is None:
        raise SlackError("channel_not_found")
    if channel.im_user is not None:
        user = ws.user_by_id(channel.im_user)
        if user is not None and user.deleted:
            raise SlackError("user_disabled")
    elif not channel.bot_member:
        raise SlackError("channel_not_found" if channel.is_private else "not_in_channel")
    return channel


def _text(call: Call, blocks: list[Any]) -> str:
    text = call.text("text", "") or ""
    if not text and not blocks and not call.args.get("attachments"):
        raise SlackError("no_text")
    if len(text) > MAX_MESSAGE_TEXT:
        raise SlackError("msg_too_long")
    return text


def chat_post_message(ws: Workspace, call: Call) -> JSON:
    """chat.postMessage: a new message from the bot."""
    channel = _postable(ws, call)
    blocks = _blocks(call)
    text = _text(call, blocks)
    thread_ts = call.text("thread_ts")
    if thread_ts and ws.find_message(channel.id, thread_ts) is None:
        raise SlackError("thread_not_found")
    message = Message(
        channel=channel.id,
        ts=ws.new_ts(),
        user=BOT_USER_ID,
        text=text,
        blocks=blocks,
        thread_ts=thread_ts,
    )
    ws.messages.append(message)
    return {"ok": True, "channel": channel.id, "ts": message.ts, "message": message.to_api()}


def chat_update(ws: Workspace, call: Call) -> JSON:
    """chat.update: new text/blocks for a message the bot posted."""
    channel = ws.resolve_channel(call.need("channel", "channel_not_found"))
    if channel is None:
        raise SlackError("channel_not_found")
    message = ws.find_message(channel.id, call.need("ts", "message_not_found"))
    if message is None or message.ephemeral_for is not None:
        raise SlackError("message_not_found")
    if not message.from_bot:
        raise SlackError("cant_update_message")
    if "blocks" in call.args:
        message.blocks = _blocks(call)
    if call.text("text") is not None:
        message.text = _text(call, message.blocks)
    message.edited = True
    return {
        "ok": True,
        "channel": channel.id,
        "ts": message.ts,
        "text": message.text,
        "message": message.to_api(),
    }


def chat_post_ephemeral(ws: Workspace, call: Call) -> JSON:
    """chat.postEphemeral: a message only one user of a channel sees."""
    channel = _postable(ws, call)
    user = ws.user_by_id(call.need("user", "user_not_found"))
    if user is None:
        raise SlackError("user_not_found")
    if not channel.has_member(user.id):
        raise SlackError("user_not_in_channel")
    blocks = _blocks(call)
    message = Message(
        channel=channel.id,
        ts=ws.new_ts(),
        user=BOT_USER_ID,
        text=_text(call, blocks),
        blocks=blocks,
        ephemeral_for=user.id,
    )
    ws.messages.append(message)
    return {"ok": True, "message_ts": message.ts}


def _view_arg(call: Call) -> JSON:
    view = call.structured("view")
    if not isinstance(view, dict) or view.get("type") not in ("modal", "home"):
        raise SlackError("invalid_arguments")
    surface: Surface = "home" if view["type"] == "home" else "modal"
    view = {**view, "blocks": _checked(view.get("blocks", []), surface=surface)}
    title = view.get("title")
    if view["type"] == "modal" and (not isinstance(title, dict) or len(title.get("text", "")) > 24):
        raise SlackError(
            "invalid_arguments",
            response_metadata={"messages": [f"[ERROR] {TITLE_ERROR}"]},
        )
    return view


def views_open(ws: Workspace, call: Call) -> JSON:
    """views.open: a modal, for the user whose interaction issued ``trigger_id``.

    A well-formed trigger_id the stand-in did not issue opens a modal that belongs to no
    known user (``View.user`` is empty); see :mod:`pulse_mirror.sandbox.slack.triggers`.
    """
    view_arg = _view_arg(call)
    user_id = ws.triggers.redeem(call.need("trigger_id"))
    view = View(id=ws.new_id("V"), user=user_id or "", view=view_arg, hash=_hash())
    ws.views[view.id] = view
    return {"ok": True, "view": view.to_api()}


def views_update(ws: Workspace, call: Call) -> JSON:
    """views.update: replace a view found by ``view_id`` or ``external_id``."""
    view_id, external_id = call.text("view_id"), call.text("external_id")
    found = ws.views.get(view_id) if view_id else None
    if external_id and found is None:
        found = next(
            (v for v in ws.views.values() if v.view.get("external_id") == external_id), None
        )
    if found is None:
        raise SlackError("not_found")
    expected = call.text("hash")
    if expected is not None and expected != found.hash:
        raise SlackError("hash_conflict")
    found.view = _view_arg(call)
    found.hash = _hash()
    return {"ok": True, "view": found.to_api()}


def views_publish(ws: Workspace, call: Call) -> JSON:
    """views.publish: a user's App Home."""
    user = ws.user_by_id(call.need("user_id", "user_not_found"))
    if user is None:
        raise SlackError("user_not_found")
    view = _view_arg(call)
    if view["type"] != "home":
        raise SlackError("invalid_arguments")
    home = next((v for v in ws.views.values() if v.user == user.id and v.type == "home"), None)
    if home is None:
        home = View(id=ws.new_id("V"), user=user.id, view=view, hash=_hash())
        ws.views[home.id] = home
    else:
        expected = call.text("hash")
        if expected is not None and expected != home.hash:
            raise SlackError("hash_conflict")
        home.view, home.hash = view, _hash()
    return {"ok": True, "view": home.to_api()}


def _hash() -> str:
    return f"1700000000.{secrets.token_hex(4)}"
