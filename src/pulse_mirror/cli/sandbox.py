"""``pulse sandbox``: run the local Slack and Telegram stand-ins until Ctrl-C."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from typing import TYPE_CHECKING, Annotated

import typer

from pulse_mirror.cli.support import fail, out

if TYPE_CHECKING:
    from pulse_mirror.sandbox.slack import SlackSandbox
    from pulse_mirror.sandbox.telegram import TelegramSandbox


async def _serve(
    *,
    slack: SlackSandbox,
    telegram: TelegramSandbox,
    host: str,
    slack_port: int,
    telegram_port: int,
) -> None:
    await slack.start(host=host, port=slack_port)
    await telegram.start(host=host, port=telegram_port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    try:
        out.print(f"Slack Web API: {slack.api_url}", markup=False, soft_wrap=True)
        out.print(f"Telegram Bot API: {telegram.api_url}", markup=False, soft_wrap=True)
        out.print(f"Slack control API: {slack.control_url}", markup=False, soft_wrap=True)
        out.print(f"Telegram control API: {telegram.control_url}", markup=False, soft_wrap=True)
        out.print("Press Ctrl-C to stop.", markup=False)
        await stop.wait()
    finally:
        await telegram.stop()
        await slack.stop()


def register(app: typer.Typer) -> None:
    """Add ``pulse sandbox``."""

    @app.command("sandbox")
    def sandbox(
        host: Annotated[str, typer.Option(help="Loopback address to bind.")] = "127.0.0.1",
        slack_port: Annotated[int, typer.Option(help="Slack stand-in port (0: any).")] = 0,
        telegram_port: Annotated[int, typer.Option(help="Telegram stand-in port (0: any).")] = 0,
    ) -> None:
        """Start the local Slack and Telegram stand-ins; print the api_url for each."""
        # heavy: the stand-ins are aiohttp servers (~0.3 s); only this command starts them.
        from pulse_mirror.sandbox import faults, slack, telegram

        try:
            faults.require_loopback(host)
        except ValueError as exc:
            raise fail([f"--host: {exc}"]) from None
        asyncio.run(
            _serve(
                slack=slack.SlackSandbox(),
                telegram=telegram.TelegramSandbox(),
                host=host,
                slack_port=slack_port,
                telegram_port=telegram_port,
            )
        )
