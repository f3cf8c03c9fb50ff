"""Updates from chats that are not a private chat: supergroups, forum topics and channels.

A bot added to such a chat hears its messages as the Bot API delivers them: a supergroup
message with ``chat.type`` ``supergroup``; in a forum (a supergroup with topics) a message in
a topic also carries ``message_thread_id`` and ``is_topic_message``; a channel post arrives
as a ``channel_post`` update without ``from``, sent on behalf of the channel (``sender_chat``).
"""

from __future__ import annotations

from typing import Any

from pulse_mirror.sandbox.telegram.person import PersonError
from pulse_mirror.sandbox.telegram.runtime import Runtime
from pulse_mirror.sandbox.telegram.state import Chat, Message, User


def _chat(rt: Runtime, chat_id: int, kind: str, title: str, *, forum: bool = False) -> Chat:
    if chat_id >= 0:
        raise PersonError(f"a {kind} has a negative id, not {chat_id}")
    chat = rt.state.chats.get(chat_id)
    if chat is None:
        chat = Chat(id=chat_id, type=kind, title=title, is_forum=forum)
        rt.state.chats[chat_id] = chat
    elif chat.type != kind:
        raise PersonError(f"chat {chat_id} is a {chat.type}, not a {kind}")
    chat.is_forum = chat.is_forum or forum
    return chat


def supergroup_message(
    rt: Runtime,
    *,
    chat_id: int,
    user_id: int,
    text: str,
    title: str = "Sandbox supergroup",
    topic: int | None = None,
) -> dict[str, Any]:
    """A person writes in a supergroup; with ``topic``, in that forum topic's thread."""
    user = rt.state.users.get(user_id)
    if user is None:
        raise PersonError(f"no user {user_id}; add the user first")
    chat = _chat(rt, chat_id, "supergroup", title, forum=topic is not None)
    message = Message(
        message_id=rt.state.new_message_id(chat),
        chat=chat,
        sender=user,
        date=rt.date(),
        text=text,
        message_thread_id=topic,
        is_topic_message=topic is not None,
    )
    rt.state.add_message(message)
    return rt.queue.push("message", message.to_json())


def channel_post(
    rt: Runtime, *, chat_id: int, text: str, title: str = "Sandbox channel"
) -> dict[str, Any]:
    """An admin posts in a channel the bot is a member of (a ``channel_post`` update)."""
    chat = _chat(rt, chat_id, "channel", title)
    message = Message(
        message_id=rt.state.new_message_id(chat),
        chat=chat,
        sender=User(id=chat_id, first_name=title),  # never shown: a post names the channel
        date=rt.date(),
        text=text,
        sender_chat=chat,
    )
    rt.state.add_message(message)
    return rt.queue.push("channel_post", message.to_json())


def age_message(rt: Runtime, *, chat_id: int, message_id: int, seconds: int) -> None:
    """Make a message ``seconds`` older, as if it had been sent that much earlier."""
    message = rt.state.find_message(chat_id, message_id, deleted=True)
    if message is None:
        raise PersonError(f"chat {chat_id} has no message {message_id}")
    message.date -= seconds
