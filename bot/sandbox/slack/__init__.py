"""A local stand-in for the Slack Web API, Socket Mode and Slack's requests to the bot."""

from bot.sandbox.slack.delivery import BotReply, Signing, sign
from bot.sandbox.slack.limits import RateLimit
from bot.sandbox.slack.sandbox import SlackSandbox

__all__ = ["BotReply", "RateLimit", "Signing", "SlackSandbox", "sign"]
