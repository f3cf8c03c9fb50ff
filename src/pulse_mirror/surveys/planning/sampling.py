"""The weekly customer trickle: who is asked this week, and when in their own daytime.

Customers are never flooded: nobody asked within ``min_days_between`` days is eligible, and
the ones picked are spread over the week's daytime hours so answers keep coming in evenly.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import Protocol, TypeVar

from pulse_mirror.surveys.model import IsoWeek
from pulse_mirror.surveys.planning.schedule import local_instant, zone

WORKDAYS: tuple[int, ...] = (1, 2, 3, 4, 5)


class Candidate(Protocol):
    """A customer who may be asked: who, and when they were last asked (None: never)."""

    @property
    def id(self) -> Hashable:
        """The customer's identity."""
        ...

    @property
    def last_asked(self) -> dt.datetime | None:
        """When the customer was last asked, timezone-aware; None if never."""
        ...


C = TypeVar("C", bound=Candidate)
K = TypeVar("K", bound=Hashable)


def is_eligible(last_asked: dt.datetime | None, *, now: dt.datetime, min_days_between: int) -> bool:
    """Whether someone last asked at ``last_asked`` may be asked at ``now``."""
    if last_asked is None:
        return True
    if last_asked.utcoffset() is None:
        raise ValueError(f"last_asked must be timezone-aware, not {last_asked.isoformat()}")
    return now - last_asked >= dt.timedelta(days=min_days_between)


def sample_customers(
    candidates: Iterable[C],
    *,
    now: dt.datetime,
    size: int | None = None,
    fraction: float | None = None,
    min_days_between: int,
    rng: random.Random,
) -> list[C]:
    """Pick this week's customers at random among those not asked within ``min_days_between``.

    Give exactly one of ``size`` (a number of customers) or ``fraction`` (of all candidates,
    rounded up, so a small base still gets answers). Fewer are picked when fewer are eligible.
    """
    check_sample(size=size, fraction=fraction, min_days_between=min_days_between, now=now)
    pool = list(candidates)
    ids = [candidate.id for candidate in pool]
    if len(set(ids)) != len(ids):
        raise ValueError("candidates must not repeat an id")
    eligible = [
        c for c in pool if is_eligible(c.last_asked, now=now, min_days_between=min_days_between)
    ]
    positions = sample_positions(
        pool=len(pool), eligible=len(eligible), size=size, fraction=fraction, rng=rng
    )
    return [eligible[position] for position in positions]


def sample_positions(
    *, pool: int, eligible: int, size: int | None, fraction: float | None, rng: random.Random
) -> list[int]:
    """Which of ``eligible`` candidates (by position) are picked from a base of ``pool``.

    The same draw as :func:`sample_customers` makes for the same counts and seed:
    ``rng.sample`` picks positions from the length alone, so a caller holding only the eligible
    ids in order (not every candidate in memory) gets the very same customers.
    """
    if (size is None) == (fraction is None):
        raise ValueError("give exactly one of size or fraction")
    wanted = size if size is not None else math.ceil((fraction or 0.0) * pool)
    return rng.sample(range(eligible), min(wanted, eligible))


def eligible_since(*, now: dt.datetime, min_days_between: int) -> dt.datetime:
    """The latest ``last_asked`` that is eligible at ``now`` (see :func:`is_eligible`)."""
    return now - dt.timedelta(days=min_days_between)


def check_sample(
    *, size: int | None, fraction: float | None, min_days_between: int, now: dt.datetime
) -> None:
    """Refuse a sample request :func:`sample_customers` cannot honour, naming the argument."""
    if (size is None) == (fraction is None):
        raise ValueError("give exactly one of size or fraction")
    if size is not None and size < 0:
        raise ValueError(f"size must be 0 or more, not {size}")
    if fraction is not None and not 0.0 < fraction <= 1.0:
        raise ValueError(f"fraction must be above 0 and at most 1, not {fraction}")
    if min_days_between < 0:
        raise ValueError(f"min_days_between must be 0 or more, not {min_days_between}")
    if now.utcoffset() is None:
        raise ValueError(f"now must be timezone-aware, not {now.isoformat()}")


def spread_send_times(
    ids: Sequence[K],
    *,
    week: IsoWeek,
    tz_of: Mapping[K, str | None],
    default_tz: str,
    rng: random.Random,
    day_start: dt.time = dt.time(9),
    day_end: dt.time = dt.time(18),
    weekdays: Sequence[int] = WORKDAYS,
) -> dict[K, dt.datetime]:
    """A send instant (UTC) for each id inside the week's daytime hours in the id's own zone.

    The daytime minutes of all ``weekdays`` form one line; the ids, shuffled, get one evenly
    spaced stretch of it each and a random minute inside their stretch, so the sends are both
    random and even. Ids without a zone use ``default_tz``.
    """
    days = sorted(set(weekdays))
    if not days or not all(1 <= day <= 7 for day in days):
        raise ValueError(f"weekdays must be 1 (Monday) to 7 (Sunday), not {list(weekdays)}")
    start = day_start.hour * 60 + day_start.minute
    per_day = day_end.hour * 60 + day_end.minute - start
    if per_day <= 0:
        raise ValueError(f"day_end ({day_end}) must be after day_start ({day_start})")
    zone(default_tz)
    order = list(dict.fromkeys(ids))
    rng.shuffle(order)
    total = per_day * len(days)
    spread: dict[K, dt.datetime] = {}
    for position, key in enumerate(order):
        minute = int((position + rng.random()) * total / len(order))
        day, offset = divmod(min(minute, total - 1), per_day)
        wall = dt.time((start + offset) // 60, (start + offset) % 60)
        tz = tz_of.get(key) or default_tz
        spread[key] = local_instant(week.day(days[day]), wall, tz=tz)
    return spread
