"""Acting as a person: what users do in their Telegram app, turned into bot updates."""

from __future__ import annotations

import hashlib
from typing import Any

from pulse_mirror.sandbox.telegram.runtime import Runtime
from pulse_mirror.sandbox.telegram.state import CallbackQuery, Chat, Message, User


class PersonError(ValueError):
    """Something a person cannot do (unknown user, no such button)."""


def add_user(
    rt: Runtime,
    *,
    user_id: int,
    first_name: str,
    username: str | None = None,
    last_name: str | None = None,
    language_code: str | None = "en",
) -> User:
    """Create a person and their private chat with the bot (not started yet)."""
    user = User(
        id=user_id,
        first_name=first_name,
        username=username,
        last_name=last_name,
        language_code=language_code,
    )
    rt.state.users[user_id] = user
    existing = rt.state.chats.get(user_id)
    if existing is None or existing.type != "private":
        rt.state.chats[user_id] = Chat(id=user_id, type="private", user=user)
    else:
        existing.user = user
    return user


def _person(rt: Runtime, user_id: int) -> tuple[User, Chat]:
    user = rt.state.users.get(user_id)
    if user is None:
        raise PersonError(f"no user {user_id}; add the user first")
    return user, rt.state.chats[user_id]


def _post(rt: Runtime, chat: Chat, user: User, **content: Any) -> dict[str, Any]:
    message = Message(
        message_id=rt.state.new_message_id(chat),
        chat=chat,
        sender=user,
        date=rt.date(),
        **content,
    )
    rt.state.add_message(message)
    return rt.queue.push("message", message.to_json())


def press_start(rt: Runtime, *, user_id: int, payload: str | None = None) -> dict[str, Any]:
    """The person taps Start, through a deep link ``t.me/<bot>?start=<payload>`` if given."""
    user, chat = _person(rt, user_id)
    chat.started = True
    text = "/start" if not payload else f"/start {payload}"
    entities = [{"offset": 0, "length": len("/start"), "type": "bot_command"}]
    return _post(rt, chat, user, text=text, entities=entities)


def send_text(rt: Runtime, *, user_id: int, text: str) -> dict[str, Any]:
    """The person writes a message to the bot (a leading /command gets its entity)."""
    user, chat = _person(rt, user_id)
    chat.started = True
    entities = None
    if text.startswith("/"):
        command = text.split(maxsplit=1)[0]
        entities = [{"offset": 0, "length": len(command), "type": "bot_command"}]
    return _post(rt, chat, user, text=text, entities=entities)


def send_sticker(rt: Runtime, *, user_id: int, emoji: str = "👍") -> dict[str, Any]:
    """The person sends a sticker instead of an answer."""
    user, chat = _person(rt, user_id)
    chat.started = True
    number = rt.state.next_id()
    sticker = {
        "file_id": f"sandbox-sticker-{number}",
        "file_unique_id": f"sticker{number}",
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
        "emoji": emoji,
    }
    return _post(rt, chat, user, sticker=sticker)


def send_photo(
    rt: Runtime, *, user_id: int, caption: str | None = None, size: int = 20_000
) -> dict[str, Any]:
    """The person sends a photo, with an optional caption."""
    user, chat = _person(rt, user_id)
    chat.started = True
    number = rt.state.next_id()
    photo = [
        {
            "file_id": f"sandbox-userphoto-{number}",
            "file_unique_id": f"userphoto{number}",
            "file_size": size,
            "width": 1280,
            "height": 960,
        }
    ]
    return _post(rt, chat, user, photo=photo, caption=caption)


def edit_text(rt: Runtime, *, user_id: int, message_id: int, text: str) -> dict[str, Any]:
    """The person edits a message they sent earlier (an ``edited_message`` update)."""
    _, chat = _person(rt, user_id)
    message = rt.state.find_message(chat.id, message_id)
    if message is None or message.sender.id != user_id or message.text is None:
        raise PersonError(f"user {user_id} has no text message {message_id} to edit")
    message.text = text
    message.edit_date = rt.date()
    return rt.queue.push("edited_message", message.to_json())


def send_group_message(
    rt: Runtime, *, chat_id: int, user_id: int, text: str, title: str = "Sandbox group"
) -> dict[str, Any]:
    """The person writes in a group the bot is a member of."""
    user, _ = _person(rt, user_id)
    chat = rt.state.chats.get(chat_id)
    if chat is None:
        chat = rt.state.chats.setdefault(chat_id, Chat(id=chat_id, type="group", title=title))
    return _post(rt, chat, user, text=text)


def press_button(
    rt: Runtime, *, user_id: int, message_id: int, data: str | None = None, text: str | None = None
) -> dict[str, Any]:
    """The person taps an inline button (found by its data or label) on a bot message.

    A message deleted since, or older than ``rt.inaccessible_after``, still shows its
    buttons in a stale app; the tap then carries an InaccessibleMessage, as Telegram's does.
    """
    user, chat = _person(rt, user_id)
    message = rt.state.find_message(chat.id, message_id, deleted=True)
    if message is None or not message.from_bot:
        raise PersonError(f"user {user_id} received no message {message_id}")
    rows = (message.reply_markup or {}).get("inline_keyboard", [])
    for row in rows:
        for button in row:
            if "callback_data" in button and (
                button["callback_data"] == data or (data is None and button["text"] == text)
            ):
                return _callback(rt, user=user, message=message, data=button["callback_data"])
    raise PersonError(f"message {message_id} has no button {data or text!r}")


def _callback(rt: Runtime, *, user: User, message: Message, data: str) -> dict[str, Any]:
    number = rt.state.next_id()
    digest = hashlib.sha256(f"query:{user.id}:{number}".encode()).hexdigest()
    query_id = str(int(digest[:15], 16))
    rt.state.queries[query_id] = CallbackQuery(query_id, user, message, data)
    old = rt.date() - message.date > rt.inaccessible_after
    payload = {
        "id": query_id,
        "from": user.to_json(),
        "message": message.inaccessible_json() if old or message.deleted else message.to_json(),
        "chat_instance": message.chat.instance,
        "data": data,
    }
    return rt.queue.push("callback_query", payload)


def _membership(rt: Runtime, user: User, chat: Chat, *, old: str, new: str) -> dict[str, Any]:
    def member(status: str) -> dict[str, Any]:
        data: dict[str, Any] = {"user": rt.state.bot.to_json(), "status": status}
        if status == "kicked":
            data["until_date"] = 0
        return data

    payload = {
        "chat": chat.to_json(),
        "from": user.to_json(),
        "date": rt.date(),
        "old_chat_member": member(old),
        "new_chat_member": member(new),
    }
    return rt.queue.push("my_chat_member", payload)


def block(rt: Runtime, *, user_id: int) -> dict[str, Any]:
    """The person blocks the bot: sends get 403 and the bot hears ``my_chat_member``."""
    user, chat = _person(rt, user_id)
    chat.blocked = True
    return _membership(rt, user, chat, old="member", new="kicked")


def unblock(rt: Runtime, *, user_id: int) -> dict[str, Any]:
    """The person unblocks the bot again."""
    user, chat = _person(rt, user_id)
    chat.blocked = False
    return _membership(rt, user, chat, old="kicked", new="member")


def describe_message(message: Message) -> dict[str, Any]:
    """A message as a test or the control API reads what a chat received."""
    data = message.to_json()
    data["parse_mode"] = message.parse_mode
    if message.reply_markup is not None:
        data["reply_markup"] = message.reply_markup
    if message.photo:
        data["photo_size"] = message.photo[-1]["file_size"]
    if message.document:
        data["document_size"] = message.document["file_size"]
    return data
