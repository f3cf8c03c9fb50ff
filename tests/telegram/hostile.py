# ruff: noqa: E501
"""Hostile requests to the Telegram webhook: no or wrong secret, oversized and malformed bodies.

Each kind is (name, body, headers, expected status). Canary values ride in the bodies (a
user id and an answer's button payload), so a test can look for them in the log.
"""

from __future__ import annotations

import json
from typing import Any

from tests.telegram.hooks import JSON, SECRET

CANARY_USER = 777000123
CANARY_VALUE = "a:CanaryTok3n9:0:7"
MAX_BODY = 256 * 1024

Request = tuple[str, bytes, dict[str, str], int]


def tap(**override: Any) -> dict[str, Any]:
    """A callback query from the canary user carrying the canary answer."""
    user = {"id": CANARY_USER, "is_bot": False, "first_name": "Canary", "language_code": "en"}
    query: dict[str, Any] = {
        "id": "99", "from": user, "chat_instance": "1", "data": CANARY_VALUE,
        "message": {"message_id": 5, "date": 0, "chat": {"id": CANARY_USER, "type": "private"}},
    }  # fmt: skip
    query.update(override)
    return {"update_id": 41, "callback_query": query}


def message(**override: Any) -> dict[str, Any]:
    """A text message from the canary user."""
    user = {"id": CANARY_USER, "is_bot": False, "first_name": "Canary"}
    body: dict[str, Any] = {"message_id": 6, "date": 1746268800, "from": user,
                            "chat": {"id": CANARY_USER, "type": "private"}, "text": CANARY_VALUE}  # fmt: skip
    body.update(override)
    return {"update_id": 42, "message": body}


def _j(value: Any) -> bytes:
    return json.dumps(value).encode()


def _ok(name: str, body: bytes, status: int = 400) -> Request:
    return name, body, {"Content-Type": JSON, "X-Telegram-Bot-Api-Secret-Token": SECRET}, status


def refused_before_reading() -> list[Request]:
    """Requests without the right secret: 403 before a byte of the body is read."""
    body = _j(tap())
    return [
        ("no secret", body, {"Content-Type": JSON}, 403),
        ("wrong secret", body, {"X-Telegram-Bot-Api-Secret-Token": "hook-Secret_2"}, 403),
        ("secret other case", body, {"X-Telegram-Bot-Api-Secret-Token": SECRET.upper()}, 403),
        ("secret prefix", body, {"X-Telegram-Bot-Api-Secret-Token": SECRET[:-1]}, 403),
        ("secret longer", body, {"X-Telegram-Bot-Api-Secret-Token": SECRET + "x"}, 403),
        ("secret empty", body, {"X-Telegram-Bot-Api-Secret-Token": ""}, 403),
        ("secret non-ascii", body, {"X-Telegram-Bot-Api-Secret-Token": "hook-Secret_\u00e9"}, 403),
        ("oversized without secret", b"[" * (MAX_BODY + 10), {"Content-Type": JSON}, 403),
    ]  # fmt: skip


