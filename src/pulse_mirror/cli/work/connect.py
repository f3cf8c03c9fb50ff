"""What talks to the outside for the command line: ``pulse db upgrade`` and ``--online`` checks.

Each online check prints one line, "ok" or "problem: …"; any problem ends in exit status 2.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from urllib.parse import urlparse

import aiohttp

from pulse_mirror.cli.support import brief, fail, out
from pulse_mirror.config.settings import Config
from pulse_mirror.storage.engine import DatabaseUnavailable
from pulse_mirror.storage.migrate import current_revision, head_revision, upgrade

SLACK_API = "https://slack.com/api/"
TELEGRAM_API = "https://api.telegram.org/bot"
_TIMEOUT = aiohttp.ClientTimeout(total=10)


def db_upgrade(cfg: Config) -> None:
    """Create or upgrade the schema; say whether it was created, upgraded or already current."""
    try:
        before = asyncio.run(current_revision(cfg.database_url))
        if before != head_revision():
            asyncio.run(upgrade(cfg.database_url))
    except DatabaseUnavailable as exc:
        raise fail([str(exc)]) from None
    except Exception as exc:  # one line, never a traceback
        raise fail([f"db upgrade: {brief(exc)}"]) from None
    where = cfg.database_display
    if before is None:
        out.print(f"Created the schema at revision {head_revision()} ({where})", markup=False)
    elif before != head_revision():
        out.print(f"Upgraded the schema from {before} to {head_revision()} ({where})", markup=False)
    else:
        out.print(f"Database is up to date at revision {before} ({where})", markup=False)


Check = Callable[[Config, aiohttp.ClientSession], Awaitable[str | None]]


async def _database(cfg: Config, _: aiohttp.ClientSession) -> str | None:
    try:
        found = await current_revision(cfg.database_url)
    except Exception as exc:
        return brief(exc)
    if found is None:
        return "no schema yet; run `pulse db upgrade`"
    if found != head_revision():
        return f"schema at revision {found}, this version needs {head_revision()}"
    return None


async def _slack_call(
    cfg: Config, session: aiohttp.ClientSession, method: str, **params: str
) -> dict[str, object]:
    token = cfg.secrets.slack_bot_token
    headers = {"Authorization": f"Bearer {token.get_secret_value() if token else ''}"}
    url = (cfg.slack.api_url or SLACK_API) + method
    async with session.post(url, data=params, headers=headers) as response:
        body: dict[str, object] = await response.json(content_type=None)
    return body


async def _slack_token(cfg: Config, session: aiohttp.ClientSession) -> str | None:
    body = await _slack_call(cfg, session, "auth.test")
    return None if body.get("ok") else f"auth.test refused the token ({body.get('error')})"


async def _report_channel(cfg: Config, session: aiohttp.ClientSession) -> str | None:
    channel = cfg.slack.report_channel or ""
    if channel.startswith("#"):
        body = await _slack_call(
            cfg, session, "conversations.list", types="public_channel,private_channel",
            limit="1000",
        )  # fmt: skip
        found = [
            c for c in body.get("channels", []) or []  # type: ignore[attr-defined]
            if isinstance(c, dict) and c.get("name") == channel[1:]
        ]  # fmt: skip
        if not found:
            return f"{channel} not found (or the bot cannot see it)"
        info: dict[str, object] = found[0]
    else:
        body = await _slack_call(cfg, session, "conversations.info", channel=channel)
        if not body.get("ok"):
            return f"{channel}: conversations.info failed ({body.get('error')})"
        info = body.get("channel") or {}  # type: ignore[assignment]
    if not info.get("is_member"):
        return f"{channel}: the bot is not a member; invite it with /invite"
    return None


async def _telegram_token(cfg: Config, session: aiohttp.ClientSession) -> str | None:
    token = cfg.secrets.telegram_bot_token
    base = cfg.telegram.api_url or TELEGRAM_API
    url = f"{base}{token.get_secret_value() if token else ''}/getMe"
    async with session.get(url) as response:
        body = await response.json(content_type=None)
    if isinstance(body, dict) and body.get("ok"):
        return None
    return f"getMe refused the token ({response.status})"


async def _webhook(cfg: Config, session: aiohttp.ClientSession) -> str | None:
    url = cfg.telegram.webhook_url or ""
    if urlparse(url).scheme != "https":
        return f"{url} does not use https; Telegram only calls https webhooks"
    async with session.post(url, json={}) as response:
        if response.status == 404:
            return f"{url} answers 404: the path does not reach the bot"
    return None


def _checks(cfg: Config) -> list[tuple[str, Check]]:
    checks: list[tuple[str, Check]] = [("database", _database)]
    if cfg.slack.enabled:
        checks.append(("slack token", _slack_token))
        if cfg.slack.report_channel:
            checks.append(("slack report channel", _report_channel))
    if cfg.telegram.enabled:
        checks.append(("telegram token", _telegram_token))
        if cfg.telegram.mode == "webhook":
            checks.append(("telegram webhook", _webhook))
    return checks


async def _run(cfg: Config) -> list[str]:
    lines = []
    async with aiohttp.ClientSession(timeout=_TIMEOUT, trust_env=True) as session:
        for name, check in _checks(cfg):
            try:
                problem = await check(cfg, session)
            except (aiohttp.ClientError, TimeoutError, OSError, ValueError) as exc:
                problem = f"cannot be reached ({brief(exc) or type(exc).__name__})"
            lines.append(f"{name}: ok" if problem is None else f"{name}: problem: {problem}")
    return lines


def check_online(cfg: Config) -> None:
    """Check every connection the config names, one line each; exit 2 on any problem."""
    lines = asyncio.run(_run(cfg))
    for line in lines:
        out.print(line, markup=False, highlight=False, soft_wrap=True)
    if any(": problem: " in line for line in lines):
        raise fail([])
