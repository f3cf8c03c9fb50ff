"""The proxy comes from the environment, honours NO_PROXY, and is never used for loopback."""

from __future__ import annotations

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from pulse_mirror.proxies import PROXY_VARIABLES, is_loopback, proxy_for, proxy_from_environment
from pulse_mirror.sandbox.slack import SlackSandbox
from pulse_mirror.slack.clients import web_client

PROXY = "http://proxy.example:3128"


@pytest.fixture
def proxied(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (*PROXY_VARIABLES, "NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTPS_PROXY", PROXY)
    monkeypatch.setenv("HTTP_PROXY", PROXY)
    monkeypatch.setenv("NO_PROXY", "internal.example")


def test_no_proxy_in_the_environment_means_direct(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (*PROXY_VARIABLES, "NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    assert proxy_from_environment("https", "api.telegram.org") is None


@pytest.mark.usefixtures("proxied")
def test_the_environment_proxy_except_no_proxy_and_loopback() -> None:
    assert proxy_from_environment("https", "api.telegram.org") == PROXY
    assert proxy_for("https://slack.com/api/") == PROXY
    assert proxy_from_environment("https", "internal.example") is None
    for url in ("http://127.0.0.1:8080/api/", "http://localhost:1/x", "http://[::1]:9/x"):
        assert proxy_for(url) is None, url
    assert proxy_for("http://127.8.9.10/") is None  # all of 127.0.0.0/8
    assert not is_loopback("10.0.0.1") and not is_loopback("slack.com")


@pytest.mark.usefixtures("proxied")
def test_slack_clients_go_direct_to_a_local_stand_in_but_through_the_proxy_to_slack() -> None:
    # slack_sdk alone would send even 127.0.0.1 through HTTPS_PROXY (it ignores NO_PROXY).
    assert AsyncWebClient(base_url="http://127.0.0.1:9/api/").proxy == PROXY
    assert web_client(token=None, base_url="http://127.0.0.1:9/api/").proxy is None
    assert web_client(token=None, base_url="https://slack.com/api/").proxy == PROXY


@pytest.mark.usefixtures("proxied")
async def test_a_call_to_the_stand_in_works_with_a_dead_proxy_set(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    sandbox = SlackSandbox()
    await sandbox.start(host="127.0.0.1", port=0)
    try:
        client = web_client(token=sandbox.bot_token, base_url=sandbox.api_url)
        assert (await client.auth_test())["ok"] is True
    finally:
        await sandbox.stop()


@pytest.mark.usefixtures("proxied")
def test_without_proxies_clears_them_inside_and_puts_them_back() -> None:
    import os

    from pulse_mirror.proxies import without_proxies

    with without_proxies():
        assert not any(name in os.environ for name in PROXY_VARIABLES)
        assert AsyncWebClient(base_url="http://127.0.0.1:9/api/").proxy is None
    assert os.environ["HTTPS_PROXY"] == PROXY and os.environ["HTTP_PROXY"] == PROXY
