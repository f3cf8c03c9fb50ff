"""The survey domain's vocabulary: sides, scales, dimensions, items, weeks and answers.

Pure data, no I/O. Every other part of the product speaks in these types.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

LANGUAGES: tuple[str, ...] = ("en", "de")


class Side(enum.StrEnum):
    """Who answers: customers give the outside view, employees the inside view."""

    CUSTOMER = "customer"
    EMPLOYEE = "employee"


class Metric(enum.StrEnum):
    """How the answers to an item are summarised."""

    NPS = "nps"  # 0-10, % promoters (9-10) minus % detractors (0-6)
    CSAT = "csat"  # 1-5, top-2-box: % of 4-5
    MEAN = "mean"  # e.g. CES on 1-7: the mean
    AGREEMENT = "agreement"  # 1-5 agreement: % favourable (4-5) and mean
    TEXT = "text"  # free-text comment, never a number


class Platform(enum.StrEnum):
    """Where a person is reached."""

    SLACK = "slack"
    TELEGRAM = "telegram"


class PersonStatus(enum.StrEnum):
    """Whether a person may be asked."""

    ACTIVE = "active"
    PAUSED = "paused"
    OPTED_OUT = "opted_out"
    BLOCKED = "blocked"


@dataclass(frozen=True, order=True)
class Scale:
    """An answer scale of whole numbers from ``low`` to ``high`` inclusive."""

    low: int
    high: int

    def __post_init__(self) -> None:
        if self.high <= self.low:
            raise ValueError(f"scale high ({self.high}) must be above low ({self.low})")

    @property
    def values(self) -> tuple[int, ...]:
        """Every value a person can choose, lowest first."""
        return tuple(range(self.low, self.high + 1))

    def contains(self, value: int) -> bool:
        """Whether ``value`` is a valid answer on this scale."""
        return self.low <= value <= self.high

    def normalise(self, value: float) -> float:
        """Map a value on this scale to 0-100: (x - min) / (max - min) x 100."""
        return (value - self.low) / (self.high - self.low) * 100.0

    def __str__(self) -> str:
        return f"{self.low}-{self.high}"


_WEEK_RE = re.compile(r"^(\d{4})-W(\d{2})$")


@dataclass(frozen=True, order=True)
class IsoWeek:
    """An ISO 8601 week such as ``2026-W47``."""

    year: int
    week: int

    def __post_init__(self) -> None:
        last = dt.date(self.year, 12, 28).isocalendar().week
        if not 1 <= self.week <= last:
            raise ValueError(f"{self.year} has ISO weeks 1-{last}, not {self.week}")

    @classmethod
    def parse(cls, text: str) -> IsoWeek:
        """Parse ``YYYY-Www``; raise ValueError with the accepted form otherwise."""
        match = _WEEK_RE.match(text.strip())
        if not match:
            raise ValueError(f"{text!r} is not an ISO week; expected the form 2026-W47")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def of(cls, day: dt.date) -> IsoWeek:
        """The ISO week a date (or datetime, by its own date) falls in."""
        iso = day.isocalendar()
        return cls(iso.year, iso.week)

    def monday(self) -> dt.date:
        """The Monday that starts this week."""
        return dt.date.fromisocalendar(self.year, self.week, 1)

    def day(self, weekday: int) -> dt.date:
        """The date of ``weekday`` (1 = Monday ... 7 = Sunday) in this week."""
        return dt.date.fromisocalendar(self.year, self.week, weekday)

    def shift(self, weeks: int) -> IsoWeek:
        """The week ``weeks`` later (negative: earlier)."""
        return IsoWeek.of(self.monday() + dt.timedelta(weeks=weeks))

    @property
    def index(self) -> int:
        """Weeks since 0001-W01; consecutive weeks have consecutive indexes."""
        return (self.monday() - dt.date(1, 1, 1)).days // 7

    def __str__(self) -> str:
        return f"{self.year}-W{self.week:02d}"


@dataclass(frozen=True)
class Dimension:
    """A theme measured from one or both sides with items on the same scale."""

    key: str
    metric: Metric
    scale: Scale | None
    title: Mapping[str, str]
    mirrored: bool
    custom: bool = False

    def title_in(self, lang: str) -> str:
        """The title in ``lang``, falling back to English."""
        return self.title.get(lang) or self.title["en"]


@dataclass(frozen=True)
class Item:
    """One question asked of one side, belonging to one dimension."""

    key: str
    dimension: str
    side: Side
    metric: Metric
    scale: Scale | None
    text: Mapping[str, str]
    low_label: Mapping[str, str] = field(default_factory=dict)
    high_label: Mapping[str, str] = field(default_factory=dict)
    custom: bool = False

    def text_in(self, lang: str) -> str:
        """The question text in ``lang``, falling back to English."""
        return self.text.get(lang) or self.text["en"]

    def labels_in(self, lang: str) -> tuple[str, str]:
        """The labels of the scale's low and high end in ``lang``."""
        low = self.low_label.get(lang) or self.low_label.get("en", "")
        high = self.high_label.get(lang) or self.high_label.get("en", "")
        return low, high

    @property
    def is_text(self) -> bool:
        """Whether the item takes a free-text comment instead of a number."""
        return self.metric is Metric.TEXT


@dataclass(frozen=True)
class Answer:
    """One anonymous answer: the item, the value, the week; never the person."""

    item: str
    side: Side
    week: IsoWeek
    value: int
    group: str | None = None  # team (employees) or segment (customers)
