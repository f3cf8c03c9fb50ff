"""A local stand-in for the Slack Web API, Socket Mode and Slack's requests to the bot."""

from pulse_mirror.sandbox.slack.delivery import BotReply, Signing, sign
from pulse_mirror.sandbox.slack.limits import RateLimit
from pulse_mirror.sandbox.slack.sandbox import SlackSandbox

__all__ = ["BotReply", "RateLimit", "Signing", "SlackSandbox", "sign"]
