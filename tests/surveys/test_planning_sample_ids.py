"""Sampling from ids alone picks the very customers sampling from every record picks."""

from __future__ import annotations

import datetime as dt
import random

from hypothesis import given
from hypothesis import strategies as st

from pulse_mirror.surveys.model import PersonStatus, Platform, Side
from pulse_mirror.surveys.planning.sampling import eligible_since, is_eligible
from pulse_mirror.surveys.planning.weekly import CustomerRules, pick_for_week, sample_for_week
from pulse_mirror.surveys.records import PersonRecord

NOW = dt.datetime(2026, 3, 23, 6, 0, tzinfo=dt.UTC)


def _customer(key: int, asked_days_ago: int | None) -> PersonRecord:
    return PersonRecord(
        id=key,
        side=Side.CUSTOMER,
        platform=Platform.TELEGRAM,
        platform_user_id=str(key),
        language="en",
        time_zone="UTC",
        group=None,
        status=PersonStatus.ACTIVE,
        paused_until=None,
        consent_at=NOW - dt.timedelta(days=400),
        last_asked_at=None if asked_days_ago is None else NOW - dt.timedelta(days=asked_days_ago),
        created_at=NOW - dt.timedelta(days=400),
    )


@given(
    asked=st.lists(st.one_of(st.none(), st.integers(0, 60)), max_size=80),
    seed=st.integers(0, 2**32),
    size=st.one_of(st.none(), st.integers(0, 90)),
    fraction=st.floats(0.01, 1.0),
)
def test_ids_and_a_count_pick_what_the_records_pick(
    asked: list[int | None], seed: int, size: int | None, fraction: float
) -> None:
    rules = CustomerRules(
        min_days_between=28,
        answer_window_days=7,
        sample_size=size,
        sample_fraction=None if size is not None else fraction,
    )
    people = [_customer(3 * index + 1, days) for index, days in enumerate(asked)]
    since = eligible_since(now=NOW, min_days_between=rules.min_days_between)
    eligible = [p.id for p in people if p.last_asked_at is None or p.last_asked_at <= since]
    assert eligible == [
        p.id for p in people if is_eligible(p.last_asked_at, now=NOW, min_days_between=28)
    ]

    from_records = sample_for_week(people=people, rules=rules, now=NOW, rng=random.Random(seed))
    from_ids = pick_for_week(
        pool=len(people), eligible=eligible, rules=rules, now=NOW, rng=random.Random(seed)
    )

    assert from_ids == [p.id for p in from_records]
