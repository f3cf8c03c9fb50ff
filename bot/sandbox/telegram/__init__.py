"""A local stand-in for the Telegram Bot API, driven by the real python-telegram-bot."""

from bot.sandbox.telegram.envelope import ApiError
from bot.sandbox.telegram.server import TelegramSandbox

__all__ = ["ApiError", "TelegramSandbox"]
