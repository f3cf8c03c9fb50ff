"""A local stand-in for the Telegram Bot API, driven by the real python-telegram-bot."""

from pulse_mirror.sandbox.telegram.envelope import ApiError
from pulse_mirror.sandbox.telegram.server import TelegramSandbox

__all__ = ["ApiError", "TelegramSandbox"]
