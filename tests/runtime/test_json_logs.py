"""``logging: {format: json}``: one JSON object a line, context kept, secrets masked as in text."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest

from pulse_mirror.config.settings import parse_config
from pulse_mirror.logs import configure

CANARY = "canary-s3cret-7f3a9"


@pytest.fixture
def root() -> Iterator[logging.Logger]:
    """The root logger, given back as it was."""
    logger = logging.getLogger()
    handlers, level = logger.handlers[:], logger.level
    try:
        yield logger
    finally:
        logger.handlers[:] = handlers
        logger.setLevel(level)


def test_json_lines_parse_carry_context_and_mask_secrets(
    root: logging.Logger, capsys: pytest.CaptureFixture[str]
) -> None:
    configure(secrets=[CANARY], log_format="json")
    log = logging.getLogger("pulse_mirror.test")

    log.info("posted with %s", CANARY, extra={"week": "2026-W48", "attempt": 2, "key": CANARY})
    log.warning("url %s", "http://127.0.0.1:1/bot123456:AAH-tok_en/getMe", extra={"n": [1]})
    try:
        raise RuntimeError(f"token {CANARY} refused")
    except RuntimeError:
        log.exception("failed", extra={"job": "report"})

    text = capsys.readouterr().err
    lines = [json.loads(line) for line in text.splitlines()]
    assert len(lines) == 3
    first, second, third = lines
    assert first["level"] == "INFO" and first["logger"] == "pulse_mirror.test"
    assert first["message"] == "posted with ***"
    assert (first["week"], first["attempt"], first["key"]) == ("2026-W48", 2, "***")
    assert first["time"].endswith("+00:00")
    assert second["message"] == "url http://127.0.0.1:1/bot***/getMe" and second["n"] == [1]
    assert third["job"] == "report" and "RuntimeError: token *** refused" in third["exception"]
    assert CANARY not in text and "AAH-tok_en" not in text


def test_text_stays_the_default_and_json_is_chosen_in_the_config(
    root: logging.Logger, capsys: pytest.CaptureFixture[str]
) -> None:
    assert parse_config({}, tokens=False).logging.format == "text"
    chosen = parse_config({"logging": {"format": "json"}}, tokens=False).logging.format
    assert chosen == "json"

    configure(secrets=[CANARY])
    logging.getLogger("pulse_mirror.test").info("hello %s", CANARY, extra={"week": "W48"})

    line = capsys.readouterr().err.strip()
    assert line.endswith("INFO pulse_mirror.test hello *** week=W48")
