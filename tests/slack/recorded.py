"""Recorded Slack payloads (tests/payloads/slack/), fitted to a live test and signed as Slack does.

A recorded payload keeps its shape; only the ids that must name live things (the person, the
delivery token, the message, the home view) are put in at the paths a test names. The request
is signed with slack_sdk's own SignatureVerifier (``v0:timestamp:body``, HMAC-SHA256), not with
the stand-in's signer, so the two are checked against each other.
"""

from __future__ import annotations

import copy
import json
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
from slack_sdk.signature import SignatureVerifier

from tests.slack.support import SECRETS

PAYLOADS = Path(__file__).resolve().parents[1] / "payloads" / "slack"
RECORDED_TOKEN = "Qm9vb3Rva2VuMTIz"  # the delivery token the recorded button values carry


def load(name: str) -> dict[str, Any]:
    """A recorded payload without its ``_source`` citation."""
    payload = json.loads((PAYLOADS / name).read_text(encoding="utf-8"))
    assert isinstance(payload, dict)
    assert payload.pop("_source", None), f"{name} does not cite its source"
    return payload


def fitted(payload: dict[str, Any], **paths: Any) -> dict[str, Any]:
    """A copy of ``payload`` with values set at slash paths (``user__id`` = ``user/id``)."""
    fit = copy.deepcopy(payload)
    for dunder, value in paths.items():
        *parents, last = dunder.split("__")
        node: Any = fit
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value
    return fit


def with_token(payload: dict[str, Any], token: str) -> dict[str, Any]:
    """``payload`` with the recorded delivery token replaced by a live one, wherever it is."""
    return json.loads(json.dumps(payload).replace(RECORDED_TOKEN, token))  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Answer:
    """The bot's HTTP answer."""

    status: int
    body: str


async def post(
    url: str,
    payload: dict[str, Any],
    *,
    interactive: bool,
    headers: dict[str, str] | None = None,
) -> Answer:
    """POST ``payload`` to the bot as Slack does: form-encoded or JSON, signed and stamped."""
    if interactive:
        body = urllib.parse.urlencode({"payload": json.dumps(payload)})
        content_type = "application/x-www-form-urlencoded"
    else:
        body = json.dumps(payload)
        content_type = "application/json"
    stamp = str(int(time.time()))
    verifier = SignatureVerifier(SECRETS["SLACK_SIGNING_SECRET"])
    signature = verifier.generate_signature(timestamp=stamp, body=body)
    assert signature is not None and verifier.is_valid(body, stamp, signature)
    signed = {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": signature,
        **(headers or {}),
    }
    async with (
        aiohttp.ClientSession(trust_env=False) as session,
        session.post(url, data=body.encode(), headers=signed) as response,
    ):
        return Answer(status=response.status, body=await response.text())
