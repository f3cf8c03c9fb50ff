"""``pulse run``, ``pulse status``, ``pulse send-now``, ``pulse pause`` and ``pulse resume``."""

from __future__ import annotations

import typer

from pulse_mirror.cli.deferred import tasks
from pulse_mirror.cli.support import ConfigOption, out


def register(app: typer.Typer) -> None:
    """Add this area's commands to ``app``."""
    app.command("run", epilog="Example: pulse run --config config.yaml")(run)
    app.command("status", epilog="Example: pulse status --config config.yaml")(status)
    app.command("send-now", epilog="Example: pulse send-now --config config.yaml")(send_now)
    app.command("pause", epilog="Example: pulse pause --config config.yaml")(pause)
    app.command("resume", epilog="Example: pulse resume --config config.yaml")(resume)


def run(config: ConfigOption = None) -> None:
    """Run the bot: Slack, Telegram, the scheduler and the HTTP server, until Ctrl-C / SIGTERM."""
    tasks().operating.run(config)


def status(config: ConfigOption = None) -> None:
    """This week per side: planned, sent, answered, failed, unknown, response rate; next jobs.

    Reads the database only: no Slack or Telegram token is needed.
    """
    tasks().operating.status(config)


def send_now(config: ConfigOption = None) -> None:
    """Plan the current week and send its questions now (for trying it out)."""
    tasks().operating.send_now(config)


def pause(config: ConfigOption = None) -> None:
    """Pause every pulse of the organisation: nothing is planned or sent until resumed."""
    tasks().operating.set_paused(config, paused=True)
    out.print("All pulses paused. Run `pulse resume` to continue.")


def resume(config: ConfigOption = None) -> None:
    """Resume the organisation's pulses."""
    tasks().operating.set_paused(config, paused=False)
    out.print("Pulses resumed.")
