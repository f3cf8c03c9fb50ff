"""A config for ``pulse run`` against the running stand-ins, and the secrets it needs.

The config loader reads secrets only from the environment, so they go to a second file
next to the config (``sandbox.env`` for ``sandbox.yaml``), one ``export NAME=value`` a line,
for the shell to source. The stand-ins' tokens are not secret: they work nowhere else.
"""

from __future__ import annotations

import datetime as dt
import socket
from pathlib import Path
from typing import Any

import yaml

from pulse_mirror.sandbox.seed import DAYTIME, midday_zone
from pulse_mirror.sandbox.slack import SlackSandbox
from pulse_mirror.sandbox.telegram import TelegramSandbox

_DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# The threshold of the written config: the seeded daytime employees are exactly this many,
# so that once they have answered a closed week's report shows a figure.
MIN_RESPONDENTS = len(DAYTIME)
HEADER = (
    "# Written by `pulse sandbox --config-out`: pulse run against the local stand-ins.\n"
    "# Secrets are not in this file: source {env} first (the config loader reads the\n"
    "# environment only). Rewritten at every start; the stand-ins' ports change.\n"
)


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port on ``host`` nobody listens on right now (for the bot's HTTP server)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def bot_config(
    *,
    slack: SlackSandbox,
    telegram: TelegramSandbox,
    database_file: str,
    report_channel: str,
    server_port: int,
) -> dict[str, Any]:
    """Slack in socket mode and Telegram polling against the stand-ins, SQLite next to the file.

    Employees are asked today at 00:00 their time with a week to answer, so a pulse is due as
    soon as ``pulse run`` starts, to everyone for whom it is daytime (the seeded employees in
    the midday zone always are; see ``seed.midday_zone``). On a fresh database the report
    channel gets a one-time note saying when the first results come.
    """
    _, today = midday_zone(dt.datetime.now(dt.UTC))
    return {
        "organisation": {"name": "Sandbox GmbH", "timezone": "Europe/Berlin", "language": "en"},
        "anonymity": {"min_respondents": MIN_RESPONDENTS},
        "database": {"url": f"sqlite:///{database_file}"},
        "server": {"host": "127.0.0.1", "port": server_port},
        "slack": {
            "enabled": True,
            "mode": "socket",
            "api_url": slack.api_url,
            "report_channel": report_channel,
        },
        "telegram": {
            "enabled": True,
            "mode": "polling",
            "api_url": telegram.api_url,
            "segments": {"shop": "retail"},
        },
        "surveys": {
            "employees": {
                "weekdays": [_DAY_NAMES[today - 1]],
                "send_time": "00:00",
                "questions_per_pulse": 1,
                "answer_window_days": 7,
                "reminders": 0,
            },
            "customers": {"sample_fraction": 1.0, "min_days_between": 1},
        },
        "report": {"weekday": "mon", "time": "00:00", "destinations": ["slack"]},
    }


def bot_env(*, slack: SlackSandbox, telegram: TelegramSandbox) -> dict[str, str]:
    """The environment ``pulse run`` needs for the config: the tokens the stand-ins accept."""
    return {
        "SLACK_BOT_TOKEN": slack.bot_token,
        "SLACK_APP_TOKEN": slack.app_token,
        "SLACK_SIGNING_SECRET": slack.signing_secret,
        "TELEGRAM_BOT_TOKEN": telegram.token,
    }


def env_path(config_path: Path) -> Path:
    """Where the secrets for ``config_path`` go: the same name with ``.env``."""
    return config_path.with_suffix(".env")


def write(config_path: Path, *, data: dict[str, Any], env: dict[str, str]) -> Path:
    """Write the config and its ``.env`` file; return the ``.env`` file's path."""
    secrets = env_path(config_path)
    config_path.parent.mkdir(parents=True, exist_ok=True)
    config_path.write_text(
        HEADER.format(env=secrets.name) + yaml.safe_dump(data, sort_keys=False), encoding="utf-8"
    )
    secrets.write_text(
        "".join(f"export {name}={value}\n" for name, value in env.items()), encoding="utf-8"
    )
    return secrets
