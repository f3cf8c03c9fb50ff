"""The Bot API methods the stand-in answers, by their canonical names."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from pulse_mirror.sandbox.telegram import bot_methods, messages
from pulse_mirror.sandbox.telegram.params import Params
from pulse_mirror.sandbox.telegram.runtime import Runtime

Method = Callable[[Runtime, Params], Awaitable[Any]]

METHODS: dict[str, Method] = {
    "getMe": bot_methods.get_me,
    "getUpdates": bot_methods.get_updates,
    "setWebhook": bot_methods.set_webhook,
    "deleteWebhook": bot_methods.delete_webhook,
    "getWebhookInfo": bot_methods.get_webhook_info,
    "setMyCommands": bot_methods.set_my_commands,
    "getMyCommands": bot_methods.get_my_commands,
    "deleteMyCommands": bot_methods.delete_my_commands,
    "getFile": bot_methods.get_file,
    "close": bot_methods.harmless,
    "logOut": bot_methods.harmless,
    "sendMessage": messages.send_message,
    "sendPhoto": messages.send_photo,
    "sendDocument": messages.send_document,
    "sendChatAction": messages.send_chat_action,
    "editMessageText": messages.edit_message_text,
    "editMessageCaption": messages.edit_message_caption,
    "editMessageReplyMarkup": messages.edit_message_reply_markup,
    "deleteMessage": messages.delete_message,
    "answerCallbackQuery": messages.answer_callback_query,
}
# Telegram matches method names case-insensitively.
CANONICAL = {name.lower(): name for name in METHODS}
