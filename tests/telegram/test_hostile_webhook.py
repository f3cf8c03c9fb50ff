"""Hostile input to the Telegram webhook: never a 5xx, nothing stored, a short and quiet log.

Requests go over real sockets to the bot's real webhook route in webhook mode. Afterwards a
genuine update is still handled, so the process stayed healthy.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from typing import Any

import aiohttp

from tests.telegram.hooks import JSON, SECRET, captured_log, post, raw_post, stored_rows
from tests.telegram.hostile import CANARY_USER, CANARY_VALUE, corpus
from tests.telegram.world import World

HEADER = "X-Telegram-Bot-Api-Secret-Token"


def help_update(update_id: int, user_id: int) -> dict[str, Any]:
    """A genuine ``/help`` from a person in their private chat."""
    user = {"id": user_id, "is_bot": False, "first_name": "Probe", "language_code": "en"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id, "date": 1746268800, "from": user,
            "chat": {"id": user_id, "type": "private", "first_name": "Probe"}, "text": "/help",
            "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
        },
    }  # fmt: skip


async def genuine_update_still_works(world: World, url: str, *, user_id: int = 5151) -> None:
    """A real ``/help`` is admitted and answered."""
    if user_id not in world.sandbox.runtime.state.users:
        world.sandbox.add_user(user_id, first_name="Probe", started=True)
    before = len(world.sandbox.received(user_id))
    body = json.dumps(help_update(900_000 + before, user_id)).encode()
    async with aiohttp.ClientSession() as session:
        assert await post(session, url, body, {HEADER: SECRET, "Content-Type": JSON}) == 200
    await world.settled(lambda: len(world.sandbox.received(user_id)) == before + 1)
    assert "/mydata" in world.last(user_id)["text"]


async def test_the_hostile_corpus_gets_no_5xx_stores_nothing_and_logs_no_secret_or_value(
    hooked: tuple[World, str],
) -> None:
    world, url = hooked
    token = world.sandbox.token
    requests = corpus(rounds=2)
    assert len(requests) >= 100
    statuses: Counter[int] = Counter()
    wrong: list[tuple[str, int, int]] = []
    with captured_log(mask=False) as stream:  # no mask: nothing secret may reach a line at all
        async with aiohttp.ClientSession() as session:
            for name, body, headers, expected in requests:
                status = await post(session, url, body, headers)
                statuses[status] += 1
                if status != expected:
                    wrong.append((name, expected, status))
        await world.settled(lambda: True)  # the admitted forgeries were handled meanwhile
        await world.runtime.outbound.idle()
    assert wrong == []
    assert not any(status >= 500 for status in statuses), statuses
    assert statuses[403] >= 16 and statuses[400] >= 80 and statuses[413] >= 2
    assert await stored_rows(world.repository) == 0
    log = stream.getvalue()
    assert SECRET not in log and token not in log and token.split(":")[1] not in log
    for line in log.splitlines():
        assert not (str(CANARY_USER) in line and CANARY_VALUE in line), line
    assert CANARY_VALUE not in log and "Traceback" not in log
    assert len(log.encode()) < 16_000, len(log.encode())
    await genuine_update_still_works(world, url)
    assert await stored_rows(world.repository) == 0


async def test_a_flood_of_junk_grows_the_log_by_well_under_64_kb(
    hooked: tuple[World, str],
) -> None:
    world, url = hooked
    headers = {HEADER: SECRET, "Content-Type": JSON}
    with captured_log() as stream:
        async with aiohttp.ClientSession() as session:
            junk = [post(session, url, b"[" * 100_000, headers) for _ in range(50)]
            junk += [post(session, url, b"null", {"Content-Type": JSON}) for _ in range(50)]
            statuses = await asyncio.gather(*junk)
    assert sorted(Counter(statuses).items()) == [(400, 50), (403, 50)]
    size = len(stream.getvalue().encode())
    print(f"log bytes for a 100-request junk flood: {size}")  # quoted in the closing note
    assert 0 < size < 2_000, size  # one line per reason, not one per request
    assert stream.getvalue().count("\n") == 2
    await genuine_update_still_works(world, url)


async def test_refusals_after_the_quiet_period_say_how_many_were_left_out(
    hooked: tuple[World, str],
) -> None:
    world, url = hooked
    clock = [0.0]
    world.runtime.gate.refusals._clock = lambda: clock[0]  # the log's own time, moved by hand
    with captured_log() as stream:
        async with aiohttp.ClientSession() as session:
            for _ in range(5):
                assert await post(session, url, b"{}", {HEADER: SECRET}) == 400
            clock[0] = 11.0
            assert await post(session, url, b"{}", {HEADER: SECRET}) == 400
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2
    assert "telegram request refused with 400: not a Telegram update" in lines[0]
    assert "(4 more since the last line)" in lines[1]


async def test_a_secret_header_that_is_not_utf8_is_refused_over_a_raw_socket(
    hooked: tuple[World, str],
) -> None:
    world, url = hooked
    world.sandbox.add_user(5252, first_name="Raw", started=True)
    body = json.dumps(help_update(1, 5252)).encode()
    head = b"Content-Type: application/json\r\n"
    for value in (b"\xff\xfe", b"hook-Secret_1\xff", b"\xc3\x28", b"hook-Secret_\xe9", b""):
        secret = HEADER.encode() + b": " + value + b"\r\n"
        assert await raw_post(url, head=head + secret, body=body) == 403, value
    twice = head + (HEADER.encode() + b": " + SECRET.encode() + b"\r\n") * 2
    assert await raw_post(url, head=twice, body=body) == 403  # two secrets: which one counts?
    genuine = head + HEADER.encode() + b": " + SECRET.encode() + b"\r\n"
    assert await raw_post(url, head=genuine, body=body) == 200  # the same bytes, right secret
    await world.settled(lambda: len(world.sandbox.received(5252)) == 1)
    assert await stored_rows(world.repository) == 0


async def test_a_chunked_body_beyond_the_limit_is_refused_with_413(
    hooked: tuple[World, str],
) -> None:
    world, url = hooked

    async def chunks() -> Any:
        for _ in range(40):
            yield b"[" * 16_384  # 640 KiB in all, sent without a Content-Length

    async with (
        aiohttp.ClientSession() as session,
        session.post(url, data=chunks(), headers={HEADER: SECRET}) as response,
    ):
        assert response.status == 413
    await genuine_update_still_works(world, url)


async def test_a_failing_handler_logs_one_line_without_what_was_sent(
    hooked: tuple[World, str],
) -> None:
    world, url = hooked
    world.sandbox.add_user(5353, first_name="Err", started=True)

    async def broken(platform_user_id: str) -> None:
        raise RuntimeError(f"secret detail {platform_user_id} {CANARY_VALUE}")

    world.runtime.customers.awaited_comment = broken  # type: ignore[method-assign,assignment]
    update = help_update(7, 5353)
    update["message"]["text"] = CANARY_VALUE
    update["message"].pop("entities")
    with captured_log() as stream:
        async with aiohttp.ClientSession() as session:
            body = json.dumps(update).encode()
            assert await post(session, url, body, {HEADER: SECRET}) == 200
        await world.settled(lambda: len(world.sandbox.received(5353)) == 1)
    assert "try again" in world.last(5353)["text"]
    failed = [line for line in stream.getvalue().splitlines() if "handler failed" in line]
    assert len(failed) == 1 and "RuntimeError at test_hostile_webhook.py:" in failed[0]
    assert CANARY_VALUE not in stream.getvalue() and "5353" not in stream.getvalue()
