"""The customer trickle: nobody asked too often, random among the rest, spread over the week."""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import Counter
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pulse_mirror.surveys.model import IsoWeek
from pulse_mirror.surveys.planning import is_eligible, sample_customers, spread_send_times

NOW = dt.datetime(2026, 3, 23, 6, 0, tzinfo=dt.UTC)
WEEK = IsoWeek(2026, 13)  # the week of the EU spring-forward change


@dataclass(frozen=True)
class Customer:
    id: int
    last_asked: dt.datetime | None


def _ago(days: float) -> dt.datetime:
    return NOW - dt.timedelta(days=days)


def test_nobody_asked_within_the_period_is_picked() -> None:
    pool = [
        Customer(1, None),
        Customer(2, _ago(27.99)),
        Customer(3, _ago(28)),  # exactly the period ago: eligible again
        Customer(4, _ago(1)),
        Customer(5, _ago(400)),
    ]
    picked = sample_customers(pool, now=NOW, size=10, min_days_between=28, rng=random.Random(1))
    assert sorted(c.id for c in picked) == [1, 3, 5]


def test_last_asked_in_another_zone_counts_by_the_instant() -> None:
    tokyo = _ago(28).astimezone(ZoneInfo("Asia/Tokyo"))
    assert is_eligible(tokyo, now=NOW, min_days_between=28)
    assert not is_eligible(tokyo + dt.timedelta(seconds=1), now=NOW, min_days_between=28)


candidates = st.lists(
    st.one_of(st.none(), st.floats(min_value=0, max_value=120, allow_nan=False)),
    max_size=60,
).map(lambda ages: [Customer(i, None if a is None else _ago(a)) for i, a in enumerate(ages)])


@given(
    pool=candidates,
    size=st.integers(min_value=0, max_value=80),
    days=st.integers(min_value=1, max_value=90),
    seed=st.integers(min_value=0, max_value=2**32),
)
def test_sample_by_size_respects_the_period(
    pool: list[Customer], size: int, days: int, seed: int
) -> None:
    picked = sample_customers(
        pool, now=NOW, size=size, min_days_between=days, rng=random.Random(seed)
    )
    eligible = [c for c in pool if c.last_asked is None or NOW - c.last_asked >= dt.timedelta(days)]
    assert len(picked) == min(size, len(eligible))
    assert len({c.id for c in picked}) == len(picked)
    for customer in picked:
        assert customer in pool
        assert customer.last_asked is None or NOW - customer.last_asked >= dt.timedelta(days=days)


@given(
    pool=candidates,
    fraction=st.floats(min_value=0.01, max_value=1.0),
    days=st.integers(min_value=1, max_value=90),
)
def test_sample_by_fraction_takes_that_share_of_everyone(
    pool: list[Customer], fraction: float, days: int
) -> None:
    picked = sample_customers(
        pool, now=NOW, fraction=fraction, min_days_between=days, rng=random.Random(0)
    )
    eligible = [c for c in pool if c.last_asked is None or NOW - c.last_asked >= dt.timedelta(days)]
    assert len(picked) == min(math.ceil(fraction * len(pool)), len(eligible))
    assert all(c in eligible for c in picked)


