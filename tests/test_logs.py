"""Logs carry their context and never a secret, whatever library wrote the line."""

from __future__ import annotations

import io
import logging

import pytest

from pulse_mirror.logs import ContextFormatter, SecretMask, configure, error_text


@pytest.fixture
def captured() -> logging.Logger:
    logger = logging.getLogger("test.logs")
    logger.handlers.clear()
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    return logger


def _handler(secrets: list[str]) -> tuple[logging.Handler, io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(ContextFormatter("%(levelname)s %(message)s"))
    handler.addFilter(SecretMask(secrets))
    return handler, stream


def test_tokens_in_urls_args_context_and_tracebacks_are_masked(captured: logging.Logger) -> None:
    handler, stream = _handler(["s1gning-s3cret"])
    captured.addHandler(handler)
    captured.info("HTTP Request: POST %s", "http://127.0.0.1:1/bot123456:AAH-tok_en/getUpdates")
    captured.warning("slack said %s", "invalid_auth for xoxb-1234-abcd", extra={"to": "xapp-1-X"})
    try:
        raise RuntimeError("signature with s1gning-s3cret failed")
    except RuntimeError:
        captured.exception("boom")
    text = stream.getvalue()
    for secret in ("123456:AAH-tok_en", "xoxb-1234-abcd", "xapp-1-X", "s1gning-s3cret"):
        assert secret not in text
    assert text.count("***") >= 4
    assert "getUpdates" in text and "invalid_auth" in text and "RuntimeError" in text


def test_context_is_printed(captured: logging.Logger) -> None:
    handler, stream = _handler([])
    captured.addHandler(handler)
    captured.warning("report post failed", extra={"week": "2026-W47", "attempt": 2})
    assert stream.getvalue().strip() == "WARNING report post failed attempt=2 week=2026-W47"


def test_configure_quietens_per_request_loggers() -> None:
    root = logging.getLogger()
    before = root.handlers[:], root.level
    try:
        handler = configure(secrets=["abcd1234"])
        assert root.handlers == [handler]
        assert logging.getLogger("httpx").getEffectiveLevel() == logging.WARNING
    finally:
        root.handlers[:], level = before
        root.setLevel(level)


def test_a_stored_error_never_carries_a_token() -> None:
    url = "https://api.telegram.org/bot123456789:AAE-secret_Token0/sendPhoto"
    error = ConnectionError(f"POST {url} failed; xoxb-1-2-abc refused")
    shown = error_text(error)
    assert shown.startswith("ConnectionError: POST https://api.telegram.org/bot***/sendPhoto")
    assert "AAE-secret" not in shown and "xoxb-" not in shown
    assert len(error_text(ValueError("x" * 2000))) == 500


def test_a_command_line_error_never_prints_a_token(capsys: pytest.CaptureFixture[str]) -> None:
    from pulse_mirror.cli.support import fail

    exit_ = fail(["report 2026-W47: The token `987654321:AAHsecretSecret_xyz` was rejected."])
    printed = capsys.readouterr().err
    assert exit_.exit_code == 2
    assert "AAHsecret" not in printed and "The token `***` was rejected" in printed