def malformed() -> list[Request]:
    """Requests with the right secret whose body is not an update the bot can handle."""
    deep = b"[" * 100_000 + b"]" * 100_000
    return [
        _ok("json null", b"null"), _ok("json number", b"1"), _ok("json list", b"[]"),
        _ok("json string", b'"s"'), _ok("json true", b"true"), _ok("json empty object", b"{}"),
        _ok("empty body", b""), _ok("whitespace", b"  \n "), _ok("not json", b"{not json"),
        _ok("trailing junk", b'{"update_id": 1, "message": {}} x'),
        _ok("deeply nested list", deep),
        _ok("deeply nested object", ("{" + '"a":' * 50_000 + "1" + "}" * 50_000).encode()),
        _ok("nested 40 deep in an unknown field", b'{"update_id": 1, "x": ' + b"[" * 40 + b"]" * 40 + b"}"),
        _ok("non utf-8", b'{"update_id": 1, "message": "\xff\xfe"}'),
        _ok("utf-16", json.dumps(message()).encode("utf-16")),
        _ok("huge integer", b'{"update_id": ' + b"9" * 5000 + b"}"),
        _ok("integer beyond 64 bits", b'{"update_id": 1, "message": {"message_id": 1, "date": 123456789012345678901, "chat": {"id": 1, "type": "private"}}}'),
        _ok("huge float", b'{"update_id": 1e999}'), _ok("NaN", b'{"update_id": NaN}'),
        _ok("Infinity", b'{"update_id": Infinity}'),
        _ok("update_id negative", _j({"update_id": -1, "message": message()["message"]})),
        _ok("update_id a string", _j({"update_id": "1", "message": message()["message"]})),
        _ok("update_id true", _j({"update_id": True, "message": message()["message"]})),
        _ok("update_id a float", _j({"update_id": 1.5, "message": message()["message"]})),
        _ok("only update_id", _j({"update_id": 7})),
        _ok("message a string", _j({"update_id": 1, "message": "s"})),
        _ok("message a list", _j({"update_id": 1, "message": [1]})),
        _ok("message without chat", _j(message(chat=None))),
        _ok("chat id a string", _j(message(chat={"id": str(CANARY_USER), "type": "private"}))),
        _ok("chat type missing", _j(message(chat={"id": CANARY_USER}))),
        _ok("from id a string", _j(message(**{"from": {"id": "x", "is_bot": False, "first_name": "C"}}))),
        _ok("text a number", _j(message(text=7))),
        _ok("thread id a string", _j(message(message_thread_id="3"))),
        _ok("date out of range", _j(message(date=10**18))),
        _ok("entities of numbers", _j(message(entities=[1]))),
        _ok("date a string", _j(message(date="today"))),
        _ok("tap without from", _j(tap(**{"from": None}))),
        _ok("tap data a number", _j(tap(data=7))),
        _ok("tap message a number", _j(tap(message=5))),
        _ok("tap message chat missing", _j(tap(message={"message_id": 5, "date": 0}))),
        _ok("tap user without name", _j(tap(**{"from": {"id": CANARY_USER}}))),
        _ok("member change without chat", _j({"update_id": 1, "my_chat_member": {"from": {"id": 1, "is_bot": False, "first_name": "C"}}})),
        _ok("member change status a number", _j({"update_id": 1, "my_chat_member": {"chat": {"id": 1, "type": "private"}, "from": {"id": 1, "is_bot": False, "first_name": "C"}, "date": 1, "old_chat_member": {}, "new_chat_member": {"status": 5}}})),
        _ok("oversized", b'{"update_id": 1, "x": "' + b"a" * MAX_BODY + b'"}', 413),
    ]  # fmt: skip


def forged() -> list[Request]:
    """Well-formed updates with the right secret that forge what a person did: 200, nothing kept."""
    return [
        _ok("forged consent", _j(tap(data="o:0123456789ab")), 200),
        _ok("forged sealed consent", _j(tap(data="o:0123456789ab:20500:AAAAAAAAAAAAAAAA")), 200),
        _ok("forged answer", _j(tap()), 200),
        _ok("answer to a message that never was", _j(tap(message={"message_id": 999, "date": 1, "chat": {"id": CANARY_USER, "type": "private"}})), 200),
        _ok("text from a stranger", _j(message()), 200),
        _ok("update kind of a later Bot API", _j({"update_id": 3, "future_update_kind": {"x": 1}}), 200),
        _ok("known kind, wrong shape", _j({"update_id": 3, "message_reaction_count": {"x": 1}})),
    ]  # fmt: skip


def corpus(rounds: int) -> list[Request]:
    """Every kind ``rounds`` times."""
    return (refused_before_reading() + malformed() + forged()) * rounds
