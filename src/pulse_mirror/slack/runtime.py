"""Slack wired into the app: Bolt in Socket Mode or HTTP mode, the messenger, the roster sync."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler

from pulse_mirror.outbox.adaptive import ChannelPacer
from pulse_mirror.platforms import StartupError
from pulse_mirror.proxies import proxy_for
from pulse_mirror.slack import listeners as slack_listeners
from pulse_mirror.slack.blocks import Framing
from pulse_mirror.slack.clients import web_client
from pulse_mirror.slack.http.gate import RecentEvents, SlackGate, bolt_logger
from pulse_mirror.slack.http.intake import ClickIntake
from pulse_mirror.slack.manifest import EVENTS_PATH
from pulse_mirror.slack.messenger import SlackMessenger
from pulse_mirror.slack.roster import RosterSync, SyncResult
from pulse_mirror.storage.engine import create_engine
from pulse_mirror.storage.repository import SqlRepository
from pulse_mirror.surveys.employees import (
    EmployeeAccounts,
    EmployeeSettings,
    PulseSchedule,
    RosterRules,
)
from pulse_mirror.surveys.model import Platform
from pulse_mirror.surveys.ports import Clock, SystemClock
from pulse_mirror.surveys.service import PulseAnswers
from pulse_mirror.surveys.stores import EmployeeChoices, RosterStore

if TYPE_CHECKING:
    from pulse_mirror.config.settings import Config

log = logging.getLogger(__name__)

DEFAULT_API_URL = "https://slack.com/api/"


class SlackStore(EmployeeChoices, RosterStore, Protocol):
    """What the Slack side stores: employees' own choices and the roster."""


class SlackRuntime:
    """The Slack platform: start checks the token and connects; routes serve HTTP mode.

    ``pacer`` is Slack's one pacer, the one the dispatcher waits on before each DM.
    """

    platform = Platform.SLACK

    def __init__(
        self,
        *,
        app: AsyncApp,
        messenger: SlackMessenger,
        pacer: ChannelPacer,
        mode: str,
        app_token: str | None,
        api_url: str,
        roster: RosterSync,
        gate: SlackGate | None = None,
        intake: ClickIntake | None = None,
    ) -> None:
        self.app = app
        self.gate = gate
        self.events = RecentEvents()
        self.intake = intake
        self.messenger = messenger
        self.pacer = pacer
        self.mode = mode
        self.api_url = api_url
        self.roster = roster
        self._app_token = app_token
        self._socket: AsyncSocketModeHandler | None = None
        self._session: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        """Check the bot token with auth.test, then connect over Socket Mode (socket mode).

        A start that fails leaves nothing open behind it.
        """
        try:
            await self._start()
        except BaseException:
            await self._close_connections()
            raise

    async def _start(self) -> None:
        client = self.app.client
        try:
            await client.auth_test()
        except SlackApiError as error:
            code = error.response.get("error", "refused")
            raise StartupError(
                f"Slack refused the bot token ({code}); check SLACK_BOT_TOKEN"
            ) from None
        except (aiohttp.ClientError, OSError, TimeoutError) as error:
            raise StartupError(
                f"Slack Web API not reachable at {self.api_url} ({type(error).__name__})"
            ) from None
        if client.session is None:
            # One connection pool for every Web API call, instead of a new one per call.
            self._session = client.session = aiohttp.ClientSession()
        if self.mode != "socket":
            log.info("slack ready in http mode", extra={"path": EVENTS_PATH})
            return
        if not self._app_token:
            raise StartupError("Socket Mode needs SLACK_APP_TOKEN (an xapp- app-level token)")
        handler = AsyncSocketModeHandler(self.app, app_token=self._app_token)
        handler.client.proxy = proxy_for(self.api_url)  # slack_sdk would ignore NO_PROXY
        self._socket = handler  # closed by stop, or right away if the connection fails
        try:
            await handler.connect_async()  # type: ignore[no-untyped-call]
        except SlackApiError as error:
            code = error.response.get("error", "refused")
            raise StartupError(
                f"Slack refused the app token ({code}); check SLACK_APP_TOKEN"
            ) from None
        except (aiohttp.ClientError, OSError, TimeoutError) as error:
            raise StartupError(
                f"Slack Socket Mode not reachable ({type(error).__name__})"
            ) from None
        log.info("slack connected over socket mode")

    async def stop(self) -> None:
        """Handle the clicks already acknowledged, close Socket Mode and the HTTP session."""
        if self.intake is not None:
            await self.intake.stop()
        await self._close_connections()

    async def _close_connections(self) -> None:
        socket, self._socket = self._socket, None
        if socket is not None:
            await socket.close_async()  # type: ignore[no-untyped-call]
        if self._session is not None:
            await self._session.close()
            self.app.client.session = None
            self._session = None

    def routes(self) -> Sequence[web.RouteDef]:
        """HTTP mode: Slack's events and interactivity, verified by the gate."""
        if self.mode != "http":
            return []
        return [web.post(EVENTS_PATH, self.handle)]

    async def handle(self, request: web.Request) -> web.Response:
        """One request from Slack: verified and checked by the gate, then run through Bolt.

        A verified button click is acknowledged before Bolt runs it (see ``ClickIntake``).
        Whatever fails while Bolt runs a signed request is logged in one line and never
        answered 5xx (see ``SlackGate.refused_after_parse``).
        """
        if self.gate is None:
            return web.Response(status=404, text="not in http mode")
        admitted = await self.gate.admit(request)
        if isinstance(admitted, web.Response):
            return admitted
        event_id = admitted.bolt.body.get("event_id") if admitted.kind == "event_callback" else None
        if event_id is not None and not self.events.begin(event_id):
            return web.Response(status=200)  # a retry of an event taken already
        if self.intake is not None and self.intake.accept(admitted):
            return web.Response(status=200)
        try:
            bolt_response = await self.app.async_dispatch(admitted.bolt)
        except Exception as error:  # a defect on a genuine request: one line, no body
            failure = {"kind": admitted.kind, "error": type(error).__name__}
            log.error("slack request failed", extra=failure)
            self.events.failed(event_id)
            return self.gate.refused_after_parse(admitted.kind)
        if bolt_response.status >= 500:
            self.events.failed(event_id)
            return self.gate.refused_after_parse(admitted.kind)
        return await to_aiohttp_response(bolt_response)


