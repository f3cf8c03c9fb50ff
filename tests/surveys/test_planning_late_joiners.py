"""Someone planned after their send time is asked in their own daytime, never at 03:00."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from pulse_mirror.surveys.model import IsoWeek, PersonStatus, Platform, Side
from pulse_mirror.surveys.planning.weekly import (
    EmployeeRules,
    asked_later,
    employee_deliveries,
    employee_window,
)
from pulse_mirror.surveys.records import DeliveryKind, PersonRecord, PulseRecord

WEEK = IsoWeek(2026, 48)  # Monday 23 November 2026
RULES = EmployeeRules(
    weekdays=(2,), send_time=dt.time(10), answer_window_days=5, reminders=1, default_tz="UTC"
)
LA = ZoneInfo("America/Los_Angeles")
BERLIN = ZoneInfo("Europe/Berlin")


def employee(pid: int, tz: str) -> PersonRecord:
    return PersonRecord(
        id=pid, side=Side.EMPLOYEE, platform=Platform.SLACK, platform_user_id=f"U{pid}",
        language="en", time_zone=tz, group=None, status=PersonStatus.ACTIVE, paused_until=None,
        consent_at=None, last_asked_at=None, created_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
    )  # fmt: skip


def pulse() -> PulseRecord:
    opens, closes = employee_window(WEEK, RULES)
    return PulseRecord(id=1, week=WEEK, side=Side.EMPLOYEE, items=("a",), opens_at=opens,
                       closes_at=closes)  # fmt: skip


def rows_of(person: PersonRecord, now: dt.datetime) -> dict[DeliveryKind, dt.datetime]:
    rows = employee_deliveries(pulse=pulse(), people=[person], rules=RULES, now=now)
    return {row.kind: row.due_at for row in rows}


def test_a_late_joiner_in_los_angeles_is_asked_at_their_send_time_not_at_three_am() -> None:
    now = dt.datetime(2026, 11, 25, 3, tzinfo=LA)  # Wednesday, Tuesday's slot is past

    due = rows_of(employee(1, "America/Los_Angeles"), now)

    assert due[DeliveryKind.QUESTION] == dt.datetime(2026, 11, 25, 10, tzinfo=LA)
    assert due[DeliveryKind.QUESTION] < pulse().closes_at
    assert due[DeliveryKind.QUESTION] < due[DeliveryKind.REMINDER_1] < pulse().closes_at


def test_with_a_send_time_at_midnight_a_late_joiner_is_asked_when_their_morning_begins() -> None:
    midnight = EmployeeRules(
        weekdays=(1,), send_time=dt.time(0), answer_window_days=7, reminders=0, default_tz="UTC"
    )
    now = dt.datetime(2026, 11, 25, 3, tzinfo=LA)
    opens, closes = employee_window(WEEK, midnight)
    week_pulse = PulseRecord(id=1, week=WEEK, side=Side.EMPLOYEE, items=("a",), opens_at=opens,
                             closes_at=closes)  # fmt: skip

    [row] = employee_deliveries(
        pulse=week_pulse, people=[employee(6, "America/Los_Angeles")], rules=midnight, now=now
    )

    assert row.due_at == dt.datetime(2026, 11, 25, 8, tzinfo=LA)


def test_a_late_joiner_in_their_daytime_is_asked_at_once() -> None:
    now = dt.datetime(2026, 11, 25, 13, tzinfo=BERLIN)

    due = rows_of(employee(2, "Europe/Berlin"), now)

    assert due[DeliveryKind.QUESTION] == now


def test_someone_on_time_keeps_their_slot() -> None:
    now = dt.datetime(2026, 11, 23, 8, tzinfo=BERLIN)  # Monday, before Tuesday's slot

    due = rows_of(employee(3, "Europe/Berlin"), now)

    assert due[DeliveryKind.QUESTION] == dt.datetime(2026, 11, 24, 10, tzinfo=BERLIN)


def test_a_joiner_after_the_last_send_time_waits_for_next_weeks_pulse_and_is_told_when() -> None:
    now = dt.datetime(2026, 11, 27, 20, tzinfo=BERLIN)  # Friday evening: next morning is Monday
    person = employee(4, "Europe/Berlin")

    assert rows_of(person, now) == {}
    later = asked_later(pulse=pulse(), people=[person], rules=RULES, now=now)
    assert later == {4: dt.datetime(2026, 12, 1, 10, tzinfo=BERLIN)}  # next week's Tuesday


def test_nobody_reachable_this_week_is_listed_as_asked_later() -> None:
    now = dt.datetime(2026, 11, 25, 13, tzinfo=BERLIN)
    person = employee(5, "Europe/Berlin")

    assert asked_later(pulse=pulse(), people=[person], rules=RULES, now=now) == {}
