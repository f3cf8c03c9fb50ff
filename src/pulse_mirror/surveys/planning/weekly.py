"""One week's messages without I/O: who gets which pulse when, and when the reminders fall.

The planner job turns the config and the people into these rows and puts them in the outbox;
the dispatcher decides at send time whether a reminder is still wanted (only to people who
have not answered) and never sends anything once the answer window is over.

Every pulse has one window per week and side. It opens at the first possible send instant
anywhere on Earth and closes ``answer_window_days`` after the last possible send instant
anywhere on Earth, so each person, whatever their time zone, gets at least that many days.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass

from pulse_mirror.surveys.model import IsoWeek, PersonStatus, Side
from pulse_mirror.surveys.planning.sampling import (
    WORKDAYS,
    check_sample,
    sample_customers,
    sample_positions,
    spread_send_times,
)
from pulse_mirror.surveys.planning.schedule import MAX_REMINDERS, local_instant, zone
from pulse_mirror.surveys.records import DeliveryKind, NewDelivery, PersonRecord, PulseRecord

# The zones that see a wall time first and last: the window holds for everyone in between.
EARLIEST_ZONE = "Etc/GMT-14"
LATEST_ZONE = "Etc/GMT+12"
REMINDER_KINDS = (DeliveryKind.REMINDER_1, DeliveryKind.REMINDER_2)
# A late joiner is asked at once in their local daytime (from the send time, or from
# DAY_START when the send time is at night, to DAY_END), else when it next begins.
DAY_START = dt.time(8)
DAY_END = dt.time(18)


@dataclass(frozen=True)
class EmployeeRules:
    """When employees are asked: weekdays, local send time, window and reminders."""

    weekdays: tuple[int, ...]
    send_time: dt.time
    answer_window_days: int
    reminders: int
    default_tz: str = "UTC"


@dataclass(frozen=True)
class CustomerRules:
    """How customers are sampled and when in their daytime they are asked."""

    min_days_between: int
    answer_window_days: int
    sample_size: int | None = None
    sample_fraction: float | None = None
    day_start: dt.time = dt.time(9)
    day_end: dt.time = dt.time(18)
    default_tz: str = "UTC"
    weekdays: tuple[int, ...] = WORKDAYS
    reminders: int = 0


@dataclass(frozen=True)
class SampledCustomer:
    """A customer as sampling sees them (the ``Candidate`` shape)."""

    id: int
    last_asked: dt.datetime | None


def employee_window(week: IsoWeek, rules: EmployeeRules) -> tuple[dt.datetime, dt.datetime]:
    """When the employees' pulse of ``week`` opens and closes (UTC)."""
    days = _days(rules.weekdays)
    opens = local_instant(week.day(days[0]), rules.send_time, tz=EARLIEST_ZONE)
    last = week.day(days[-1]) + dt.timedelta(days=rules.answer_window_days)
    return opens, local_instant(last, rules.send_time, tz=LATEST_ZONE)


def customer_window(week: IsoWeek, rules: CustomerRules) -> tuple[dt.datetime, dt.datetime]:
    """When the customers' pulse of ``week`` opens and closes (UTC)."""
    days = _days(rules.weekdays)
    opens = local_instant(week.day(days[0]), rules.day_start, tz=EARLIEST_ZONE)
    last = week.day(days[-1]) + dt.timedelta(days=rules.answer_window_days)
    return opens, local_instant(last, rules.day_end, tz=LATEST_ZONE)


def may_be_asked(person: PersonRecord, *, now: dt.datetime) -> bool:
    """Whether ``person`` may get a message now: active, or a pause that has ended."""
    if person.status is PersonStatus.ACTIVE:
        return True
    return (
        person.status is PersonStatus.PAUSED
        and person.paused_until is not None
        and person.paused_until <= now
    )