def employee_settings(config: Config) -> EmployeeSettings:
    """The employee use cases' settings from the config."""
    employees = config.surveys.employees
    return EmployeeSettings(
        schedule=PulseSchedule(weekdays=tuple(employees.weekdays), send_time=employees.send_time),
        min_respondents=config.anonymity.min_respondents,
        default_language=config.organisation.language,
        default_time_zone=config.organisation.timezone,
    )


def roster_rules(config: Config) -> RosterRules:
    """Who the roster makes employees, from the config."""
    return RosterRules(
        include_guests=config.slack.roster.include_guests,
        exclude=frozenset(config.slack.roster.exclude),
        default_language=config.organisation.language,
        default_time_zone=config.organisation.timezone,
    )


def slack_pacer(config: Config, clock: Clock) -> ChannelPacer:
    """Slack's pace: one a second to each person, an adaptive pace over the workspace."""
    rate = config.slack.rate
    return ChannelPacer(
        clock=clock, start=rate.messages_per_second, maximum=rate.max_messages_per_second
    )


def build_slack(
    config: Config,
    *,
    answers: PulseAnswers,
    repository: SlackStore,
    clock: Clock,
    accounts: EmployeeAccounts | None = None,
) -> SlackRuntime:
    """Build the Slack runtime from the config; nothing connects until ``start``."""
    slack, secrets = config.slack, config.secrets
    token = secrets.slack_bot_token.get_secret_value() if secrets.slack_bot_token else None
    signing = secrets.slack_signing_secret
    app_token = secrets.slack_app_token.get_secret_value() if secrets.slack_app_token else None
    if slack.mode == "http" and signing is None:
        raise StartupError("Slack HTTP mode needs SLACK_SIGNING_SECRET")
    api_url = slack.api_url or DEFAULT_API_URL
    client = web_client(token=token, base_url=api_url)
    app = AsyncApp(
        client=client,
        signing_secret=signing.get_secret_value() if signing else "",
        # Socket Mode requests are not signed; every HTTP request is verified by the gate,
        # on the raw bytes and before anything is parsed, so Bolt does not verify again.
        request_verification_enabled=False,
        logger=bolt_logger(),
        # In HTTP mode a click's ack is sent before Bolt runs (ClickIntake), so Bolt may run
        # the listener to its end; that keeps the clicks in progress to the intake's workers.
        process_before_response=slack.mode == "http",
    )
    framing = Framing(
        organisation=config.organisation.name, min_respondents=config.anonymity.min_respondents
    )
    accounts = accounts or EmployeeAccounts(
        repository=repository, clock=clock, settings=employee_settings(config)
    )
    settings = slack_listeners.ListenerSettings(
        framing=framing,
        comment_max_chars=config.surveys.employees.comment_max_chars,
        default_language=config.organisation.language,
    )
    slack_listeners.register(
        app,
        slack_listeners.PulseListeners(answers=answers, accounts=accounts, settings=settings),
    )
    roster_client = web_client(
        token=token,
        base_url=api_url,
        retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=5)],
    )
    rules = roster_rules(config)
    roster_file = slack.roster.file if slack.roster.source == "file" else None
    roster = RosterSync(
        client=roster_client,
        repository=repository,
        clock=clock,
        rules=rules,
        roster_file=str(config.resolve_path(roster_file)) if roster_file else None,
    )
    # The messenger's own client never retries by itself: a resent chat.postMessage after a
    # dropped connection could post the question twice; the dispatcher decides instead.
    send_client = web_client(token=token, base_url=api_url, retry_handlers=[])
    gate = (
        SlackGate(signing.get_secret_value())
        if slack.mode == "http" and signing is not None
        else None
    )
    intake = ClickIntake(app=app) if gate is not None else None
    return SlackRuntime(
        app=app,
        gate=gate,
        intake=intake,
        messenger=SlackMessenger(client=send_client, framing=framing),
        pacer=slack_pacer(config, clock),
        mode=slack.mode,
        app_token=app_token,
        api_url=api_url,
        roster=roster,
    )


async def roster_sync_for(config: Config) -> SyncResult:
    """Sync the roster once from the command line: its own engine, closed afterwards."""
    engine = create_engine(config.database_url)
    try:
        repository = SqlRepository(engine, min_group_size=config.anonymity.min_respondents)
        token = config.secrets.slack_bot_token
        client = web_client(
            token=token.get_secret_value() if token else None,
            base_url=config.slack.api_url or DEFAULT_API_URL,
            retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=5)],
        )
        roster_file = config.slack.roster.file if config.slack.roster.source == "file" else None
        sync = RosterSync(
            client=client,
            repository=repository,
            clock=SystemClock(),
            rules=roster_rules(config),
            roster_file=str(config.resolve_path(roster_file)) if roster_file else None,
        )
        try:
            return await sync.run()
        except SlackApiError as error:
            code = error.response.get("error", "refused")
            raise StartupError(
                f"Slack refused users.list ({code}); check SLACK_BOT_TOKEN"
            ) from None
    finally:
        await engine.dispose()
