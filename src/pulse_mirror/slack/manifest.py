"""The Slack app manifest: exactly the scopes, events and URLs the bot uses, nothing more."""

from __future__ import annotations

from typing import Any, Literal

EVENTS_PATH = "/slack/events"

# Why each scope is there, so none is added without a use.
BASE_SCOPES = {
    "chat:write": "post pulses to DMs, update them after a click, post short notes",
    "im:write": "open the DM with an employee (conversations.open)",
    "users:read": "read the roster from the workspace and each member's time zone",
}
EMAIL_SCOPE = {"users:read.email": "match roster-file and exclusion entries given as e-mails"}
REPORT_SCOPES = {
    "files:write": "upload the weekly chart to the report channel",
    "channels:read": "find the report channel by name",
    "groups:read": "find the report channel by name when it is private",
}


def required_scopes(*, report_channel: bool, emails: bool) -> list[str]:
    """The bot scopes needed: the base, plus e-mail lookups and the report where used."""
    scopes = dict(BASE_SCOPES)
    if emails:
        scopes |= EMAIL_SCOPE
    if report_channel:
        scopes |= REPORT_SCOPES
    return sorted(scopes)


def manifest(
    *,
    name: str,
    mode: Literal["socket", "http"],
    public_url: str | None = None,
    report_channel: bool = True,
    emails: bool = False,
) -> dict[str, Any]:
    """The app manifest for Socket Mode, or for HTTP mode at ``public_url``."""
    if mode == "http" and not public_url:
        raise ValueError("http mode needs the bot's public https URL")
    settings: dict[str, Any] = {
        "event_subscriptions": {"bot_events": ["app_home_opened"]},
        "interactivity": {"is_enabled": True},
        "org_deploy_enabled": False,
        "socket_mode_enabled": mode == "socket",
        "token_rotation_enabled": False,
    }
    if mode == "http":
        assert public_url is not None
        url = public_url.rstrip("/") + EVENTS_PATH
        settings["event_subscriptions"]["request_url"] = url
        settings["interactivity"]["request_url"] = url
    return {
        "_metadata": {"major_version": 1, "minor_version": 1},
        "display_information": {
            "name": "Pulse Mirror",
            "description": f"{name}'s weekly pulse: a few one-click, anonymous questions.",
            "background_color": "#2c3e50",
        },
        "features": {
            "app_home": {
                "home_tab_enabled": True,
                "messages_tab_enabled": True,
                "messages_tab_read_only_enabled": True,
            },
            "bot_user": {"display_name": "pulse", "always_online": True},
        },
        "oauth_config": {
            "scopes": {"bot": required_scopes(report_channel=report_channel, emails=emails)}
        },
        "settings": settings,
    }
