"""The config file's shape: pydantic models with defaults, one per section.

Validators raise ``PydanticCustomError("pulse", ...)`` whose message already holds the
offending value, so :mod:`pulse_mirror.config.errors` can print it after the key path
unchanged.
Secrets never pass through these models from the file; they come from the environment.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal, Self
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    model_validator,
)
from pydantic_core import PydanticCustomError

from pulse_mirror.surveys.anonymity import (
    COMMENT_MARGIN,
    DEFAULT_MIN_RESPONDENTS,
    LOWEST_MIN_RESPONDENTS,
)
from pulse_mirror.surveys.anonymity import Anonymity as AnonymityPolicy

Language = Literal["en", "de"]
WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def problem(detail: str, *, at: str | None = None) -> PydanticCustomError:
    """A validation error whose text is printed as is after the key path (plus ``at``)."""
    ctx: dict[str, Any] = {"detail": detail}
    if at is not None:
        ctx["at"] = at
    return PydanticCustomError("pulse", "{detail}", ctx)


class Section(BaseModel):
    """Base of every config model: unknown keys are errors and values never change."""

    model_config = ConfigDict(extra="forbid", frozen=True, coerce_numbers_to_str=True)


def _timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise problem(
            f"{value!r} is not a known time zone (IANA name such as Europe/Berlin)"
        ) from None
    return value


def _clock_time(value: object) -> dt.time:
    if isinstance(value, dt.time):
        return value
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", str(value).strip())
    if match and int(match.group(1)) < 24 and int(match.group(2)) < 60:
        return dt.time(int(match.group(1)), int(match.group(2)))
    raise problem(f"{value!r} is not a time of day; use HH:MM such as 10:00")


def _weekday(value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 7:
        return value
    name = str(value).strip().lower()
    for number, short in enumerate(WEEKDAYS, start=1):
        if name in (short, _WEEKDAY_NAMES[number - 1]):
            return number
    raise problem(f"{value!r} is not a weekday; use mon, tue, wed, thu, fri, sat, sun or 1-7")


def _http_url(value: str) -> str:
    parts = urlparse(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise problem(f"{value!r} is not an http(s) URL such as http://127.0.0.1:8000/api/")
    return value


TimeZone = Annotated[str, AfterValidator(_timezone)]
ClockTime = Annotated[dt.time, BeforeValidator(_clock_time)]
Weekday = Annotated[int, BeforeValidator(_weekday)]
HttpUrl = Annotated[str, AfterValidator(_http_url)]


class Organisation(Section):
    """Who runs the surveys, where, and in which language by default."""

    name: str = "Our company"
    timezone: TimeZone = "UTC"
    language: Language = "en"


class Anonymity(Section):
    """The anonymity threshold: nothing from fewer people is ever shown."""

    min_respondents: int = Field(default=DEFAULT_MIN_RESPONDENTS, ge=LOWEST_MIN_RESPONDENTS)
    # Free text identifies people more easily than a click: by default comments need two
    # more people than numbers do.
    min_commenters: int | None = Field(default=None, ge=LOWEST_MIN_RESPONDENTS)

    def policy(self) -> AnonymityPolicy:
        """The core's anonymity policy for these limits: the one place it is built."""
        if self.min_commenters is None:
            return AnonymityPolicy(min_respondents=self.min_respondents)
        return AnonymityPolicy(
            min_respondents=self.min_respondents, min_commenters=self.min_commenters
        )

    @model_validator(mode="after")
    def _comments_need_at_least_as_many(self) -> Self:
        if self.min_commenters is None:
            object.__setattr__(self, "min_commenters", self.min_respondents + COMMENT_MARGIN)
        elif self.min_commenters < self.min_respondents:
            raise problem(
                f"{self.min_commenters} is not allowed; must be ≥ min_respondents "
                f"({self.min_respondents})",
                at="min_commenters",
            )
        return self


_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "sqlite+pysqlite": "sqlite+aiosqlite",
    "sqlite+aiosqlite": "sqlite+aiosqlite",
    "postgres": "postgresql+psycopg",
    "postgresql": "postgresql+psycopg",
    "postgresql+psycopg": "postgresql+psycopg",
    "postgresql+psycopg2": "postgresql+psycopg",
    "postgresql+asyncpg": "postgresql+psycopg",
}


