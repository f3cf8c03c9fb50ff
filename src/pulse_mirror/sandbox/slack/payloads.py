"""The payloads Slack sends a bot when a person acts: block_actions, view_submission, events."""

from __future__ import annotations

import secrets
from typing import Any

from pulse_mirror.sandbox.slack.org import Org
from pulse_mirror.sandbox.slack.state import APP_ID, Channel, Message, User, View

JSON = dict[str, Any]
VERIFICATION_TOKEN = "sandboxverificationtoken"


def _user(user: User) -> JSON:
    return {"id": user.id, "username": user.name, "name": user.name, "team_id": user.team_id}


def _installation(org: Org) -> JSON:
    return {
        "team": org.team(),
        "enterprise": org.enterprise(),
        "is_enterprise_install": org.org_install,
    }


def block_actions(
    *,
    org: Org,
    user: User,
    channel: Channel,
    message: Message,
    block_id: str,
    button: JSON,
    trigger_id: str,
    response_url: str,
    action_ts: str,
) -> JSON:
    """The block_actions payload for a button clicked on a message."""
    action: JSON = {
        "action_id": button.get("action_id", ""),
        "block_id": block_id,
        "text": button.get("text", {"type": "plain_text", "text": ""}),
        "type": "button",
        "action_ts": action_ts,
    }
    if "value" in button:
        action["value"] = button["value"]
    if "style" in button:
        action["style"] = button["style"]
    return {
        "type": "block_actions",
        "user": _user(user),
        "api_app_id": APP_ID,
        "token": VERIFICATION_TOKEN,
        "container": {
            "type": "message",
            "message_ts": message.ts,
            "channel_id": channel.id,
            "is_ephemeral": message.ephemeral_for is not None,
        },
        "trigger_id": trigger_id,
        **_installation(org),
        "channel": {"id": channel.id, "name": "directmessage" if channel.is_im else channel.name},
        "message": message.to_api(),
        "state": {"values": {}},
        "response_url": response_url,
        "actions": [action],
    }


def home_action(
    *,
    org: Org,
    user: User,
    home: View,
    block_id: str,
    element: JSON,
    chosen: Any,
    trigger_id: str,
    action_ts: str,
) -> JSON:
    """The block_actions payload for an element acted on in the App Home (a view, no message).

    Slack sends ``container: {type: view, view_id}`` and the whole ``view`` (``type: home``,
    with the state of its selects), and no ``message``, ``channel`` or ``response_url``.
    """
    action = _action(block_id, element, chosen, action_ts)
    shown = home.to_api()
    if "selected_option" in action:
        selected = {"type": action["type"], "selected_option": action["selected_option"]}
        shown["state"] = {"values": {block_id: {action["action_id"]: selected}}}
    return {
        "type": "block_actions",
        "user": _user(user),
        "api_app_id": APP_ID,
        "token": VERIFICATION_TOKEN,
        "container": {"type": "view", "view_id": home.id},
        "trigger_id": trigger_id,
        **_installation(org),
        "view": shown,
        "actions": [action],
    }


def _action(block_id: str, element: JSON, chosen: Any, action_ts: str) -> JSON:
    kind = str(element.get("type"))
    action: JSON = {"type": kind, "action_id": element.get("action_id", ""), "block_id": block_id}
    if kind == "button":
        action["text"] = element.get("text", {"type": "plain_text", "text": ""})
        for key in ("value", "style"):
            if key in element:
                action[key] = element[key]
    elif kind in ("static_select", "overflow", "radio_buttons"):
        options = element.get("options", [])
        option = next((o for o in options if o.get("value") == chosen), None)
        if option is None:
            raise LookupError(f"no option {chosen!r} in {element.get('action_id')}")
        action["selected_option"] = option
        if kind == "static_select" and "placeholder" in element:
            action["placeholder"] = element["placeholder"]
    else:
        raise LookupError(f"acting on a {kind} is not modelled")
    action["action_ts"] = action_ts
    return action


def view_submission(*, org: Org, user: User, view: View, values: JSON, trigger_id: str) -> JSON:
    """The view_submission payload for a modal submitted with these state values."""
    shown = view.to_api()
    shown["state"] = {"values": values}
    return {
        "type": "view_submission",
        "team": org.team(),
        "user": _user(user),
        "api_app_id": APP_ID,
        "token": VERIFICATION_TOKEN,
        "trigger_id": trigger_id,
        "view": shown,
        "response_urls": [],
        "is_enterprise_install": org.org_install,
        "enterprise": org.enterprise(),
    }


def state_values(view: View, answers: dict[str, dict[str, Any]]) -> JSON:
    """Full ``view.state.values`` from simple answers ``{block_id: {action_id: value}}``."""
    elements: dict[tuple[str, str], JSON] = {}
    for block in view.view.get("blocks", []):
        element = block.get("element") if isinstance(block, dict) else None
        if isinstance(element, dict):
            elements[(str(block.get("block_id")), str(element.get("action_id")))] = element
    values: JSON = {}
    for block_id, actions in answers.items():
        for action_id, value in actions.items():
            element = elements.get((block_id, action_id))
            if element is None:
                raise LookupError(f"no input {block_id}/{action_id} in view {view.id}")
            values.setdefault(block_id, {})[action_id] = _element_state(element, value)
    return values


def _element_state(element: JSON, value: Any) -> JSON:
    kind = str(element.get("type"))
    if isinstance(value, dict):
        return {"type": kind, **value}
    if kind in ("static_select", "radio_buttons"):
        options = element.get("options", [])
        option = next((o for o in options if o.get("value") == value), None)
        if option is None:
            raise LookupError(f"no option {value!r} in {element.get('action_id')}")
        return {"type": kind, "selected_option": option}
    return {"type": kind, "value": value}


def app_home_opened(
    *, org: Org, user: User, channel: Channel, home: View | None, event_ts: str
) -> JSON:
    """The events_api body (event_callback) for a user opening the App Home tab."""
    event: JSON = {
        "type": "app_home_opened",
        "user": user.id,
        "channel": channel.id,
        "tab": "home",
        "event_ts": event_ts,
    }
    if home is not None:
        event["view"] = home.to_api()
    return {
        "token": VERIFICATION_TOKEN,
        **org.event_ids(),
        "api_app_id": APP_ID,
        "event": event,
        "type": "event_callback",
        "event_id": f"Ev{secrets.token_hex(5).upper()}",
        "event_time": int(float(event_ts)),
        "authorizations": org.authorizations(),
        "is_ext_shared_channel": False,
        "event_context": f"4-{secrets.token_hex(8)}",
    }


def url_verification() -> JSON:
    """The body Slack POSTs to a new Events API Request URL: echo ``challenge`` to pass."""
    return {
        "token": VERIFICATION_TOKEN,
        "challenge": secrets.token_urlsafe(36),
        "type": "url_verification",
    }
