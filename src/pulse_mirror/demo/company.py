"""The simulated company: employees in teams across time zones and customers in segments.

Pure and seeded: the same seed gives the same people with the same views and habits. Every
decision a person makes (answer or not, how late, which value, a comment) is drawn from a
generator keyed by the seed, the person, the week and the question, so the order in which
the simulation happens to run never changes an answer.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Literal

from pulse_mirror.demo.story import Story

TEAMS: tuple[tuple[str, str], ...] = (
    ("support", "Europe/Berlin"),
    ("engineering", "Europe/Berlin"),
    ("sales", "America/New_York"),
    ("success", "America/New_York"),
    ("operations", "Asia/Tokyo"),
)
SEGMENTS: dict[str, str] = {"shop": "retail", "b2b": "business", "app": "mobile"}
FIRST_NAMES = (
    "Ada", "Ben", "Cleo", "Dan", "Eva", "Finn", "Greta", "Hugo", "Ida", "Jon", "Kira", "Leo",
    "Mia", "Nils", "Olga", "Paul", "Rosa", "Sami", "Tara", "Udo", "Vera", "Wim", "Yara", "Zoe",
)  # fmt: skip
Leaving = Literal["stop", "delete", "block"]


@dataclass(frozen=True)
class Habits:
    """How a person deals with a pulse."""

    response_rate: float
    median_delay_minutes: float
    comment_chance: float
    skip_chance: float


@dataclass(frozen=True)
class Employee:
    """A Slack user on the roster."""

    user_id: str
    name: str
    team: str
    time_zone: str
    locale: str
    offset: float  # the person's own lean, in points of 0-100
    habits: Habits
    pause_week: int | None = None  # pauses in the App Home in this week (0-based)


@dataclass(frozen=True)
class Customer:
    """A Telegram user who reached the bot through a deep link."""

    chat_id: int
    name: str
    payload: str
    language: str
    offset: float
    habits: Habits
    joins_week: int  # 0: before the first week
    leaves: Leaving | None = None
    leaves_week: int | None = None


@dataclass(frozen=True)
class Company:
    """Everyone in the simulation, and the story their answers tell."""

    seed: int
    name: str
    employees: tuple[Employee, ...]
    customers: tuple[Customer, ...]
    story: Story

    @property
    def segments(self) -> dict[str, str]:
        """Deep-link payload -> segment, as the config lists them."""
        return dict(SEGMENTS)


def build_company(*, seed: int, employees: int, customers: int, weeks: int, lang: str) -> Company:
    """A company of ``employees`` and ``customers`` whose story unfolds over ``weeks``."""
    rng = random.Random(f"company:{seed}")
    staff = tuple(_employee(rng, index, weeks=weeks, lang=lang) for index in range(employees))
    clients = tuple(_customer(rng, index, weeks=weeks, lang=lang) for index in range(customers))
    return Company(
        seed=seed,
        name="Nordwind Logistik GmbH" if lang == "de" else "Northwind Logistics",
        employees=staff,
        customers=clients,
        story=Story(improvement_week=max(1, weeks // 2)),
    )


def _name(rng: random.Random, index: int) -> str:
    return f"{rng.choice(FIRST_NAMES)} {chr(65 + index % 26)}."


def _employee(rng: random.Random, index: int, *, weeks: int, lang: str) -> Employee:
    team, zone = TEAMS[index % len(TEAMS)]
    habits = Habits(
        response_rate=rng.uniform(0.6, 0.97),
        median_delay_minutes=rng.choice((8.0, 30.0, 90.0, 240.0, 600.0)),
        comment_chance=rng.uniform(0.1, 0.4),
        skip_chance=rng.uniform(0.0, 0.06),
    )
    pauses = weeks >= 3 and rng.random() < 0.06
    return Employee(
        user_id=f"U0DEMO{index:04d}",
        name=_name(rng, index),
        team=team,
        time_zone=zone,
        locale="de-DE" if lang == "de" else "en-US",
        offset=rng.gauss(0.0, 8.0),
        habits=habits,
        pause_week=rng.randrange(1, weeks - 1) if pauses else None,
    )


def _customer(rng: random.Random, index: int, *, weeks: int, lang: str) -> Customer:
    payload = rng.choice(tuple(SEGMENTS))
    habits = Habits(
        response_rate=rng.uniform(0.35, 0.9),
        median_delay_minutes=rng.choice((2.0, 15.0, 60.0, 180.0)),
        comment_chance=rng.uniform(0.1, 0.35),
        skip_chance=rng.uniform(0.0, 0.05),
    )
    joins = 0 if rng.random() < 0.7 or weeks < 2 else rng.randrange(1, weeks)
    draw = rng.random()
    leaves: Leaving | None = None
    if draw < 0.03:
        leaves = "stop"
    elif draw < 0.045:
        leaves = "delete"
    elif draw < 0.06:
        leaves = "block"
    leaves_week = rng.randrange(joins, weeks) if leaves is not None else None
    return Customer(
        chat_id=700_000_000 + index,
        name=_name(rng, index),
        payload=payload,
        language=lang,
        offset=rng.gauss(0.0, 10.0),
        habits=habits,
        joins_week=joins,
        leaves=leaves,
        leaves_week=leaves_week,
    )


@dataclass(frozen=True)
class Response:
    """What one person does with one pulse: whether, how late, and the comment if any."""

    answers: bool
    delay_seconds: float
    comments: bool


def response(habits: Habits, *, seed: int, who: str, week: int, reminded: bool = False) -> Response:
    """Whether and when ``who`` answers week ``week``'s pulse (the same for the same keys)."""
    rng = random.Random(f"respond:{seed}:{who}:{week}:{int(reminded)}")
    rate = habits.response_rate * (0.5 if reminded else 1.0)
    delay = habits.median_delay_minutes * 60.0 * math.exp(rng.gauss(0.0, 0.8))
    return Response(
        answers=rng.random() < rate,
        delay_seconds=max(20.0, delay),
        comments=rng.random() < habits.comment_chance,
    )


def skips(habits: Habits, *, seed: int, who: str, week: int, item: str) -> bool:
    """Whether ``who`` skips ``item`` this week."""
    return random.Random(f"skip:{seed}:{who}:{week}:{item}").random() < habits.skip_chance
