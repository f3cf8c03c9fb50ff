"""The stage: both stand-ins, the config built in code, a fresh SQLite file and the real app."""

from __future__ import annotations

import logging
import random
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from pulse_mirror.config.settings import Config, parse_config
from pulse_mirror.demo.clock import VirtualClock
from pulse_mirror.demo.company import Company
from pulse_mirror.runtime.app import PulseApp, start_app
from pulse_mirror.sandbox.slack import SlackSandbox
from pulse_mirror.sandbox.telegram import TelegramSandbox
from pulse_mirror.slack.manifest import EVENTS_PATH
from pulse_mirror.slack.runtime import SlackRuntime
from pulse_mirror.storage.migrate import upgrade
from pulse_mirror.telegram.runtime import TelegramRuntime

log = logging.getLogger(__name__)

REPORT_CHANNEL = "leadership-pulse"
REPORT_CHAT = -1001000000042  # the leadership group in Telegram
LEADER_ID = 600_000_001
WEBHOOK_PATH = "/telegram/webhook"
DATABASE_FILE = "pulse-demo.db"


@dataclass(frozen=True)
class Settings:
    """What the demo asks of the bot's config."""

    out: Path
    lang: str = "en"
    min_respondents: int = 5
    customer_fraction: float = 0.1


@dataclass
class Stage:
    """Everything running: the stand-ins, the app and its platform runtimes."""

    slack: SlackSandbox
    telegram: TelegramSandbox
    app: PulseApp
    config: Config
    channel_id: str
    report_chat: int = REPORT_CHAT

    @property
    def slack_runtime(self) -> SlackRuntime:
        """The app's Slack runtime."""
        found = next(r for r in self.app.runtimes if isinstance(r, SlackRuntime))
        assert isinstance(found, SlackRuntime)
        return found

    @property
    def telegram_runtime(self) -> TelegramRuntime:
        """The app's Telegram runtime."""
        found = next(r for r in self.app.runtimes if isinstance(r, TelegramRuntime))
        assert isinstance(found, TelegramRuntime)
        return found

    async def stop(self) -> None:
        """Stop the app, then the stand-ins."""
        try:
            await self.app.stop()
        finally:
            await self.telegram.stop()
            await self.slack.stop()


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def demo_config(
    company: Company,
    *,
    settings: Settings,
    slack: SlackSandbox,
    telegram: TelegramSandbox,
    port: int,
) -> Config:
    """The bot's config for the demo, with the stand-ins' URLs and their tokens."""
    roster = settings.out / "roster.yaml"
    data: dict[str, Any] = {
        "organisation": {
            "name": company.name, "timezone": "Europe/Berlin", "language": settings.lang,
        },
        "anonymity": {"min_respondents": settings.min_respondents},
        "database": {"url": f"sqlite:///{(settings.out / DATABASE_FILE).resolve()}"},
        "server": {"host": "127.0.0.1", "port": port},
        "slack": {
            "enabled": True, "mode": "http", "api_url": slack.api_url,
            "report_channel": f"#{REPORT_CHANNEL}",
            "roster": {"source": "file", "file": str(roster.resolve())},
        },
        "telegram": {
            "enabled": True, "mode": "webhook", "api_url": telegram.api_url,
            "webhook_url": f"http://127.0.0.1:{port}{WEBHOOK_PATH}",
            "report_chat_id": REPORT_CHAT, "segments": company.segments,
        },
        "surveys": {"customers": {"sample_fraction": settings.customer_fraction}},
        "report": {"weekday": "mon", "time": "09:00", "destinations": ["slack", "telegram"]},
    }  # fmt: skip
    env = {
        "SLACK_BOT_TOKEN": slack.bot_token,
        "SLACK_SIGNING_SECRET": slack.signing_secret,
        "TELEGRAM_BOT_TOKEN": telegram.token,
        "TELEGRAM_WEBHOOK_SECRET": "demo-webhook-secret",
    }
    return parse_config(data, env=env, base_dir=settings.out)


def write_roster(company: Company, path: Path) -> None:
    """The roster file: each employee's Slack id, team and time zone."""
    rows = [{"user": e.user_id, "team": e.team, "timezone": e.time_zone} for e in company.employees]
    path.write_text(yaml.safe_dump({"employees": rows}, sort_keys=False), encoding="utf-8")


def populate_slack(company: Company, slack: SlackSandbox) -> str:
    """Add the employees and the leadership channel to the Slack workspace."""
    for employee in company.employees:
        slack.add_user(
            id=employee.user_id, name=employee.name.lower().replace(" ", "").rstrip("."),
            real_name=employee.name, tz=employee.time_zone, locale=employee.locale,
        )  # fmt: skip
    channel = slack.add_channel(name=REPORT_CHANNEL, bot_member=True)
    return channel.id


async def open_stage(company: Company, *, settings: Settings, clock: VirtualClock) -> Stage:
    """Start the stand-ins on the virtual clock, create the database and start the app."""
    settings.out.mkdir(parents=True, exist_ok=True)
    database = settings.out / DATABASE_FILE
    for leftover in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
        leftover.unlink(missing_ok=True)
    slack = SlackSandbox(now=clock.seconds)
    telegram = TelegramSandbox(now=clock.seconds, clock=clock.seconds)
    await slack.start(host="127.0.0.1", port=0)
    await telegram.start(host="127.0.0.1", port=0)
    try:
        channel_id = populate_slack(company, slack)
        telegram.add_user(LEADER_ID, first_name="Leadership", language_code=settings.lang)
        telegram.send_group_message(
            REPORT_CHAT, user_id=LEADER_ID, text="Weekly pulse here, please.", title="Leadership"
        )
        write_roster(company, settings.out / "roster.yaml")
        port = free_port()
        config = demo_config(company, settings=settings, slack=slack, telegram=telegram, port=port)
        await upgrade(config.database_url)
        app = await start_app(
            config, clock=clock, schedule=False, serve=True, rng=random.Random(company.seed)
        )
    except BaseException:
        await telegram.stop()
        await slack.stop()
        raise
    slack.request_url = f"http://127.0.0.1:{app.server.port}{EVENTS_PATH}"
    return Stage(slack=slack, telegram=telegram, app=app, config=config, channel_id=channel_id)
