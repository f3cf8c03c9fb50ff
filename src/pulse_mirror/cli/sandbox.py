"""``pulse sandbox``: run the local Slack and Telegram stand-ins until Ctrl-C.

By default the stand-ins start with a seeded workspace (employees, a report channel and
customers); ``--config-out`` writes a config and its secrets for ``pulse run`` against them.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Annotated

import typer

from pulse_mirror.cli.support import fail, out
from pulse_mirror.config.settings import ConfigError, parse_config

if TYPE_CHECKING:
    from pulse_mirror.sandbox.seed import Seeded
    from pulse_mirror.sandbox.slack import SlackSandbox
    from pulse_mirror.sandbox.telegram import TelegramSandbox


@dataclass(frozen=True)
class Options:
    """What ``pulse sandbox`` was asked for."""

    host: str
    slack_port: int
    telegram_port: int
    empty: bool
    config_out: Path | None


@dataclass(frozen=True)
class Parts:
    """The stand-ins and the sandbox's helpers, imported only when the command runs."""

    slack: SlackSandbox
    telegram: TelegramSandbox
    seed: Callable[..., Seeded]
    bot_config: ModuleType


class CannotStart(Exception):
    """The stand-ins could not start; the message is the one line to show."""


async def _bind(start: Awaitable[None], *, option: str, host: str, port: int) -> None:
    try:
        await start
    except OSError as error:
        reason = os.strerror(error.errno) if error.errno else str(error)
        raise CannotStart(f"{option}: cannot listen on {host}:{port} ({reason})") from None


async def _serve(options: Options, parts: Parts) -> None:
    slack, telegram = parts.slack, parts.telegram
    host = options.host
    await _bind(
        slack.start(host=host, port=options.slack_port),
        option="--slack-port", host=host, port=options.slack_port,
    )  # fmt: skip
    try:
        await _bind(
            telegram.start(host=host, port=options.telegram_port),
            option="--telegram-port", host=host, port=options.telegram_port,
        )  # fmt: skip
    except CannotStart:
        await slack.stop()
        raise
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    try:
        seeded = None if options.empty else parts.seed(slack=slack, telegram=telegram)
        env_file = _config_out(options.config_out, parts=parts, seeded=seeded)
        _announce(slack=slack, telegram=telegram, seeded=seeded)
        _next_steps(options.config_out, env_file)
        await stop.wait()
    finally:
        await telegram.stop()
        await slack.stop()


def _config_out(path: Path | None, *, parts: Parts, seeded: Seeded | None) -> Path | None:
    """Write the config and its ``.env`` file; None when not asked for."""
    if path is None:
        return None
    slack, telegram, bot_config = parts.slack, parts.telegram, parts.bot_config

    channel = f"#{seeded.report_channel}" if seeded is not None else None
    data = bot_config.bot_config(
        slack=slack, telegram=telegram, database_file=f"{path.stem}.db",
        report_channel=channel or "#leadership-pulse", server_port=bot_config.free_port(),
    )  # fmt: skip
    if seeded is None:  # nothing to post to: the operator adds a channel first
        data["report"]["destinations"] = []
        del data["slack"]["report_channel"]
    env = bot_config.bot_env(slack=slack, telegram=telegram)
    try:  # the same check `pulse run` makes, so the file works at once
        parse_config(data, env=env, base_dir=path.resolve().parent)
    except ConfigError as error:  # a bug here, not the operator's mistake
        raise CannotStart(f"--config-out: {error.problems[0]}") from None
    try:
        written: Path = bot_config.write(path, data=data, env=env)
        return written
    except OSError as error:
        raise CannotStart(f"--config-out: cannot write {path} ({error.strerror})") from None


def _line(label: str, value: str) -> None:
    out.print(f"[bold]{label}:[/bold] {value}", highlight=False, soft_wrap=True)


def _announce(*, slack: SlackSandbox, telegram: TelegramSandbox, seeded: Seeded | None) -> None:
    # The first two lines stay "Slack Web API: …" and "Telegram Bot API: …": scripts read them.
    _line("Slack Web API", slack.api_url)
    _line("Telegram Bot API", telegram.api_url)
    _line("Slack control API", slack.control_url)
    _line("Telegram control API", telegram.control_url)
    _line(
        "Slack accepts",
        f"SLACK_BOT_TOKEN={slack.bot_token} SLACK_APP_TOKEN={slack.app_token}"
        f" SLACK_SIGNING_SECRET={slack.signing_secret}",
    )
    _line("Telegram accepts", f"TELEGRAM_BOT_TOKEN={telegram.token}")
    if seeded is None:
        out.print("Empty workspace: add people and channels through the control APIs.")
        return
    people = ", ".join(f"{e.id} ({e.tz})" for e in seeded.employees)
    _line("Slack employees", people)
    _line("Slack report channel", f"#{seeded.report_channel} ({seeded.report_channel_id})")
    customers = ", ".join(str(c.id) for c in seeded.customers)
    _line("Telegram customers", f"{customers} (opt in: POST {telegram.control_url}/users/ID/start)")


def _next_steps(config_out: Path | None, env_file: Path | None) -> None:
    if config_out is None or env_file is None:
        out.print(
            "[bold]Next:[/bold] restart with --config-out sandbox.yaml for a ready config",
            highlight=False,
        )
    else:
        _line("Wrote", f"{config_out} and {env_file} (the secrets, for the environment)")
        config = str(config_out)
        out.print(
            f"[bold]Next[/bold] (another terminal): . ./{env_file}"
            f" && pulse db upgrade --config {config} && pulse slack-roster --config {config}"
            f" && pulse run --config {config}",
            highlight=False,
            soft_wrap=True,
        )
    out.print("Press Ctrl-C to stop.", highlight=False)


def register(app: typer.Typer) -> None:
    """Add ``pulse sandbox``."""

    @app.command("sandbox")
    def sandbox(
        host: Annotated[str, typer.Option(help="Loopback address to bind.")] = "127.0.0.1",
        slack_port: Annotated[int, typer.Option(help="Slack stand-in port (0: any).")] = 0,
        telegram_port: Annotated[int, typer.Option(help="Telegram stand-in port (0: any).")] = 0,
        empty: Annotated[
            bool, typer.Option("--empty", help="Start with no users and no channels.")
        ] = False,
        config_out: Annotated[
            Path | None,
            typer.Option(
                "--config-out",
                help="Write a config for `pulse run` here, and its secrets as NAME.env.",
            ),
        ] = None,
    ) -> None:
        """Start the local Slack and Telegram stand-ins, seeded; print their URLs and tokens."""
        # heavy: the stand-ins are aiohttp servers (~0.3 s); only this command starts them.
        from pulse_mirror.sandbox import bot_config, faults, seed, slack, telegram

        try:
            faults.require_loopback(host)
        except ValueError as exc:
            raise fail([f"--host: {exc}"]) from None
        for name, port in (("--slack-port", slack_port), ("--telegram-port", telegram_port)):
            if not 0 <= port <= 65535:
                raise fail([f"{name}: {port} is not a port (0-65535; 0: any free port)"])
        if config_out is not None and config_out.suffix.lower() not in (".yaml", ".yml"):
            raise fail([f"--config-out: {str(config_out)!r} must end in .yaml or .yml"])
        options = Options(host, slack_port, telegram_port, empty, config_out)
        try:
            parts = Parts(
                slack=slack.SlackSandbox(), telegram=telegram.TelegramSandbox(),
                seed=seed.seed, bot_config=bot_config,
            )  # fmt: skip
            asyncio.run(_serve(options, parts))
        except CannotStart as error:
            raise fail([str(error)]) from None
