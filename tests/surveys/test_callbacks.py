"""Button payloads: compact, round-trip exactly, and reject anything forged or foreign."""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pulse_mirror.surveys.callbacks import (
    MAX_BYTES,
    Choice,
    CommentRequest,
    InvalidCallback,
    Skip,
    encode,
    parse,
    parse_or_none,
)

tokens = st.text(alphabet=string.ascii_letters + string.digits + "-_", min_size=8, max_size=32)
callbacks = st.one_of(
    st.builds(Choice, tokens, st.integers(0, 99), st.integers(0, 99)),
    st.builds(Skip, tokens, st.integers(0, 99)),
    st.builds(CommentRequest, tokens),
)


@given(callbacks)
def test_round_trip_and_fits_telegram(callback: Choice | Skip | CommentRequest) -> None:
    data = encode(callback)
    assert len(data.encode()) <= MAX_BYTES
    assert parse(data) == callback


@given(st.text(max_size=80))
def test_arbitrary_text_never_crashes(data: str) -> None:
    result = parse_or_none(data)
    if result is not None:
        assert encode(result) == data


@pytest.mark.parametrize(
    "data",
    [
        "",
        "a:short:0:1",  # token too short
        "a:AAAAAAAAAAAA:0:1\n",  # trailing newline
        "a:AAAAAAAAAAAA:0:١",  # a non-ASCII digit
        "a:AAAAAAAAAAAA:0:-1",
        "a:AAAAAAAAAAAA:0:100",
        "x:AAAAAAAAAAAA",
        "c:AAAAAAAAAAAA:extra",
        "a:AAAA AAAAAAAA:0:1",
        "a:" + "A" * 80 + ":0:1",
    ],
)
def test_forged_payloads_are_refused(data: str) -> None:
    with pytest.raises(InvalidCallback):
        parse(data)


def test_known_shapes() -> None:
    assert encode(Choice("tok_en-123", 2, 10)) == "a:tok_en-123:2:10"
    assert parse("s:tok_en-123:1") == Skip("tok_en-123", 1)
    assert parse("c:tok_en-123") == CommentRequest("tok_en-123")


def test_unencodable_is_refused() -> None:
    with pytest.raises(ValueError):
        encode(Choice("bad token!", 0, 1))
