"""The stand-in's workspace in memory: users, channels, messages, views and files."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pulse_mirror.sandbox.slack.ids import (
    APP_ID,
    BOT_ID,
    BOT_NAME,
    BOT_USER_ID,
    TEAM_DOMAIN,
    TEAM_ID,
)
from pulse_mirror.sandbox.slack.members import User
from pulse_mirror.sandbox.slack.org import Org
from pulse_mirror.sandbox.slack.triggers import Triggers

__all__ = [
    "APP_ID",
    "BOT_ID",
    "BOT_NAME",
    "BOT_USER_ID",
    "TEAM_DOMAIN",
    "TEAM_ID",
    "Channel",
    "Message",
    "UploadedFile",
    "User",
    "View",
    "Workspace",
]

JSON = dict[str, Any]


@dataclass
class Channel:
    """A conversation: a public/private channel, or the bot's DM with one user."""

    id: str
    name: str
    bot_member: bool = True
    is_private: bool = False
    im_user: str | None = None
    members: set[str] | None = None  # None: every user of the workspace is a member

    @property
    def is_im(self) -> bool:
        """Whether this is a direct message with one user."""
        return self.im_user is not None

    def has_member(self, user_id: str) -> bool:
        """Whether ``user_id`` can see this conversation."""
        if self.im_user is not None:
            return user_id == self.im_user
        return self.members is None or user_id in self.members

    def to_api(self) -> JSON:
        """The conversation object in Slack's shape."""
        if self.im_user is not None:
            return {
                "id": self.id,
                "created": 1700000000,
                "is_im": True,
                "is_org_shared": False,
                "user": self.im_user,
                "is_user_deleted": False,
                "priority": 0,
            }
        return {
            "id": self.id,
            "name": self.name,
            "is_channel": not self.is_private,
            "is_group": self.is_private,
            "is_im": False,
            "is_mpim": False,
            "is_private": self.is_private,
            "created": 1700000000,
            "is_archived": False,
            "is_general": False,
            "unlinked": 0,
            "name_normalized": self.name,
            "is_shared": False,
            "is_org_shared": False,
            "is_member": self.bot_member,
            "creator": BOT_USER_ID,
            "topic": {"value": "", "creator": "", "last_set": 0},
            "purpose": {"value": "", "creator": "", "last_set": 0},
        }


@dataclass
class Message:
    """A message in a conversation, with its current text and blocks."""

    channel: str
    ts: str
    user: str
    text: str
    blocks: list[JSON] = field(default_factory=list)
    thread_ts: str | None = None
    files: list[JSON] = field(default_factory=list)
    edited: bool = False
    ephemeral_for: str | None = None

    @property
    def from_bot(self) -> bool:
        """Whether the bot posted this message."""
        return self.user == BOT_USER_ID

    def to_api(self) -> JSON:
        """The message object in Slack's shape."""
        body: JSON = {"type": "message", "user": self.user, "text": self.text, "ts": self.ts}
        if self.from_bot:
            body.update({"bot_id": BOT_ID, "app_id": APP_ID, "team": TEAM_ID})
        if self.blocks:
            body["blocks"] = self.blocks
        if self.thread_ts:
            body["thread_ts"] = self.thread_ts
        if self.files:
            body["files"] = self.files
            body["upload"] = True
        if self.edited:
            body["edited"] = {"user": self.user, "ts": self.ts}
        return body


@dataclass
class View:
    """A modal opened for a user or a user's App Home."""

    id: str
    user: str
    view: JSON
    hash: str
    closed: bool = False

    @property
    def type(self) -> str:
        """``modal`` or ``home``."""
        return str(self.view.get("type", "modal"))

    def to_api(self) -> JSON:
        """The view object in Slack's shape, as views.* methods return it."""
        v = self.view
        return {
            "id": self.id,
            "team_id": TEAM_ID,
            "type": self.type,
            "blocks": v.get("blocks", []),
            "private_metadata": v.get("private_metadata", ""),
            "callback_id": v.get("callback_id", ""),
            "state": {"values": {}},
            "hash": self.hash,
            "title": v.get("title"),
            "clear_on_close": bool(v.get("clear_on_close", False)),
            "notify_on_close": bool(v.get("notify_on_close", False)),
            "close": v.get("close"),
            "submit": v.get("submit"),
            "previous_view_id": None,
            "root_view_id": self.id,
            "app_id": APP_ID,
            "external_id": v.get("external_id", ""),
            "app_installed_team_id": TEAM_ID,
            "bot_id": BOT_ID,
        }


