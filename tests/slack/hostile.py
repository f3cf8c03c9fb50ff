# ruff: noqa: E501
"""Hostile requests to the Slack endpoint: unsigned, forged, stale, oversized and malformed.

Each kind is a (name, body, headers) triple. Signed kinds carry a valid signature with the
test signing secret, so they reach the parser; unsigned kinds must be refused before it.
A canary user id and answer value ride in the bodies, so a test can look for them in the log.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.parse
from typing import Any

from tests.slack.support import SECRETS

CANARY_USER = "U0CANARY42"
CANARY_VALUE = "a:canarytoken:0:4"
SECRET = SECRETS["SLACK_SIGNING_SECRET"]
FORM = "application/x-www-form-urlencoded"

Request = tuple[str, bytes, dict[str, str]]


def sign(body: bytes, *, stamp: int | None = None, secret: str = SECRET) -> dict[str, str]:
    """Slack's signature headers for ``body``."""
    ts = str(int(time.time()) if stamp is None else stamp)
    mac = hmac.new(secret.encode(), b"v0:" + ts.encode() + b":" + body, hashlib.sha256)
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": "v0=" + mac.hexdigest()}


def form(payload: Any) -> bytes:
    """An interactivity body: ``payload=<json>``, form-encoded."""
    text = payload if isinstance(payload, str) else json.dumps(payload)
    return urllib.parse.urlencode({"payload": text}).encode()


def click(**override: Any) -> dict[str, Any]:
    """A block_actions payload with the canary user and value."""
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": {"id": CANARY_USER, "team_id": "T0SANDBOX"},
        "team": {"id": "T0SANDBOX"},
        "api_app_id": "A0SANDBOX",
        "trigger_id": "1.2.abc",
        "container": {"type": "message", "channel_id": "D0CANARY", "message_ts": "1.0"},
        "actions": [{"action_id": "pulse_answer_4", "value": CANARY_VALUE, "action_ts": "1.5"}],
    }
    payload.update(override)
    return payload


def _signed(name: str, body: bytes, content_type: str = FORM) -> Request:
    return name, body, {"Content-Type": content_type, **sign(body)}


def unsigned_kinds() -> list[Request]:
    """Requests that must be refused before anything is parsed."""
    body = form(click())
    good = sign(body)
    return [
        ("no signature", body, {"Content-Type": FORM}),
        ("junk payload unsigned", b"payload=123", {"Content-Type": FORM}),
        ("json unsigned", b'{"type":"event_callback"}', {"Content-Type": "application/json"}),
        ("wrong secret", body, {"Content-Type": FORM, **sign(body, secret="not-the-secret")}),
        ("stale timestamp", body, {"Content-Type": FORM, **sign(body, stamp=int(time.time()) - 600)}),
        ("future timestamp", body, {"Content-Type": FORM, **sign(body, stamp=int(time.time()) + 600)}),
        ("timestamp not a number", body, {**good, "X-Slack-Request-Timestamp": "abc"}),
        ("huge timestamp", body, {**good, "X-Slack-Request-Timestamp": "9" * 40}),
        ("signature not hex", body, {**good, "X-Slack-Signature": "v0=" + "z" * 64}),
        ("signature other version", body, {**good, "X-Slack-Signature": "v1=" + "0" * 64}),
        ("signature of another body", form(click(team={"id": "T2"})), {"Content-Type": FORM, **good}),
        ("empty body", b"", {"Content-Type": FORM}),
        ("oversized unsigned", b"payload=" + b"a" * 1_100_000, {"Content-Type": FORM}),
    ]  # fmt: skip


def signed_kinds() -> list[Request]:
    """Genuinely signed requests whose body is not something the bot can handle."""
    deep = "[" * 100_000 + "]" * 100_000
    return [
        _signed("payload number", b"payload=123"),
        _signed("payload string", form('"s"')),
        _signed("payload list", form("[]")),
        _signed("payload null", form("null")),
        _signed("payload not json", form("{not json")),
        _signed("payload deeply nested", form(deep)),
        _signed("bad percent escape", b"payload=%ZZ%7B"),
        _signed("non utf-8 body", b"payload=\xff\xfe\xfd"),
        _signed("non utf-8 escaped", b"payload=%ff%fe"),
        _signed("json number", b"123", "application/json"),
        _signed("json string", b'"s"', "application/json"),
        _signed("json list", b"[]", "application/json"),
        _signed("json null", b"null", "application/json"),
        _signed("json deeply nested", ("{" + '"a":' * 50_000 + "1" + "}" * 50_000).encode(), "application/json"),
        _signed("no type", form({"user": {"id": CANARY_USER}})),
        _signed("type not a string", form({"type": 5})),
        _signed("event without event", b'{"type":"event_callback"}', "application/json"),
        _signed("event not an object", b'{"type":"event_callback","event":"s"}', "application/json"),
        _signed("event without type", b'{"type":"event_callback","event":{}}', "application/json"),
        _signed("event user not text", b'{"type":"event_callback","event":{"type":"app_home_opened","user":5}}', "application/json"),
        _signed("home opened without user", b'{"type":"event_callback","event":{"type":"app_home_opened"}}', "application/json"),
        _signed("url check without challenge", b'{"type":"url_verification"}', "application/json"),
        _signed("click without user", form(click(user=None))),
        _signed("click user a string", form(click(user="s"))),
        _signed("click user id a number", form(click(user={"id": 5}))),
        _signed("click without actions", form(click(actions=[]))),
        _signed("click actions not a list", form(click(actions="x"))),
        _signed("click action a number", form(click(actions=[1]))),
        _signed("click action without id", form(click(actions=[{"value": CANARY_VALUE}]))),
        _signed("click value a number", form(click(actions=[{"action_id": "answer_4", "value": 4}]))),
        _signed("click container a list", form(click(container=[1]))),
        _signed("click response url a number", form(click(response_url=5))),
        _signed("click forged value", form(click(actions=[{"action_id": "pulse_answer_4", "value": "a:nosuchtoken:0:4"}]))),
        _signed("click answer out of scale", form(click(actions=[{"action_id": "pulse_answer_99", "value": "a:x:0:99"}]))),
        _signed("select without option", form(click(actions=[{"action_id": "home_pause", "selected_option": "x"}]))),
        _signed("view without view", form({"type": "view_submission", "user": {"id": CANARY_USER}})),
        _signed("view without type", form({"type": "view_submission", "user": {"id": CANARY_USER}, "view": {"id": "V1", "callback_id": "pulse_comment_view"}})),
        _signed("view without callback", form({"type": "view_submission", "user": {"id": CANARY_USER}, "view": {}})),
        _signed("view state a list", form({"type": "view_submission", "user": {"id": CANARY_USER}, "view": {"id": "V1", "type": "modal", "callback_id": "pulse_comment_view", "state": []}})),
        _signed("view metadata forged", form({"type": "view_submission", "user": {"id": CANARY_USER}, "view": {"id": "V1", "type": "modal", "callback_id": "pulse_comment_view", "private_metadata": '{"t": "nosuch"}', "state": {"values": {}}}})),
        _signed("unknown type", form({"type": "no_such_type", "user": {"id": CANARY_USER}})),
        _signed("oversized signed", b"payload=" + b"a" * 1_100_000),
    ]  # fmt: skip


def corpus(rounds: int) -> list[Request]:
    """Every kind ``rounds`` times, signed kinds re-signed each round (fresh timestamps)."""
    requests: list[Request] = []
    for _ in range(rounds):
        requests += unsigned_kinds() + signed_kinds()
    return requests
