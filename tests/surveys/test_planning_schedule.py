"""Send times in each person's own zone across the 2026 DST changes, reminders and pauses."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pulse_mirror.surveys.model import IsoWeek
from pulse_mirror.surveys.planning import (
    is_paused,
    local_instant,
    local_send_time,
    local_send_times,
)

NINE = dt.time(9, 0)
MON, SAT, SUN = 1, 6, 7


def utc(year: int, month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("week", "weekday", "tz", "expected"),
    [
        # EU spring forward, Sunday 29 Mar 2026 (2026-W13): CET +1 before, CEST +2 after.
        (IsoWeek(2026, 13), MON, "Europe/Berlin", utc(2026, 3, 23, 8)),
        (IsoWeek(2026, 13), SAT, "Europe/Berlin", utc(2026, 3, 28, 8)),
        (IsoWeek(2026, 13), SUN, "Europe/Berlin", utc(2026, 3, 29, 7)),
        (IsoWeek(2026, 14), MON, "Europe/Berlin", utc(2026, 3, 30, 7)),
        # US spring forward, Sunday 8 Mar 2026 (2026-W10): EST -5 before, EDT -4 after.
        (IsoWeek(2026, 10), MON, "America/New_York", utc(2026, 3, 2, 14)),
        (IsoWeek(2026, 10), SAT, "America/New_York", utc(2026, 3, 7, 14)),
        (IsoWeek(2026, 10), SUN, "America/New_York", utc(2026, 3, 8, 13)),
        (IsoWeek(2026, 11), MON, "America/New_York", utc(2026, 3, 9, 13)),
        # Between the two changes the zones are 5 hours apart, not 6.
        (IsoWeek(2026, 12), MON, "Europe/Berlin", utc(2026, 3, 16, 8)),
        (IsoWeek(2026, 12), MON, "America/New_York", utc(2026, 3, 16, 13)),
        # EU fall back, Sunday 25 Oct 2026 (2026-W43).
        (IsoWeek(2026, 43), MON, "Europe/Berlin", utc(2026, 10, 19, 7)),
        (IsoWeek(2026, 43), SUN, "Europe/Berlin", utc(2026, 10, 25, 8)),
        (IsoWeek(2026, 44), MON, "Europe/Berlin", utc(2026, 10, 26, 8)),
        # US fall back, Sunday 1 Nov 2026 (the Sunday of 2026-W44).
        (IsoWeek(2026, 44), MON, "America/New_York", utc(2026, 10, 26, 13)),
        (IsoWeek(2026, 44), SUN, "America/New_York", utc(2026, 11, 1, 14)),
        (IsoWeek(2026, 45), MON, "America/New_York", utc(2026, 11, 2, 14)),
        # Tokyo has no DST: 09:00 JST is midnight UTC all year.
        (IsoWeek(2026, 13), MON, "Asia/Tokyo", utc(2026, 3, 23, 0)),
        (IsoWeek(2026, 44), SUN, "Asia/Tokyo", utc(2026, 11, 1, 0)),
    ],
)
def test_pulse_arrives_at_nine_local_time_across_dst(
    week: IsoWeek, weekday: int, tz: str, expected: dt.datetime
) -> None:
    sent = local_send_time(week, weekday=weekday, at=NINE, tz=tz)
    assert sent == expected
    assert sent.tzinfo is dt.UTC
    local = sent.astimezone(ZoneInfo(tz))
    assert (local.date(), local.time()) == (week.day(weekday), NINE)


@pytest.mark.parametrize(
    ("day", "at", "tz", "expected"),
    [
        # Spring-forward gaps: 02:30 does not exist; the first valid instant is 03:00.
        (dt.date(2026, 3, 29), dt.time(2, 30), "Europe/Berlin", utc(2026, 3, 29, 1)),
        (dt.date(2026, 3, 29), dt.time(2, 0), "Europe/Berlin", utc(2026, 3, 29, 1)),
        (dt.date(2026, 3, 8), dt.time(2, 15), "America/New_York", utc(2026, 3, 8, 7)),
        # The minute before the gap is still valid and stays as it is.
        (dt.date(2026, 3, 29), dt.time(1, 59), "Europe/Berlin", utc(2026, 3, 29, 0, 59)),
        # Fall-back repeats: 02:30 in Berlin / 01:30 in New York happen twice; the first counts.
        (dt.date(2026, 10, 25), dt.time(2, 30), "Europe/Berlin", utc(2026, 10, 25, 0, 30)),
        (dt.date(2026, 11, 1), dt.time(1, 30), "America/New_York", utc(2026, 11, 1, 5, 30)),
        # Lord Howe Island moves its clocks by half an hour: 02:00-02:30 is skipped.
        (dt.date(2026, 10, 4), dt.time(2, 10), "Australia/Lord_Howe", utc(2026, 10, 3, 15, 30)),
    ],
)
def test_gaps_move_forward_and_repeats_take_the_first(
    day: dt.date, at: dt.time, tz: str, expected: dt.datetime
) -> None:
    assert local_instant(day, at, tz=tz) == expected


def test_gap_through_send_time_helper() -> None:
    sent = local_send_time(IsoWeek(2026, 13), weekday=SUN, at=dt.time(2, 30), tz="Europe/Berlin")
    assert sent == utc(2026, 3, 29, 1)
    assert sent.astimezone(ZoneInfo("Europe/Berlin")).time() == dt.time(3, 0)


ZONES = ["Europe/Berlin", "America/New_York", "Asia/Tokyo", "Australia/Lord_Howe", "UTC"]


@given(
    day=st.dates(min_value=dt.date(2025, 1, 1), max_value=dt.date(2027, 12, 31)),
    minute=st.integers(min_value=0, max_value=24 * 60 - 1),
    tz=st.sampled_from(ZONES),
)
def test_result_is_the_first_instant_the_wall_clock_reaches_the_time(
    day: dt.date, minute: int, tz: str
) -> None:
    at = dt.time(minute // 60, minute % 60)
    wall = dt.datetime.combine(day, at)
    moment = local_instant(day, at, tz=tz)
    place = ZoneInfo(tz)
    assert moment.astimezone(place).replace(tzinfo=None) >= wall
    just_before = moment - dt.timedelta(seconds=1)
    assert just_before.astimezone(place).replace(tzinfo=None) < wall


def test_several_weekdays_give_sorted_instants() -> None:
    times = local_send_times(
        IsoWeek(2026, 13), weekdays=[SUN, MON, SUN], at=NINE, tz="Europe/Berlin"
    )
    assert times == [utc(2026, 3, 23, 8), utc(2026, 3, 29, 7)]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"weekday": 0, "at": NINE, "tz": "Europe/Berlin"}, "weekday must be 1"),
        ({"weekday": 8, "at": NINE, "tz": "Europe/Berlin"}, "weekday must be 1"),
        ({"weekday": 1, "at": NINE, "tz": "Europe/Berln"}, "'Europe/Berln' is not a known"),
        ({"weekday": 1, "at": NINE, "tz": "../etc/passwd"}, "is not a known time zone"),
        (
            {"weekday": 1, "at": dt.time(9, tzinfo=dt.UTC), "tz": "Europe/Berlin"},
            "must be naive",
        ),
    ],
)
def test_bad_send_time_arguments_are_refused(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        local_send_time(IsoWeek(2026, 13), **kwargs)  # type: ignore[arg-type]


def test_pause_ends_on_its_date() -> None:
    until = dt.date(2026, 4, 1)
    assert is_paused(until, dt.date(2026, 3, 31))
    assert not is_paused(until, until)
    assert not is_paused(until, dt.date(2026, 4, 2))
    assert not is_paused(None, dt.date(2026, 3, 31))