def _database_url(value: str) -> str:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        url = make_url(value)
    except (ArgumentError, ValueError):
        raise problem(
            "is not a database URL; use sqlite:///pulse.db or postgresql://user@host/db"
        ) from None
    if url.password is not None:
        raise problem(
            "contains a password; leave it out and set PULSE_DATABASE_PASSWORD in the environment"
        )
    driver = _DRIVERS.get(url.drivername)
    if driver is None:
        raise problem(
            f"{url.drivername!r} is not supported; use sqlite:///pulse.db "
            "or postgresql://user@host/db"
        )
    return url.set(drivername=driver).render_as_string(hide_password=False)


class Database(Section):
    """Where answers are stored; the password comes from PULSE_DATABASE_PASSWORD."""

    url: Annotated[str, AfterValidator(_database_url)] = "sqlite+aiosqlite:///pulse.db"


class Server(Section):
    """The one HTTP server: Slack HTTP mode, the Telegram webhook and /healthz."""

    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)


class Logging(Section):
    """How ``pulse run`` writes its log: readable ``text`` lines or one ``json`` object a line."""

    format: Literal["text", "json"] = "text"


class Employees(Section):
    """When and how employees are asked in Slack."""

    weekdays: list[Weekday] = Field(default_factory=lambda: [2], min_length=1)
    send_time: ClockTime = dt.time(10, 0)
    questions_per_pulse: int = Field(default=3, ge=1, le=3)
    answer_window_days: int = Field(default=5, ge=1, le=14)
    reminders: int = Field(default=1, ge=0, le=2)
    comment_max_chars: int = Field(default=1000, ge=1, le=3000)

    @model_validator(mode="after")
    def _distinct_weekdays(self) -> Self:
        object.__setattr__(self, "weekdays", sorted(set(self.weekdays)))
        return self


class Daytime(Section):
    """The hours in which customers may be messaged (organisation time zone)."""

    start: ClockTime = dt.time(9, 0)
    end: ClockTime = dt.time(18, 0)

    @model_validator(mode="after")
    def _end_after_start(self) -> Self:
        if self.end <= self.start:
            raise problem(
                f"{self.end:%H:%M} is not allowed; must be after start ({self.start:%H:%M})",
                at="end",
            )
        return self


class Customers(Section):
    """How customers are sampled and asked in Telegram."""

    sample_size: int | None = Field(default=None, ge=1)
    sample_fraction: float | None = Field(default=None, gt=0, le=1)
    min_days_between: int = Field(default=28, ge=1)
    questions_per_pulse: int = Field(default=2, ge=1, le=3)
    answer_window_days: int = Field(default=7, ge=1, le=14)
    daytime: Daytime = Field(default_factory=Daytime)
    comment_max_chars: int = Field(default=1000, ge=1, le=3000)

    @model_validator(mode="before")
    @classmethod
    def _default_fraction(cls, data: Any) -> Any:
        if isinstance(data, dict) and "sample_size" not in data and "sample_fraction" not in data:
            return {**data, "sample_fraction": 0.1}
        return data

    @model_validator(mode="after")
    def _one_sample_rule(self) -> Self:
        if self.sample_size is not None and self.sample_fraction is not None:
            raise problem("set either sample_size or sample_fraction, not both")
        return self


class Surveys(Section):
    """The two sides' pulses."""

    employees: Employees = Field(default_factory=Employees)
    customers: Customers = Field(default_factory=Customers)


class Report(Section):
    """The weekly perception-gap report; unset values are filled from other sections."""

    weekday: Weekday = 1
    time: ClockTime = dt.time(9, 0)
    trend_weeks: int = Field(default=8, ge=2, le=52)
    # A dimension without a gap this week shows its latest gap from this many weeks before.
    latest_weeks: int = Field(default=4, ge=1, le=51)
    destinations: list[Literal["slack", "telegram"]] | None = None
    language: Language | None = None


__all__ = [
    "WEEKDAYS",
    "Anonymity",
    "ClockTime",
    "Customers",
    "Database",
    "Daytime",
    "Employees",
    "HttpUrl",
    "Language",
    "Logging",
    "Organisation",
    "Report",
    "Section",
    "Server",
    "Surveys",
    "TimeZone",
    "Weekday",
    "problem",
]
