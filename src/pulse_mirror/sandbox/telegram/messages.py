"""Bot API methods that send, edit and delete messages and answer button presses."""

from __future__ import annotations

import hashlib
from typing import Any

from pulse_mirror.sandbox.telegram.envelope import bad_request, forbidden
from pulse_mirror.sandbox.telegram.formatting import visible_text
from pulse_mirror.sandbox.telegram.limits import check_caption, check_markup, check_text
from pulse_mirror.sandbox.telegram.params import Params
from pulse_mirror.sandbox.telegram.runtime import Runtime
from pulse_mirror.sandbox.telegram.state import Chat, Message, StoredFile

QUERY_INVALID = "query is too old and response timeout expired or query ID is invalid"
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)


def target_chat(rt: Runtime, params: Params) -> Chat:
    """The chat a send goes to, refused as Telegram refuses it."""
    raw = params.values.get("chat_id")
    if raw is None or raw == "":
        raise bad_request("chat_id is empty")
    try:
        chat = rt.state.chat(int(raw))
    except (TypeError, ValueError):
        chat = None
    if chat is None:
        raise bad_request("chat not found")
    if chat.type == "private":
        if chat.blocked:
            raise forbidden("bot was blocked by the user")
        if not chat.started:
            raise forbidden("bot can't initiate conversation with a user")
    return chat


def _store_file(rt: Runtime, params: Params, name: str) -> StoredFile:
    upload = params.uploads.get(name)
    if upload is not None:
        number = rt.state.next_id()
        unique = hashlib.sha256(upload.data).hexdigest()[:16]
        stored = StoredFile(
            file_id=f"sandbox-{name}-{number}",
            file_unique_id=unique,
            data=upload.data,
            file_name=upload.filename,
            mime_type=upload.content_type,
        )
        rt.state.files[stored.file_id] = stored
        return stored
    reference = params.text(name)
    if not reference:
        raise bad_request(f"there is no {name} in the request")
    if reference in rt.state.files:
        return rt.state.files[reference]
    if reference.startswith(("http://", "https://")):
        stored = StoredFile(reference, reference[-16:], b"", reference.rsplit("/", 1)[-1], None)
        return stored
    raise bad_request("wrong file identifier/HTTP URL specified")


def _image_size(data: bytes) -> tuple[int, int]:
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    return 800, 600


def _caption(params: Params) -> str | None:
    caption = params.text("caption")
    check_caption(caption)
    return visible_text(caption, params.text("parse_mode")) if caption else None


def _new_bot_message(rt: Runtime, chat: Chat, params: Params, **content: Any) -> Message:
    markup = check_markup(params.structured("reply_markup"))
    rt.pace.check(chat.id)
    message = Message(
        message_id=rt.state.new_message_id(chat),
        chat=chat,
        sender=rt.state.bot,
        date=rt.date(),
        reply_markup=markup,
        parse_mode=params.text("parse_mode"),
        **content,
    )
    return rt.state.add_message(message)


async def send_message(rt: Runtime, params: Params) -> Any:
    """sendMessage: text, parse_mode and an optional inline keyboard."""
    chat = target_chat(rt, params)
    text = check_text(visible_text(params.text("text") or "", params.text("parse_mode")))
    return _new_bot_message(rt, chat, params, text=text).to_json()


async def send_photo(rt: Runtime, params: Params) -> Any:
    """sendPhoto: an uploaded photo (multipart), a known file_id or a URL, with a caption."""
    chat = target_chat(rt, params)
    caption = _caption(params)
    stored = _store_file(rt, params, "photo")
    width, height = _image_size(stored.data)
    size = {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": len(stored.data),
        "width": width,
        "height": height,
    }
    return _new_bot_message(rt, chat, params, photo=[size], caption=caption).to_json()


async def send_document(rt: Runtime, params: Params) -> Any:
    """sendDocument: an uploaded file with its name, type and size, and a caption."""
    chat = target_chat(rt, params)
    caption = _caption(params)
    stored = _store_file(rt, params, "document")
    document: dict[str, Any] = {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": len(stored.data),
    }
    if stored.file_name:
        document["file_name"] = stored.file_name
    if stored.mime_type:
        document["mime_type"] = stored.mime_type
    return _new_bot_message(rt, chat, params, document=document, caption=caption).to_json()


def _message_to_edit(rt: Runtime, params: Params) -> Message:
    if params.has("inline_message_id"):
        raise bad_request("message to edit not found")
    chat_id = params.integer("chat_id", required=True)
    message_id = params.integer("message_id", required=True)
    assert chat_id is not None and message_id is not None
    if rt.state.chat(chat_id) is None:
        raise bad_request("chat not found")
    message = rt.state.find_message(chat_id, message_id)
    if message is None:
        raise bad_request("message to edit not found")
    if not message.from_bot:
        raise bad_request("message can't be edited")
    return message


async def edit_message_text(rt: Runtime, params: Params) -> Any:
    """editMessageText: new text and keyboard, refused when nothing changes."""
    message = _message_to_edit(rt, params)
    if message.text is None:
        raise bad_request("there is no text in the message to edit")
    text = check_text(visible_text(params.text("text") or "", params.text("parse_mode")))
    markup = check_markup(params.structured("reply_markup"))
    if text == message.text and markup == message.reply_markup:
        raise bad_request(NOT_MODIFIED)
    message.text, message.reply_markup = text, markup
    message.parse_mode = params.text("parse_mode")
    message.edit_date = rt.date()
    return message.to_json()


async def edit_message_caption(rt: Runtime, params: Params) -> Any:
    """editMessageCaption: a new caption for a photo or document."""
    message = _message_to_edit(rt, params)
    caption = _caption(params)
    markup = check_markup(params.structured("reply_markup"))
    if caption == message.caption and markup == message.reply_markup:
        raise bad_request(NOT_MODIFIED)
    message.caption, message.reply_markup = caption, markup
    message.edit_date = rt.date()
    return message.to_json()


async def edit_message_reply_markup(rt: Runtime, params: Params) -> Any:
    """editMessageReplyMarkup: a new inline keyboard, or none to remove it."""
    message = _message_to_edit(rt, params)
    markup = check_markup(params.structured("reply_markup"))
    if markup == message.reply_markup:
        raise bad_request(NOT_MODIFIED)
    message.reply_markup = markup
    message.edit_date = rt.date()
    return message.to_json()


async def delete_message(rt: Runtime, params: Params) -> Any:
    """deleteMessage: the message disappears from the chat."""
    chat_id = params.integer("chat_id", required=True)
    message_id = params.integer("message_id", required=True)
    assert chat_id is not None and message_id is not None
    message = rt.state.find_message(chat_id, message_id)
    if message is None:
        raise bad_request("message to delete not found")
    message.deleted = True
    return True


async def answer_callback_query(rt: Runtime, params: Params) -> Any:
    """answerCallbackQuery: once per pressed button, with an optional toast or alert."""
    query = rt.state.queries.get(params.text("callback_query_id") or "")
    if query is None or query.answered:
        raise bad_request(QUERY_INVALID)
    query.answered = True
    rt.state.callback_answers.append(
        {
            "callback_query_id": query.id,
            "user_id": query.user.id,
            "chat_id": query.message.chat.id,
            "message_id": query.message.message_id,
            "data": query.data,
            "text": params.text("text"),
            "show_alert": params.flag("show_alert"),
            "url": params.text("url"),
        }
    )
    return True


async def send_chat_action(rt: Runtime, params: Params) -> Any:
    """sendChatAction: accepted and forgotten."""
    target_chat(rt, params)
    return True
