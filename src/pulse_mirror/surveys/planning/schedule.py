"""When things happen: local send times across daylight-saving changes, reminders, pauses.

All results are timezone-aware datetimes in UTC; local wall times are interpreted in the
person's own IANA time zone.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pulse_mirror.surveys.model import IsoWeek

MAX_REMINDERS = 2


# Kept: ZoneInfo's own cache holds only a few zones strongly, so planning a week for 150,000
# people in 20 zones re-read the zone files 24,000 times (measured: 40% of the plan's time).
# Only known zones are kept (an error is never cached), so the cache stays a few hundred long.
@functools.cache
def zone(name: str) -> ZoneInfo:
    """The IANA time zone ``name``; ValueError naming it if it does not exist."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{name!r} is not a known time zone, e.g. Europe/Berlin") from None


def local_instant(day: dt.date, at: dt.time, *, tz: str) -> dt.datetime:
    """The UTC instant the wall clock in ``tz`` shows ``at`` on ``day``.

    A wall time skipped by a spring-forward change moves forward to the first valid instant
    (the moment the clocks jump); one repeated by a fall-back change takes its first occurrence.
    """
    if at.tzinfo is not None:
        raise ValueError(f"the local time must be naive (a wall time), not {at.isoformat()}")
    place = zone(tz)
    wall = dt.datetime.combine(day, at)
    first = wall.replace(tzinfo=place, fold=0).astimezone(dt.UTC)
    if first.astimezone(place).replace(tzinfo=None) == wall:
        return first
    # In a gap, fold=0 reads the wall time with the offset before the jump and fold=1 with
    # the offset after it; the jump lies between the two readings.
    return _transition(
        place,
        before=wall.replace(tzinfo=place, fold=1).astimezone(dt.UTC),
        after=first,
    )


def _transition(place: ZoneInfo, *, before: dt.datetime, after: dt.datetime) -> dt.datetime:
    """The first whole second in (before, after] that has the offset ``after`` has."""
    target = after.astimezone(place).utcoffset()
    low, high = 0, int((after - before).total_seconds())
    while low < high:
        middle = (low + high) // 2
        if (before + dt.timedelta(seconds=middle)).astimezone(place).utcoffset() == target:
            high = middle
        else:
            low = middle + 1
    return before + dt.timedelta(seconds=low)


def local_send_time(week: IsoWeek, *, weekday: int, at: dt.time, tz: str) -> dt.datetime:
    """The UTC instant of local wall time ``at`` on ``weekday`` (1=Mon..7=Sun) of ``week``."""
    if not 1 <= weekday <= 7:
        raise ValueError(f"weekday must be 1 (Monday) to 7 (Sunday), not {weekday}")
    return local_instant(week.day(weekday), at, tz=tz)


def local_send_times(
    week: IsoWeek, *, weekdays: Iterable[int], at: dt.time, tz: str
) -> list[dt.datetime]:
    """The UTC instants of ``at`` on each of several weekdays of ``week``, earliest first."""
    days = sorted(set(weekdays))
    return [local_send_time(week, weekday=day, at=at, tz=tz) for day in days]


def is_paused(paused_until: dt.date | None, today: dt.date) -> bool:
    """Whether someone who paused until ``paused_until`` is still paused ``today``.

    The pause ends on ``paused_until``: from that day on the person is asked again.
    """
    return paused_until is not None and today < paused_until


def _require_aware(moment: dt.datetime, *, name: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, not {moment.isoformat()}")