def employee_deliveries(
    *,
    pulse: PulseRecord,
    people: Sequence[PersonRecord],
    rules: EmployeeRules,
    now: dt.datetime,
) -> list[NewDelivery]:
    """The question and reminders of every employee who may be asked, in their own time zone.

    With several weekdays each employee gets one of them (by id), which spreads the load.
    Someone planned after their send time (a late joiner, or the bot's first week) is asked
    at :func:`late_send`; nothing is due at or after the window's close.
    """
    rows: list[NewDelivery] = []
    for person in people:
        if person.side is not Side.EMPLOYEE or not may_be_asked(person, now=now):
            continue
        tz = _known_zone(person.time_zone) or rules.default_tz
        start = employee_send(pulse.week, person_id=person.id, tz=tz, rules=rules, now=now)
        local = start.astimezone(zone(tz))
        rows += _person_rows(
            pulse=pulse,
            person_id=person.id,
            start=start,
            reminders=_reminders(
                day=local.date(),
                at=rules.send_time,
                tz=tz,
                window_days=rules.answer_window_days,
                count=rules.reminders,
            ),
        )
    return rows


def employee_send(
    week: IsoWeek, *, person_id: int, tz: str, rules: EmployeeRules, now: dt.datetime
) -> dt.datetime:
    """When an employee in ``tz`` gets ``week``'s question: their slot, or later if it is past."""
    days = _days(rules.weekdays)
    day = week.day(days[person_id % len(days)])
    send = local_instant(day, rules.send_time, tz=tz)
    return send if send >= now else late_send(now, tz=tz, rules=rules)


def late_send(now: dt.datetime, *, tz: str, rules: EmployeeRules) -> dt.datetime:
    """When someone whose send time is past is asked: now in their daytime, else next morning.

    Their daytime runs from the send time (``DAY_START`` if the send time is at night) to
    ``DAY_END``, on a workday or a configured weekday; outside it they are asked when their
    next daytime begins, never at 03:00 (measured: a joiner in Los Angeles was).
    """
    place = zone(tz)
    local = now.astimezone(place)
    days = set(WORKDAYS) | set(rules.weekdays)
    start = rules.send_time if DAY_START <= rules.send_time < DAY_END else DAY_START
    if local.isoweekday() in days and start <= local.time() < DAY_END:
        return now
    for ahead in range(8):
        day = local.date() + dt.timedelta(days=ahead)
        send = local_instant(day, start, tz=tz)
        if day.isoweekday() in days and send > now:
            return send
    raise AssertionError("a week always has a workday")  # pragma: no cover


def asked_later(
    *,
    pulse: PulseRecord,
    people: Sequence[PersonRecord],
    rules: EmployeeRules,
    now: dt.datetime,
) -> dict[int, dt.datetime]:
    """Employees this pulse can no longer reach, and when next week's pulse asks each of them."""
    later: dict[int, dt.datetime] = {}
    for person in people:
        if person.side is not Side.EMPLOYEE or not may_be_asked(person, now=now):
            continue
        tz = _known_zone(person.time_zone) or rules.default_tz
        start = employee_send(pulse.week, person_id=person.id, tz=tz, rules=rules, now=now)
        if start >= pulse.closes_at:
            following = pulse.week.shift(1)
            later[person.id] = employee_send(
                following, person_id=person.id, tz=tz, rules=rules, now=now
            )
    return later


def sample_for_week(
    *,
    people: Sequence[PersonRecord],
    rules: CustomerRules,
    now: dt.datetime,
    rng: random.Random,
) -> list[PersonRecord]:
    """This week's customers: consented, may be asked, not asked within ``min_days_between``."""
    pool = {
        person.id: person
        for person in people
        if person.side is Side.CUSTOMER
        and person.consent_at is not None
        and may_be_asked(person, now=now)
    }
    candidates = [SampledCustomer(id=p.id, last_asked=p.last_asked_at) for p in pool.values()]
    picked = sample_customers(
        candidates,
        now=now,
        size=rules.sample_size,
        fraction=rules.sample_fraction,
        min_days_between=rules.min_days_between,
        rng=rng,
    )
    return sorted((pool[c.id] for c in picked), key=lambda person: person.id)


