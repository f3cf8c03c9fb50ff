"""The platform sections of the config: Slack (employees) and Telegram (customers)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal, Self
from urllib.parse import urlparse

from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints, model_validator

from pulse_mirror.config.sections import HttpUrl, Section, problem

LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


class Roster(Section):
    """Which Slack users are employees to ask."""

    source: Literal["workspace", "file"] = "workspace"
    file: Path | None = None
    include_guests: bool = False
    exclude: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _file_when_source_is_file(self) -> Self:
        if self.source == "file" and self.file is None:
            raise problem("is required when source is file (a CSV or YAML file)", at="file")
        if self.file is not None and self.file.suffix.lower() not in (".csv", ".yaml", ".yml"):
            raise problem(f"{str(self.file)!r} must be a .csv, .yaml or .yml file", at="file")
        return self


class SlackRate(Section):
    """Pacing of chat.postMessage: 1/s to each DM; over the workspace a pace that starts at
    ``messages_per_second`` and adapts to Slack's 429s, never above ``max_messages_per_second``.
    """

    messages_per_second: float = Field(default=1.0, gt=0)
    max_messages_per_second: float = Field(default=100.0, gt=0)

    @model_validator(mode="after")
    def _start_within_maximum(self) -> Self:
        if self.messages_per_second > self.max_messages_per_second:
            raise problem(
                f"{self.messages_per_second} is above max_messages_per_second "
                f"({self.max_messages_per_second})",
                at="messages_per_second",
            )
        return self


def _channel(value: str) -> str:
    if re.fullmatch(r"#[a-z0-9][a-z0-9_-]{0,79}", value) or re.fullmatch(
        r"[CG][A-Z0-9]{6,}", value
    ):
        return value
    raise problem(f"{value!r} is not a channel; use #name (lowercase) or an id such as C0123ABCD")


class Slack(Section):
    """Employees answer in Slack."""

    enabled: bool = False
    mode: Literal["socket", "http"] = "socket"
    api_url: HttpUrl | None = None
    report_channel: Annotated[str, AfterValidator(_channel)] | None = None
    roster: Roster = Field(default_factory=Roster)
    rate: SlackRate = Field(default_factory=SlackRate)

    @model_validator(mode="after")
    def _api_url_ends_with_slash(self) -> Self:
        # slack_sdk joins base_url and the method name without a separator.
        if self.api_url is not None and not self.api_url.endswith("/"):
            object.__setattr__(self, "api_url", self.api_url + "/")
        return self


class TelegramRate(Section):
    """Telegram's limits: 30 messages a second overall, 1 a second to one chat."""

    per_second: float = Field(default=30.0, gt=0)
    per_chat_per_second: float = Field(default=1.0, gt=0)


def _payload(value: str) -> str:
    if re.fullmatch(r"[A-Za-z0-9_-]{1,64}", value):
        return value
    raise problem(f"{value!r} is not a deep-link payload; use 1-64 of A-Z a-z 0-9 _ -")


def _chat_id(value: object) -> int | str:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = str(value).strip()
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    if re.fullmatch(r"@[A-Za-z0-9_]{5,32}", text):
        return text
    raise problem(f"{value!r} is not a chat; use a numeric chat id or @channelname")


# A segment is stored as the customer's group, a column of 64 characters.
SegmentName = Annotated[str, StringConstraints(min_length=1, max_length=64)]


class Telegram(Section):
    """Customers answer in Telegram."""

    enabled: bool = False
    mode: Literal["polling", "webhook"] = "polling"
    api_url: HttpUrl | None = None
    webhook_url: HttpUrl | None = None
    report_chat_id: Annotated[int | str, BeforeValidator(_chat_id)] | None = None
    segments: dict[Annotated[str, AfterValidator(_payload)], SegmentName] = Field(
        default_factory=dict
    )
    default_segment: SegmentName = "general"
    rate: TelegramRate = Field(default_factory=TelegramRate)

    @model_validator(mode="after")
    def _webhook(self) -> Self:
        if self.api_url is not None:
            # python-telegram-bot appends the token directly: <api_url><token>/<method>.
            object.__setattr__(self, "api_url", self.api_url.rstrip("/"))
        if self.mode == "webhook" and self.webhook_url is None:
            raise problem("is required in webhook mode (the public https URL)", at="webhook_url")
        if self.webhook_url is not None:
            parts = urlparse(self.webhook_url)
            if parts.scheme != "https" and parts.hostname not in LOCAL_HOSTS:
                raise problem(
                    f"{self.webhook_url!r} must use https (http only for 127.0.0.1/localhost)",
                    at="webhook_url",
                )
        return self
