"""Hostile input to the Slack endpoint: never a 5xx, nothing stored, a short and quiet log.

The corpus in ``tests/slack/hostile.py`` goes over a real socket to the bot in HTTP mode.
Afterwards a genuine click is still answered and stored, so the process stayed healthy.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import socket
import time
from collections import Counter
from collections.abc import Iterator

import aiohttp
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pulse_mirror.logs import ContextFormatter, SecretMask
from pulse_mirror.storage.tables import answer, ballot, comment
from pulse_mirror.surveys.callbacks import Choice, encode
from tests.slack.conftest import SlackBot
from tests.slack.hostile import CANARY_USER, CANARY_VALUE, FORM, SECRET, corpus, form, sign
from tests.slack.hostile import click as click_payload
from tests.slack.support import eventually


async def _stored_rows(bot: SlackBot) -> int:
    async with bot.repository.engine.connect() as connection:
        counts = [
            (await connection.execute(sa.select(sa.func.count()).select_from(table))).scalar_one()
            for table in (answer, ballot, comment)
        ]
    return sum(counts)


async def _post(
    session: aiohttp.ClientSession, url: str, body: bytes, headers: dict[str, str]
) -> int:
    async with session.post(url, data=body, headers=headers) as response:
        await response.read()
        return response.status


@contextlib.contextmanager
def _captured(level: int = logging.INFO) -> Iterator[io.StringIO]:
    """Logs as ``pulse run`` writes them (root at INFO, context formatter, secret mask).

    The root level is set here: an earlier in-process command (the demo) may have raised it.
    """
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(ContextFormatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    handler.addFilter(SecretMask([SECRET]))
    root = logging.getLogger()
    before = root.level
    root.setLevel(level)
    root.addHandler(handler)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(before)


async def _genuine_click_still_works(bot: SlackBot) -> None:
    ada = bot.sandbox.add_user(name="ada")
    sent = await bot.send(ada)
    reply = await bot.sandbox.click(
        ada.id, action_id="pulse_answer_5", value=encode(Choice(sent.token, 0, 5))
    )
    assert reply.status == 200

    async def stored() -> bool:
        return await _stored_rows(bot) > 0

    await eventually(stored, what="the genuine answer")


async def test_the_hostile_corpus_gets_no_5xx_stores_nothing_and_logs_no_body(
    slack_bot: SlackBot,
) -> None:
    url = slack_bot.sandbox.request_url
    assert url is not None
    requests = corpus(rounds=6)
    assert len(requests) >= 300
    statuses: Counter[int] = Counter()
    with _captured() as stream:
        async with aiohttp.ClientSession() as session:
            for _name, body, headers in requests:
                statuses[await _post(session, url, body, headers)] += 1
    assert all(status < 500 for status in statuses), statuses
    assert statuses[401] >= 6 * 11 and statuses[413] >= 12 and statuses[400] >= 6 * 30
    assert await _stored_rows(slack_bot) == 0
    log = stream.getvalue()
    assert CANARY_USER not in log and CANARY_VALUE not in log and SECRET not in log
    assert "payload" not in log and "Traceback" not in log
    assert len(log.encode()) < 16_000, len(log.encode())  # rate-limited: a few lines per reason
    await _genuine_click_still_works(slack_bot)


async def test_a_flood_of_junk_grows_the_log_by_less_than_64_kb(slack_bot: SlackBot) -> None:
    url = slack_bot.sandbox.request_url
    assert url is not None
    with _captured() as stream:
        async with aiohttp.ClientSession() as session:
            statuses = await asyncio.gather(
                *(_post(session, url, b"payload=123", {"Content-Type": FORM}) for _ in range(100))
            )
    assert set(statuses) == {401}
    assert 0 < len(stream.getvalue().encode()) < 64 * 1024
    assert stream.getvalue().count("\n") <= 2


async def test_a_header_that_is_not_utf8_is_refused_over_a_raw_socket(slack_bot: SlackBot) -> None:
    url = slack_bot.sandbox.request_url
    assert url is not None
    host, port = url.split("//")[1].split("/")[0].split(":")
    body = form(click_payload())
    request = (
        b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: " + FORM.encode() + b"\r\n"
        b"X-Slack-Request-Timestamp: \xff\xfe\r\nX-Slack-Signature: v0=\xc3\x28\r\n"
        b"Content-Length: " + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body
    )
    loop = asyncio.get_running_loop()
    with socket.create_connection((host, int(port))) as raw:
        raw.setblocking(False)
        await loop.sock_sendall(raw, request)
        answer_bytes = await loop.sock_recv(raw, 4096)
    status = int(answer_bytes.split(b" ", 2)[1])
    assert 400 <= status < 500
    assert await _stored_rows(slack_bot) == 0


async def test_a_signed_request_from_a_clock_five_minutes_off_logs_no_body(
    slack_bot: SlackBot,
) -> None:
    url = slack_bot.sandbox.request_url
    assert url is not None
    body = form(click_payload())
    headers = {"Content-Type": FORM, **sign(body, stamp=int(time.time()) - 301)}
    with _captured() as stream:
        async with aiohttp.ClientSession() as session:
            assert await _post(session, url, body, headers) == 401
    log = stream.getvalue()
    assert "refused with 401" in log
    assert CANARY_USER not in log and CANARY_VALUE not in log


_HEADER_TEXT = st.text(
    alphabet=st.characters(min_codepoint=32, max_codepoint=255, exclude_characters="\x7f"),
    max_size=80,
)
_HEADERS = st.fixed_dictionaries(
    {},
    optional={
        "Content-Type": st.sampled_from([FORM, "application/json", "text/plain", "x/\u00e9"]),
        "X-Slack-Request-Timestamp": _HEADER_TEXT,
        "X-Slack-Signature": _HEADER_TEXT,
    },
)


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    body=st.one_of(
        st.binary(max_size=600),
        st.builds(form, st.recursive(
            st.none() | st.booleans() | st.integers() | st.text(max_size=20),
            lambda inner: st.lists(inner, max_size=4)
            | st.dictionaries(st.text(max_size=8), inner, max_size=4),
            max_leaves=12,
        )),
        st.builds(lambda d: form(click_payload(**d)), st.dictionaries(
            st.sampled_from(["user", "actions", "container", "response_url", "trigger_id", "type"]),
            st.none() | st.integers() | st.text(max_size=10) | st.lists(st.integers(), max_size=2),
            max_size=3,
        )),
    ),
    headers=_HEADERS,
    signed=st.booleans(),
)  # fmt: skip
async def test_any_body_and_headers_get_2xx_or_4xx_and_store_nothing(
    slack_bot: SlackBot, body: bytes, headers: dict[str, str], signed: bool
) -> None:
    url = slack_bot.sandbox.request_url
    assert url is not None
    safe = dict(headers)
    if signed:
        safe.update(sign(body))
    async with aiohttp.ClientSession() as session:
        status = await _post(session, url, body, safe)
    assert status < 500
    assert await _stored_rows(slack_bot) == 0


async def test_a_genuine_answer_never_puts_the_person_and_the_value_on_one_log_line(
    slack_bot: SlackBot,
) -> None:
    with _captured() as stream:
        canary = slack_bot.sandbox.add_user(name="canary", id=CANARY_USER)
        sent = await slack_bot.send(canary)
        value = encode(Choice(sent.token, 0, 7))
        await slack_bot.sandbox.click(canary.id, action_id="pulse_answer_7", value=value)

        async def stored() -> bool:
            return await _stored_rows(slack_bot) > 0

        await eventually(stored, what="the answer")
        assert slack_bot.runtime.intake is not None
        await slack_bot.runtime.intake.drain()
    for line in stream.getvalue().splitlines():
        assert not (CANARY_USER in line and (value in line or "pulse_answer_7" in line)), line
