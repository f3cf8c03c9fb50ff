"""What the stand-in remembers: the bot, users, chats, their messages, files and queries."""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import dataclass, field
from typing import Any

ChatKind = str  # "private", "group", "supergroup" or "channel"


@dataclass
class User:
    """A Telegram account: a person or the bot itself."""

    id: int
    first_name: str
    username: str | None = None
    last_name: str | None = None
    language_code: str | None = None
    is_bot: bool = False

    def to_json(self) -> dict[str, Any]:
        """The Bot API ``User`` object."""
        data: dict[str, Any] = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        if self.language_code and not self.is_bot:
            data["language_code"] = self.language_code
        return data


@dataclass
class Chat:
    """A private chat with one person, or a group, supergroup or channel the bot is in."""

    id: int
    type: ChatKind
    title: str | None = None
    user: User | None = None
    is_forum: bool = False  # a supergroup with topics
    started: bool = False
    blocked: bool = False
    next_message_id: int = 1

    def to_json(self) -> dict[str, Any]:
        """The Bot API ``Chat`` object as it appears inside a message."""
        data: dict[str, Any] = {"id": self.id}
        if self.user is not None and self.type == "private":
            data["first_name"] = self.user.first_name
            if self.user.last_name:
                data["last_name"] = self.user.last_name
            if self.user.username:
                data["username"] = self.user.username
        if self.title:
            data["title"] = self.title
        data["type"] = self.type
        if self.is_forum:
            data["is_forum"] = True
        return data

    @property
    def instance(self) -> str:
        """A stable ``chat_instance`` for callback queries from this chat."""
        digest = hashlib.sha256(f"chat-instance:{self.id}".encode()).hexdigest()
        return str(-(int(digest[:15], 16)))


@dataclass
class StoredFile:
    """A file the bot uploaded, kept so getFile and downloads work."""

    file_id: str
    file_unique_id: str
    data: bytes
    file_name: str | None
    mime_type: str | None


@dataclass
class Message:
    """One message in a chat, sent by the bot or by a person, as it is now."""

    message_id: int
    chat: Chat
    sender: User
    date: int
    text: str | None = None
    entities: list[dict[str, Any]] | None = None
    caption: str | None = None
    reply_markup: dict[str, Any] | None = None
    parse_mode: str | None = None
    photo: list[dict[str, Any]] | None = None
    document: dict[str, Any] | None = None
    sticker: dict[str, Any] | None = None
    edit_date: int | None = None
    deleted: bool = False
    sender_chat: Chat | None = None  # a channel post: sent on behalf of the channel
    message_thread_id: int | None = None  # a forum topic's thread
    is_topic_message: bool = False

    @property
    def from_bot(self) -> bool:
        """Whether the bot sent this message."""
        return self.sender.is_bot

    def to_json(self) -> dict[str, Any]:
        """The Bot API ``Message`` object."""
        data: dict[str, Any] = {"message_id": self.message_id}
        if self.message_thread_id is not None:
            data["message_thread_id"] = self.message_thread_id
        if self.sender_chat is None:
            data["from"] = self.sender.to_json()
        else:  # channel posts name the channel, not the person who wrote them
            data["sender_chat"] = self.sender_chat.to_json()
        data["chat"] = self.chat.to_json()
        data["date"] = self.date
        if self.edit_date is not None:
            data["edit_date"] = self.edit_date
        for name in ("text", "entities", "photo", "document", "sticker", "caption"):
            value = getattr(self, name)
            if value is not None:
                data[name] = value
        if self.is_topic_message:
            data["is_topic_message"] = True
        if self.reply_markup is not None and "inline_keyboard" in self.reply_markup:
            data["reply_markup"] = self.reply_markup
        return data

    def inaccessible_json(self) -> dict[str, Any]:
        """The Bot API ``InaccessibleMessage``: only the chat and the id, and ``date`` 0."""
        return {"chat": self.chat.to_json(), "message_id": self.message_id, "date": 0}


@dataclass
class CallbackQuery:
    """A button press waiting for ``answerCallbackQuery``."""

    id: str
    user: User
    message: Message
    data: str
    answered: bool = False


@dataclass
class SandboxState:
    """Everything the stand-in knows, in memory."""

    bot: User
    users: dict[int, User] = field(default_factory=dict)
    chats: dict[int, Chat] = field(default_factory=dict)
    messages: dict[int, list[Message]] = field(default_factory=dict)
    files: dict[str, StoredFile] = field(default_factory=dict)
    queries: dict[str, CallbackQuery] = field(default_factory=dict)
    callback_answers: list[dict[str, Any]] = field(default_factory=list)
    commands: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def next_id(self) -> int:
        """A fresh number for file and query identifiers."""
        return next(self._ids)

    def chat(self, chat_id: int) -> Chat | None:
        """The chat with this id, if the stand-in knows it."""
        return self.chats.get(chat_id)

    def add_message(self, message: Message) -> Message:
        """Append ``message`` to its chat's history."""
        self.messages.setdefault(message.chat.id, []).append(message)
        return message

    def new_message_id(self, chat: Chat) -> int:
        """The next message id in ``chat`` (ids count per chat, as in private chats)."""
        message_id = chat.next_message_id
        chat.next_message_id += 1
        return message_id

    def find_message(
        self, chat_id: int, message_id: int, *, deleted: bool = False
    ) -> Message | None:
        """A message that still exists in the chat (or, with ``deleted``, that once did)."""
        for message in self.messages.get(chat_id, []):
            if message.message_id == message_id and (deleted or not message.deleted):
                return message
        return None

    def received(self, chat_id: int) -> list[Message]:
        """What the bot sent to this chat and was not deleted, oldest first."""
        return [m for m in self.messages.get(chat_id, []) if m.from_bot and not m.deleted]