def test_sample_is_random_among_the_eligible_and_repeatable_by_seed() -> None:
    pool = [Customer(i, None) for i in range(100)]
    first = sample_customers(pool, now=NOW, size=10, min_days_between=28, rng=random.Random(7))
    again = sample_customers(pool, now=NOW, size=10, min_days_between=28, rng=random.Random(7))
    other = sample_customers(pool, now=NOW, size=10, min_days_between=28, rng=random.Random(8))
    assert first == again
    assert first != other
    counts: Counter[int] = Counter()
    rng = random.Random(3)
    for _ in range(400):
        counts.update(
            c.id for c in sample_customers(pool, now=NOW, size=10, min_days_between=28, rng=rng)
        )
    assert len(counts) == 100  # everyone gets a turn, not only the first in the list


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "exactly one of size or fraction"),
        ({"size": 3, "fraction": 0.5}, "exactly one of size or fraction"),
        ({"size": -1}, "size must be 0 or more"),
        ({"fraction": 0.0}, "fraction must be above 0"),
        ({"fraction": 1.5}, "fraction must be above 0"),
    ],
)
def test_sample_arguments_are_checked(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        sample_customers([], now=NOW, min_days_between=28, rng=random.Random(0), **kwargs)  # type: ignore[arg-type]


def test_repeated_ids_and_naive_times_are_refused() -> None:
    rng = random.Random(0)
    with pytest.raises(ValueError, match="must not repeat an id"):
        sample_customers([Customer(1, None)] * 2, now=NOW, size=1, min_days_between=28, rng=rng)
    naive = [Customer(1, dt.datetime(2026, 1, 1))]
    with pytest.raises(ValueError, match="last_asked must be timezone-aware"):
        sample_customers(naive, now=NOW, size=1, min_days_between=28, rng=rng)


ZONES = {0: "Europe/Berlin", 1: "America/New_York", 2: "Asia/Tokyo", 3: None}


def test_send_times_fall_in_daytime_in_each_customers_own_zone() -> None:
    ids = list(range(400))
    tz_of = {i: ZONES[i % 4] for i in ids if i % 8 != 7}  # some have no entry at all
    times = spread_send_times(
        ids, week=WEEK, tz_of=tz_of, default_tz="Europe/London", rng=random.Random(5)
    )
    assert set(times) == set(ids)
    for key, moment in times.items():
        assert moment.tzinfo is dt.UTC
        local = moment.astimezone(ZoneInfo(tz_of.get(key) or "Europe/London"))
        assert local.date() in {WEEK.day(d) for d in range(1, 6)}
        assert dt.time(9) <= local.time() < dt.time(18)


def test_send_times_are_spread_evenly_over_days_and_hours() -> None:
    ids = [f"c{i}" for i in range(500)]
    times = spread_send_times(
        ids, week=WEEK, tz_of={}, default_tz="Asia/Tokyo", rng=random.Random(9)
    )
    local = [moment.astimezone(ZoneInfo("Asia/Tokyo")) for moment in times.values()]
    per_day = Counter(moment.isoweekday() for moment in local)
    assert set(per_day) == {1, 2, 3, 4, 5}
    assert all(99 <= n <= 101 for n in per_day.values()), per_day
    per_hour = Counter(moment.hour for moment in local)
    assert set(per_hour) == set(range(9, 18))
    assert all(50 <= n <= 62 for n in per_hour.values()), per_hour


def test_send_times_honour_weekdays_hours_and_seed() -> None:
    ids = list(range(50))
    kwargs = {
        "week": WEEK,
        "tz_of": {},
        "default_tz": "America/New_York",
        "day_start": dt.time(10, 30),
        "day_end": dt.time(12),
        "weekdays": (2, 4),
    }
    times = spread_send_times(ids, rng=random.Random(1), **kwargs)  # type: ignore[arg-type]
    assert times == spread_send_times(ids, rng=random.Random(1), **kwargs)  # type: ignore[arg-type]
    for moment in times.values():
        local = moment.astimezone(ZoneInfo("America/New_York"))
        assert local.isoweekday() in (2, 4)
        assert dt.time(10, 30) <= local.time() < dt.time(12)


def test_spread_arguments_are_checked() -> None:
    rng = random.Random(0)
    with pytest.raises(ValueError, match=r"day_end .* must be after day_start"):
        spread_send_times([1], week=WEEK, tz_of={}, default_tz="UTC", rng=rng, day_end=dt.time(9))
    with pytest.raises(ValueError, match="weekdays must be 1"):
        spread_send_times([1], week=WEEK, tz_of={}, default_tz="UTC", rng=rng, weekdays=(0,))
    with pytest.raises(ValueError, match="not a known time zone"):
        spread_send_times([1], week=WEEK, tz_of={}, default_tz="Mars/Olympus", rng=rng)
    assert spread_send_times([], week=WEEK, tz_of={}, default_tz="UTC", rng=rng) == {}
