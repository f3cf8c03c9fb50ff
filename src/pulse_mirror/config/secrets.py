"""Secrets: read only from the environment, refused in the file, never shown.

The config file must not hold a token or password; :func:`without_secrets` drops such keys
(reporting each) before validation, and :func:`scrub` masks any secret value that still
reaches a line of text.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, SecretStr, ValidationError

from pulse_mirror.config.platforms import Slack, Telegram

SECRET_ENV: dict[str, str] = {
    "slack_bot_token": "SLACK_BOT_TOKEN",
    "slack_signing_secret": "SLACK_SIGNING_SECRET",
    "slack_app_token": "SLACK_APP_TOKEN",
    "telegram_bot_token": "TELEGRAM_BOT_TOKEN",
    "telegram_webhook_secret": "TELEGRAM_WEBHOOK_SECRET",
    "database_password": "PULSE_DATABASE_PASSWORD",
}
_SECRET_WORDS = ("token", "secret", "password", "passwd", "api_key", "apikey")


class Secrets(BaseModel):
    """Secrets read from the environment; empty variables count as unset."""

    model_config = ConfigDict(frozen=True)

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    telegram_bot_token: SecretStr | None = None
    telegram_webhook_secret: SecretStr | None = None
    database_password: SecretStr | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Secrets:
        """Read every known secret variable from ``env``."""
        values = {field: env.get(var, "").strip() for field, var in SECRET_ENV.items()}
        return cls(**{field: SecretStr(v) for field, v in values.items() if v})

    def values(self) -> list[str]:
        """The plain secret values, for scrubbing text that must not show them."""
        secrets = (getattr(self, field) for field in SECRET_ENV)
        return [s.get_secret_value() for s in secrets if s is not None]


def scrub(text: str, secrets: list[str]) -> str:
    """``text`` with every secret value in it replaced by ``***``."""
    for secret in secrets:
        if len(secret) >= 4:
            text = text.replace(secret, "***")
    return text


def _secret_variable(path: tuple[str, ...]) -> str:
    section, key = (path[0] if len(path) > 1 else ""), path[-1].lower()
    if section == "slack":
        return (
            "SLACK_SIGNING_SECRET"
            if "signing" in key
            else ("SLACK_APP_TOKEN" if "app" in key else "SLACK_BOT_TOKEN")
        )
    if section == "telegram":
        return "TELEGRAM_WEBHOOK_SECRET" if "secret" in key else "TELEGRAM_BOT_TOKEN"
    if section == "database":
        return "PULSE_DATABASE_PASSWORD"
    return "the matching environment variable (see config.example.yaml)"


def without_secrets(
    data: dict[Any, Any], path: tuple[str, ...]
) -> tuple[dict[Any, Any], list[str]]:
    """Drop secret-looking keys (reporting each) so their values are never validated or shown."""
    clean: dict[Any, Any] = {}
    problems: list[str] = []
    for key, value in data.items():
        here = (*path, str(key))
        if any(word in str(key).lower() for word in _SECRET_WORDS):
            problems.append(
                f"{'.'.join(here)}: secrets do not belong in the config file; "
                f"set {_secret_variable(here)} in the environment"
            )
        elif isinstance(value, dict) and len(here) < 3 and here != ("telegram", "segments"):
            clean[key], more = without_secrets(value, here)
            problems += more
        else:
            clean[key] = value
    return clean, problems


def _platform(model: type[Slack] | type[Telegram], raw: object) -> tuple[bool, str | None]:
    """Whether a platform section is enabled and its mode, even when the section is invalid."""
    try:
        section = model.model_validate({} if raw is None else raw)
    except ValidationError:  # already reported; judge by the raw values
        if not isinstance(raw, dict) or raw.get("enabled") is not True:
            return False, None
        mode = raw.get("mode", model.model_fields["mode"].default)
        return True, mode if mode in ("socket", "http", "polling", "webhook") else None
    return section.enabled, section.mode


def missing_secrets(data: dict[Any, Any], env: Mapping[str, str]) -> list[str]:
    """One line per secret an enabled platform needs but the environment lacks."""

    def unset(var: str) -> bool:
        return not env.get(var, "").strip()

    problems: list[str] = []
    enabled, mode = _platform(Slack, data.get("slack"))
    if enabled:
        if unset("SLACK_BOT_TOKEN"):
            problems.append("slack: enabled but SLACK_BOT_TOKEN is not set in the environment")
        need = {"socket": "SLACK_APP_TOKEN", "http": "SLACK_SIGNING_SECRET"}.get(mode or "")
        if need and unset(need):
            problems.append(f"slack: {mode} mode but {need} is not set in the environment")
    enabled, mode = _platform(Telegram, data.get("telegram"))
    if enabled:
        if unset("TELEGRAM_BOT_TOKEN"):
            problems.append(
                "telegram: enabled but TELEGRAM_BOT_TOKEN is not set in the environment"
            )
        if mode == "webhook" and unset("TELEGRAM_WEBHOOK_SECRET"):
            problems.append(
                "telegram: webhook mode but TELEGRAM_WEBHOOK_SECRET is not set in the environment"
            )
    return problems