@dataclass
class UploadedFile:
    """A file announced by files.getUploadURLExternal and, once sent, its bytes."""

    id: str
    filename: str
    length: int
    data: bytes | None = None
    title: str = ""
    channels: list[str] = field(default_factory=list)
    completed: bool = False

    def to_api(self) -> JSON:
        """The file object in Slack's shape."""
        size = len(self.data) if self.data is not None else 0
        return {
            "id": self.id,
            "created": 1700000000,
            "timestamp": 1700000000,
            "name": self.filename,
            "title": self.title or self.filename,
            "mimetype": _mimetype(self.filename),
            "filetype": self.filename.rsplit(".", 1)[-1].lower() if "." in self.filename else "",
            "user": BOT_USER_ID,
            "size": size,
            "is_public": bool(self.channels),
            "channels": list(self.channels),
        }

    def summary(self) -> JSON:
        """What a test wants to know about an uploaded file."""
        return {
            "id": self.id,
            "filename": self.filename,
            "title": self.title or self.filename,
            "bytes": len(self.data) if self.data is not None else 0,
            "channels": list(self.channels),
        }


def _mimetype(filename: str) -> str:
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return {"png": "image/png", "jpg": "image/jpeg", "csv": "text/csv", "txt": "text/plain"}.get(
        ext, "application/octet-stream"
    )


class Workspace:
    """Everything the stand-in knows; one instance per sandbox, reset between uses."""

    def __init__(self, *, wall: Callable[[], float] = time.time, org: Org | None = None) -> None:
        self._wall = wall
        self.org = org or Org()  # how the app is installed; a reset keeps it
        self.reset()

    def reset(self) -> None:
        """Forget every user, channel, message, view and file."""
        self.users: dict[str, User] = {}
        self.channels: dict[str, Channel] = {}
        self._ims: dict[str, str] = {}  # user id -> DM channel id; a DM is never closed here
        self.messages: list[Message] = []
        self.views: dict[str, View] = {}
        self.files: dict[str, UploadedFile] = {}
        self.triggers = Triggers(wall=self._wall)
        self._ids = itertools.count(1)
        self._last_ts = 0.0
        self.users[BOT_USER_ID] = User(
            id=BOT_USER_ID, name=BOT_NAME, real_name="Pulse", is_bot=True
        )

    def clock(self) -> float:
        """The wall-clock time the workspace stamps things with."""
        return self._wall()

    def new_id(self, prefix: str) -> str:
        """A fresh Slack-looking id such as ``U0000000007``."""
        return f"{prefix}{next(self._ids):010d}"

    def new_ts(self) -> str:
        """A fresh, strictly increasing message timestamp such as ``1700000000.000100``."""
        now = max(self._wall(), self._last_ts + 0.000001)
        self._last_ts = now
        return f"{now:.6f}"

    def user_by_id(self, user_id: str) -> User | None:
        """The user with this id, if any."""
        return self.users.get(user_id)

    def im_of(self, user_id: str) -> Channel:
        """The bot's DM channel with ``user_id``, opened on first use."""
        known = self._ims.get(user_id)
        if known is not None and known in self.channels:
            return self.channels[known]
        channel = Channel(id=self.new_id("D"), name=user_id, im_user=user_id)
        self.channels[channel.id] = channel
        self._ims[user_id] = channel.id
        return channel

    def add_channel(self, channel: Channel) -> Channel:
        """Add a conversation (a DM is then the one ``im_of`` finds for its user)."""
        self.channels[channel.id] = channel
        if channel.im_user is not None:
            self._ims[channel.im_user] = channel.id
        return channel

    def conversation_key(self, ref: str | None) -> str | None:
        """What a per-channel limit counts by: a user id and the DM with that user are one."""
        if ref is None:
            return None
        found = self.channels.get(ref)
        if found is not None and found.im_user is not None:
            return f"im:{found.im_user}"
        if ref in self.users:
            return f"im:{ref}"
        return ref

    def resolve_channel(self, ref: str) -> Channel | None:
        """A channel by id or ``#name``; a user id means the DM with that user."""
        if ref in self.channels:
            return self.channels[ref]
        if ref in self.users and not self.users[ref].is_bot:
            return self.im_of(ref)
        name = ref.lstrip("#")
        for channel in self.channels.values():
            if channel.name == name and not channel.is_im:
                return channel
        return None

    def find_message(self, channel: str, ts: str) -> Message | None:
        """The message with this channel and ts, if any."""
        for message in self.messages:
            if message.channel == channel and message.ts == ts:
                return message
        return None

    def issue_trigger(self, user_id: str) -> str:
        """A fresh trigger_id for ``user_id``, usable once within three seconds."""
        return self.triggers.issue(user_id)
