"""``pulse`` commands for the slack area: the app manifest, and a one-off roster sync."""

from __future__ import annotations

import asyncio
import json
from typing import Annotated

import typer

from pulse_mirror.cli.support import ConfigOption, brief, default_config_path, fail, load, out
from pulse_mirror.slack.manifest import manifest


def register(app: typer.Typer) -> None:
    """Add this area's commands to ``app``."""
    app.command(
        "slack-manifest",
        epilog="Example: pulse slack-manifest --mode http --url https://pulse.example.com",
    )(slack_manifest)
    app.command("slack-roster", epilog="Example: pulse slack-roster --config config.yaml")(
        slack_roster
    )


def slack_manifest(
    config: ConfigOption = None,
    url: Annotated[
        str | None,
        typer.Option("--url", help="The bot's public https base URL (http mode)."),
    ] = None,
    mode: Annotated[
        str | None, typer.Option("--mode", help="socket or http (default: from the config).")
    ] = None,
) -> None:
    """Print a ready Slack app manifest (JSON) with exactly the scopes and URLs the bot needs."""
    name, chosen, report, emails = "Our company", mode or "socket", True, False
    path = config or default_config_path()
    if config is not None or path.exists():
        cfg = load(path)
        name, report = cfg.organisation.name, cfg.slack.report_channel is not None
        chosen = mode or cfg.slack.mode
        roster = cfg.slack.roster
        emails = roster.source == "file" or any("@" in entry for entry in roster.exclude)
    if chosen not in ("socket", "http"):
        raise fail([f"--mode: {chosen!r} is not a mode; use socket or http"])
    if chosen == "http" and not (url or "").startswith(("https://", "http://127.0.0.1")):
        raise fail(
            ["--url: http mode needs the bot's public https URL, e.g. https://pulse.example.com"]
        )
    document = manifest(
        name=name,
        mode="http" if chosen == "http" else "socket",
        public_url=url,
        report_channel=report,
        emails=emails,
    )
    out.print_json(json.dumps(document))


def slack_roster(config: ConfigOption = None) -> None:
    """Sync the employees once from the workspace or the roster file, then print what changed."""
    # heavy: the Slack runtime loads Bolt and slack_sdk (~0.4 s); only this command needs them.
    from pulse_mirror.slack import runtime

    cfg = load(config, tokens=True)
    if not cfg.slack.enabled:
        raise fail(["slack.enabled: the roster sync needs Slack enabled"])
    try:
        result = asyncio.run(runtime.roster_sync_for(cfg))
    except Exception as exc:  # a refused token, a bad roster file, no database: one line
        raise fail([brief(exc)]) from None
    out.print(
        f"[green]Roster synced[/green]: {result.employees} employees, {result.left} left, "
        f"{result.rejoined} back"
    )
    for entry in result.unresolved:
        out.print(f"  not found in the workspace: {entry}", markup=False)
