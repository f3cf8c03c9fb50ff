"""The operator's YAML config: loaded and validated once, at the edge.

Secrets come only from the environment and are kept as ``SecretStr``; they never appear
in an error line or in the summary (:func:`pulse_mirror.config.summary.describe`). Every
problem in a file is reported at once.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Self

from pydantic import (
    Field,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    model_validator,
)

from pulse_mirror.config.dimensions import DimensionSpec, duplicate_keys
from pulse_mirror.config.errors import pydantic_problems, read_yaml
from pulse_mirror.config.platforms import Slack, Telegram
from pulse_mirror.config.secrets import SECRET_ENV, Secrets, missing_secrets, scrub, without_secrets
from pulse_mirror.config.sections import (
    Anonymity,
    Database,
    Logging,
    Organisation,
    Report,
    Section,
    Server,
    Surveys,
)
from pulse_mirror.surveys.bank import BankError, load_bank

__all__ = [
    "SECRET_ENV",
    "Config",
    "ConfigError",
    "Secrets",
    "load_config",
    "parse_config",
]


class ConfigError(Exception):
    """The config cannot be used; ``problems`` holds one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class Config(Section):
    """The whole validated config; build it with :func:`load_config` or :func:`parse_config`."""

    organisation: Organisation = Field(default_factory=Organisation)
    anonymity: Anonymity = Field(default_factory=Anonymity)
    database: Database = Field(default_factory=Database)
    server: Server = Field(default_factory=Server)
    slack: Slack = Field(default_factory=Slack)
    telegram: Telegram = Field(default_factory=Telegram)
    surveys: Surveys = Field(default_factory=Surveys)
    report: Report = Field(default_factory=Report)
    logging: Logging = Field(default_factory=Logging)
    dimensions: list[DimensionSpec] = Field(default_factory=list)

    _secrets: Secrets = PrivateAttr(default_factory=Secrets)
    _base_dir: Path = PrivateAttr(default_factory=Path.cwd)

    @model_validator(mode="before")
    @classmethod
    def _empty_sections(cls, data: Any) -> Any:
        # "slack:" with nothing under it is YAML null; treat it as the defaults.
        if isinstance(data, dict):
            return {key: ({} if value is None else value) for key, value in data.items()}
        return data

    @model_validator(mode="after")
    def _resolve(self, info: ValidationInfo) -> Self:
        context = info.context or {}
        if "env" in context:
            self._secrets = Secrets.from_env(context["env"])
        if "base_dir" in context:
            self._base_dir = Path(context["base_dir"])
        update: dict[str, object] = {}
        if self.report.language is None:
            update["language"] = self.organisation.language
        if self.report.destinations is None:
            update["destinations"] = [
                name
                for name, ready in (
                    ("slack", self.slack.enabled and self.slack.report_channel is not None),
                    (
                        "telegram",
                        self.telegram.enabled and self.telegram.report_chat_id is not None,
                    ),
                )
                if ready
            ]
        if update:
            object.__setattr__(self, "report", self.report.model_copy(update=update))
        return self

    @property
    def secrets(self) -> Secrets:
        """The secrets read from the environment."""
        return self._secrets

    @property
    def base_dir(self) -> Path:
        """The config file's folder; relative paths in the config start here."""
        return self._base_dir

    def resolve_path(self, path: Path) -> Path:
        """A path from the config, made absolute against the config file's folder."""
        return path if path.is_absolute() else self._base_dir / path

    @property
    def database_url(self) -> str:
        """The URL the engine uses, with the password from the environment filled in."""
        return self._url(hide_password=False)

    @property
    def database_display(self) -> str:
        """The database URL with any password masked as ``***``."""
        return self._url(hide_password=True)

    def _url(self, *, hide_password: bool) -> str:
        # sqlalchemy takes ~0.4 s to import; only commands that open a database pay for it.
        from sqlalchemy.engine import make_url

        url = make_url(self.database.url)
        name = url.database
        if url.get_backend_name() == "sqlite" and name and _is_file_name(name):
            url = url.set(database=str(self.resolve_path(Path(name))))
        password = self._secrets.database_password
        if url.username and url.password is None and password is not None:
            url = url.set(password=password.get_secret_value())
        return url.render_as_string(hide_password=hide_password)

    def custom_dimensions(self) -> list[dict[str, object]]:
        """The config's own dimensions as plain dicts in the question bank's format."""
        return [dim.as_bank_entry() for dim in self.dimensions]


def _is_file_name(name: str) -> bool:
    return name != ":memory:" and not name.startswith("file:")


def load_config(path: Path, *, env: Mapping[str, str] | None = None, tokens: bool = True) -> Config:
    """Read, validate and return the config at ``path``; raise ConfigError listing every problem.

    ``tokens=False`` skips the check that each enabled platform's secrets are set, for
    commands that never talk to Slack or Telegram.
    """
    data, problems = read_yaml(path)
    if data is None and problems:
        raise ConfigError(problems)
    try:
        config = parse_config(data, env=env, base_dir=path.resolve().parent, tokens=tokens)
    except ConfigError as exc:
        raise ConfigError(problems + exc.problems) from None
    if problems:
        raise ConfigError(problems)
    return config


def parse_config(
    data: object,
    *,
    env: Mapping[str, str] | None = None,
    base_dir: Path | None = None,
    tokens: bool = True,
) -> Config:
    """Validate already-parsed config data (``None`` means all defaults).

    ``tokens=False``: a missing platform secret is not a problem (read-only commands).
    """
    env = os.environ if env is None else env
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(
            ["config: the top level must be a mapping of sections (organisation:, …)"]
        )
    data, problems = without_secrets(data, ())
    context = {"env": env, "base_dir": base_dir or Path.cwd()}
    config: Config | None = None
    try:
        config = Config.model_validate(data, context=context)
    except ValidationError as exc:
        problems += pydantic_problems(exc, root=Config)
    if tokens:
        problems += missing_secrets(data, env)
    if config is not None:
        problems += _cross_problems(config)
    if problems:
        hidden = Secrets.from_env(env).values()
        raise ConfigError([scrub(line, hidden) for line in problems])
    assert config is not None
    return config


def _cross_problems(config: Config) -> list[str]:
    problems: list[str] = []
    for index, name in enumerate(config.report.destinations or []):
        here = f"report.destinations[{index}]"
        if name == "slack" and not (config.slack.enabled and config.slack.report_channel):
            problems.append(f"{here}: 'slack' needs slack.enabled: true and slack.report_channel")
        if name == "telegram" and not (
            config.telegram.enabled and config.telegram.report_chat_id is not None
        ):
            problems.append(
                f"{here}: 'telegram' needs telegram.enabled: true and telegram.report_chat_id"
            )
    roster = config.slack.roster
    if roster.source == "file" and roster.file is not None:
        where = config.resolve_path(roster.file)
        if not where.is_file():
            problems.append(
                f"slack.roster.file: {str(roster.file)!r} not found (looked at {where})"
            )
    problems += duplicate_keys(config.dimensions)
    if config.dimensions and not problems:
        problems += _bank_problems(config)
    return problems


def _bank_problems(config: Config) -> list[str]:
    try:
        load_bank(custom=config.custom_dimensions())
    except BankError as exc:
        return [p if p.startswith("dimensions") else f"dimensions: {p}" for p in exc.problems]
    return []
