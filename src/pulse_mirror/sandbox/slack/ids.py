"""The fixed ids of the stand-in's workspace, app and bot, and of its Enterprise Grid org."""

from __future__ import annotations

TEAM_ID = "T0SANDBOX"
TEAM_DOMAIN = "sandbox"
APP_ID = "A0SANDBOX"
BOT_USER_ID = "U0SANDBOT"
BOT_ID = "B0SANDBOT"
BOT_NAME = "pulse"
ENTERPRISE_ID = "E0SANDBOX"
ENTERPRISE_NAME = "Sandbox Org"
ENTERPRISE_DOMAIN = "sandbox-org"
