"""Any body, any secret header bytes, any content type: 2xx or 4xx, nothing stored, still healthy.

Hypothesis drives a real socket with raw header bytes, so header values that are not UTF-8
reach the bot as they would from the network. After every example a genuine update is
still admitted and answered.
"""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.telegram.hooks import SECRET, raw_post, stored_rows
from tests.telegram.hostile import message, tap
from tests.telegram.test_hostile_webhook import genuine_update_still_works
from tests.telegram.world import World

_HEADER_BYTES = st.binary(max_size=60).filter(lambda b: b"\r" not in b and b"\n" not in b)
_SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
_JSON = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
_PART = st.dictionaries(
    st.sampled_from(["id", "type", "first_name", "is_bot"]),
    st.integers() | st.text(max_size=5),
    max_size=3,
)
_FIELDS = st.dictionaries(
    st.sampled_from(["from", "chat", "data", "message", "text", "date", "message_id", "entities"]),
    st.none() | st.integers() | st.text(max_size=10) | st.lists(st.integers(), max_size=2) | _PART,
    max_size=3,
)
_BODIES = st.one_of(
    st.binary(max_size=600),
    _JSON.map(lambda value: json.dumps(value).encode()),
    _FIELDS.map(lambda fields: json.dumps(tap(**fields)).encode()),
    _FIELDS.map(lambda fields: json.dumps(message(**fields)).encode()),
)
_SECRETS = st.one_of(st.none(), st.just(SECRET.encode()), _HEADER_BYTES)
_TYPES = st.one_of(
    st.sampled_from([b"application/json", b"text/plain", b"multipart/form-data", b"x/\xc3\xa9"]),
    _HEADER_BYTES,
)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=_BODIES, secret=_SECRETS, content_type=_TYPES)
async def test_any_request_gets_2xx_or_4xx_and_stores_nothing(
    hooked: tuple[World, str], body: bytes, secret: bytes | None, content_type: bytes
) -> None:
    world, url = hooked
    head = b"Content-Type: " + content_type + b"\r\n"
    if secret is not None:
        head += b"X-Telegram-Bot-Api-Secret-Token: " + secret + b"\r\n"
    status = await raw_post(url, head=head, body=body)
    assert 200 <= status < 300 or 400 <= status < 500, status
    if secret != SECRET.encode():
        assert status in (400, 403)  # 400: the HTTP parser refused the header line itself
    await genuine_update_still_works(world, url)
    assert await stored_rows(world.repository) == 0