def pick_for_week(
    *,
    pool: int,
    eligible: Sequence[int],
    rules: CustomerRules,
    now: dt.datetime,
    rng: random.Random,
) -> list[int]:
    """:func:`sample_for_week` from counts: the ids picked, given the eligible ids by id.

    ``pool`` counts the customers who may be asked at all, ``eligible`` holds those of them
    not asked within ``min_days_between``, in id order; the seed picks the same customers.
    """
    check_sample(
        size=rules.sample_size,
        fraction=rules.sample_fraction,
        min_days_between=rules.min_days_between,
        now=now,
    )
    positions = sample_positions(
        pool=pool,
        eligible=len(eligible),
        size=rules.sample_size,
        fraction=rules.sample_fraction,
        rng=rng,
    )
    return sorted(eligible[position] for position in positions)


def customer_deliveries(
    *,
    pulse: PulseRecord,
    sampled: Sequence[PersonRecord],
    rules: CustomerRules,
    now: dt.datetime,
    rng: random.Random,
) -> list[NewDelivery]:
    """The questions (and reminders, if configured) of the sampled customers, spread evenly."""
    if not sampled:
        return []
    times = spread_send_times(
        [person.id for person in sampled],
        week=pulse.week,
        tz_of={person.id: _known_zone(person.time_zone) for person in sampled},
        default_tz=rules.default_tz,
        rng=rng,
        day_start=rules.day_start,
        day_end=rules.day_end,
        weekdays=rules.weekdays,
    )
    rows: list[NewDelivery] = []
    for person in sampled:
        send = times[person.id]
        tz = _known_zone(person.time_zone) or rules.default_tz
        local = send.astimezone(zone(tz))
        rows += _person_rows(
            pulse=pulse,
            person_id=person.id,
            start=max(send, now),
            reminders=_reminders(
                day=local.date(),
                at=local.time().replace(tzinfo=None, second=0, microsecond=0),
                tz=tz,
                window_days=rules.answer_window_days,
                count=rules.reminders,
            ),
        )
    return rows


def _person_rows(
    *, pulse: PulseRecord, person_id: int, start: dt.datetime, reminders: list[dt.datetime]
) -> list[NewDelivery]:
    if start >= pulse.closes_at:
        return []
    rows = [
        NewDelivery(
            pulse_id=pulse.id, person_id=person_id, kind=DeliveryKind.QUESTION, due_at=start
        )
    ]
    later = [moment for moment in reminders if start < moment < pulse.closes_at]
    for kind, moment in zip(REMINDER_KINDS, later, strict=False):
        rows.append(NewDelivery(pulse_id=pulse.id, person_id=person_id, kind=kind, due_at=moment))
    return rows


def _reminders(
    *, day: dt.date, at: dt.time, tz: str, window_days: int, count: int
) -> list[dt.datetime]:
    """Reminders at the same local wall time on days evenly inside the person's window."""
    if not 0 <= count <= MAX_REMINDERS:
        raise ValueError(f"reminders must be 0-{MAX_REMINDERS}, not {count}")
    offsets = sorted({round(window_days * k / (count + 1)) for k in range(1, count + 1)})
    useful = [offset for offset in offsets if 1 <= offset < window_days]
    return [local_instant(day + dt.timedelta(days=offset), at, tz=tz) for offset in useful]


def _days(weekdays: Sequence[int]) -> list[int]:
    days = sorted(set(weekdays))
    if not days or not all(1 <= day <= 7 for day in days):
        raise ValueError(f"weekdays must be 1 (Monday) to 7 (Sunday), not {list(weekdays)}")
    return days


def _known_zone(name: str | None) -> str | None:
    """``name`` if it is a known time zone, else None."""
    if not name:
        return None
    try:
        zone(name)
    except ValueError:
        return None
    return name
