"""Shared test set-up: fixtures live in tests/fixtures/, one module per concern."""

import os

# slack_sdk ignores NO_PROXY; every test talks to 127.0.0.1 only.
for _name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
    os.environ.pop(_name, None)

# python-telegram-bot: use the timedelta API it will default to (retry_after etc.).
os.environ.setdefault("PTB_TIMEDELTA", "1")

pytest_plugins = [
    "tests.fixtures.database",
    "tests.fixtures.slack_sandbox",
    "tests.fixtures.telegram_sandbox",
]
