"""The Slack messenger's send errors, the runtime's start in both modes, the manifest and CLI."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from slack_sdk.web.async_client import AsyncWebClient
from typer.testing import CliRunner

from pulse_mirror.cli.main import app as cli
from pulse_mirror.platforms import StartupError
from pulse_mirror.sandbox.faults import Fault
from pulse_mirror.sandbox.slack import SlackSandbox
from pulse_mirror.sandbox.slack.limits import RateLimit
from pulse_mirror.slack.blocks import Framing
from pulse_mirror.slack.manifest import manifest
from pulse_mirror.slack.messenger import SlackMessenger
from pulse_mirror.slack.runtime import build_slack
from pulse_mirror.storage.repository import SqlRepository
from pulse_mirror.surveys.bank import load_bank
from pulse_mirror.surveys.callbacks import Choice, encode
from pulse_mirror.surveys.conversation import PulseState
from pulse_mirror.surveys.model import Side
from pulse_mirror.surveys.ports import (
    RateLimited,
    RecipientGone,
    SendOutcomeUnknown,
    TransientSendError,
)
from pulse_mirror.surveys.records import DeliveryKind
from pulse_mirror.surveys.service import PulseAnswers
from tests.fakes import FakeClock
from tests.reads import answer_histograms
from tests.slack.conftest import slack_config
from tests.slack.support import (
    NOW,
    WEEK,
    add_employee,
    deliver_pulse,
    eventually,
)


def _state(token: str = "tok_abcdefgh") -> PulseState:
    bank = load_bank()
    items = (bank.item("effort.employee"),)
    return PulseState(
        token=token,
        side=Side.EMPLOYEE,
        lang="de",
        items=items,
        closes_at=NOW + dt.timedelta(days=1),
    )


def _messenger(sandbox: SlackSandbox, **client: Any) -> SlackMessenger:
    web = AsyncWebClient(token=sandbox.bot_token, base_url=sandbox.api_url, **client)
    return SlackMessenger(client=web, framing=Framing())


async def test_a_pulse_goes_to_the_persons_dm_and_the_ref_names_the_message(
    slack_sandbox: SlackSandbox,
) -> None:
    ada = slack_sandbox.add_user(name="ada")
    ref = await _messenger(slack_sandbox).send_pulse(
        address=ada.id, state=_state(), kind=DeliveryKind.REMINDER_1
    )
    [message] = slack_sandbox.received(ada.id)["messages"]
    assert ref == f"{message['channel']}:{message['ts']}"
    assert "Erinnerung" in str(message["blocks"])  # German, and marked as a reminder


async def test_send_errors_are_mapped_for_the_dispatcher(slack_sandbox: SlackSandbox) -> None:
    gone = slack_sandbox.add_user(name="gone", deleted=True)
    ada = slack_sandbox.add_user(name="ada")
    messenger = _messenger(slack_sandbox, timeout=1)
    with pytest.raises(RecipientGone):
        await messenger.send_pulse(address=gone.id, state=_state(), kind=DeliveryKind.QUESTION)

    slack_sandbox.inject_fault("chat.postMessage", Fault(kind="status", status=503))
    with pytest.raises(TransientSendError):
        await messenger.send_pulse(address=ada.id, state=_state(), kind=DeliveryKind.QUESTION)

    slack_sandbox.inject_fault("chat.postMessage", Fault(kind="status", status=500))
    with pytest.raises(SendOutcomeUnknown):  # internal_error: it may have been posted
        await messenger.send_pulse(address=ada.id, state=_state(), kind=DeliveryKind.QUESTION)

    slack_sandbox.inject_fault("chat.postMessage", Fault(kind="timeout", delay=3))
    with pytest.raises(SendOutcomeUnknown):
        await messenger.send_pulse(address=ada.id, state=_state(), kind=DeliveryKind.QUESTION)

    slack_sandbox.set_rate_limit("chat.postMessage", RateLimit(limit=1, per=60))
    await messenger.send_pulse(address=ada.id, state=_state(), kind=DeliveryKind.QUESTION)
    with pytest.raises(RateLimited) as limited:
        await messenger.send_pulse(address=ada.id, state=_state(), kind=DeliveryKind.QUESTION)
    assert limited.value.retry_after is not None and limited.value.retry_after > 0


def _runtime(sandbox: SlackSandbox, repository: SqlRepository, **slack: Any) -> Any:
    config = slack_config(sandbox, **slack)
    clock = FakeClock()
    answers = PulseAnswers(repository=repository, bank=load_bank(), clock=clock)
    return build_slack(config, answers=answers, repository=repository, clock=clock), answers


async def test_a_wrong_token_stops_the_start_with_one_clear_line(
    slack_sandbox: SlackSandbox, repository: SqlRepository
) -> None:
    runtime, _ = _runtime(slack_sandbox, repository)
    runtime.app.client.token = "xoxb-wrong"
    with pytest.raises(StartupError, match=r"^Slack refused the bot token \(invalid_auth\)"):
        await runtime.start()


async def test_socket_mode_answers_arrive_over_the_websocket_and_are_stored(
    slack_sandbox: SlackSandbox, repository: SqlRepository
) -> None:
    runtime, answers = _runtime(slack_sandbox, repository, mode="socket")
    assert runtime.routes() == []
    await runtime.start()
    try:
        await slack_sandbox.socket.wait_connected()
        ada = slack_sandbox.add_user(name="ada")
        sent = await deliver_pulse(repository, await add_employee(repository, ada.id))
        state = await answers.state(sent.token)
        await runtime.messenger.send_pulse(address=ada.id, state=state, kind=DeliveryKind.QUESTION)

        reply = await slack_sandbox.click(
            ada.id, action_id="pulse_answer_7", value=encode(Choice(sent.token, 0, 7))
        )

        assert reply.via == "socket" and reply.ack is not None

        async def stored() -> bool:
            return bool(await answer_histograms(repository, WEEK, Side.EMPLOYEE))

        await eventually(stored, what="the answer")
        assert await answer_histograms(repository, WEEK, Side.EMPLOYEE) == {
            "effort.employee": {7: 1}
        }
    finally:
        await runtime.stop()


def test_the_manifest_asks_for_exactly_what_is_used() -> None:
    socket = manifest(name="Example GmbH", mode="socket", report_channel=False)
    assert socket["oauth_config"]["scopes"]["bot"] == ["chat:write", "im:write", "users:read"]
    assert socket["settings"]["socket_mode_enabled"] is True
    assert "request_url" not in socket["settings"]["interactivity"]
    http = manifest(name="X", mode="http", public_url="https://pulse.example.com/", emails=True)
    url = "https://pulse.example.com/slack/events"
    assert http["settings"]["interactivity"]["request_url"] == url
    assert http["settings"]["event_subscriptions"] == {
        "bot_events": ["app_home_opened"],
        "request_url": url,
    }
    assert "users:read.email" in http["oauth_config"]["scopes"]["bot"]
    assert "files:write" in http["oauth_config"]["scopes"]["bot"]
    assert http["features"]["app_home"]["home_tab_enabled"] is True


def test_pulse_slack_manifest_prints_json_and_refuses_http_without_a_url(tmp_path: Any) -> None:
    runner = CliRunner()
    missing = tmp_path / "none.yaml"
    printed = runner.invoke(
        cli, ["slack-manifest", "--mode", "socket"], env={"PULSE_CONFIG": str(missing)}
    )
    assert printed.exit_code == 0, printed.output
    assert json.loads(printed.output)["settings"]["socket_mode_enabled"] is True
    refused = runner.invoke(
        cli, ["slack-manifest", "--mode", "http"], env={"PULSE_CONFIG": str(missing)}
    )
    assert refused.exit_code == 2
    assert "--url" in refused.output
